import { ruleTester } from "../helpers/rule-tester.js";

const file = (kill: string) => `struct foo_dev {
	unsigned long flags;
	void *holder;
	const struct foo_holder_ops *holder_ops;
};

void foo_set_holder(struct foo_dev *dev, void *holder, const struct foo_holder_ops *ops)
{
	dev->holder = holder;
	dev->holder_ops = ops;
}

${kill}`;

const kill = (body: string) => `void kill_foo(struct foo_dev *dev)\n{\n\tclear_bit(FOO_ALIVE, &dev->flags);\n${body}}\n`;

// The teardown shown from its middle (the patch adds the clearing, as the dax holder's v8 did).
const partial = `--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -20,6 +20,8 @@ void kill_foo(struct foo_dev *dev)
 	clear_bit(FOO_ALIVE, &dev->flags);
 	synchronize_srcu(&foo_srcu);
+	dev->holder_ops = NULL;
+	dev->holder = NULL;
 }
 EXPORT_SYMBOL_GPL(kill_foo);
 
@@ -40,3 +42,9 @@ EXPORT_SYMBOL_GPL(put_foo);
+void foo_set_holder(struct foo_dev *dev, void *holder, const struct foo_holder_ops *ops)
+{
+	dev->holder = holder;
+	dev->holder_ops = ops;
+}
+
 /* end */
`;

ruleTester("holder-not-cleared", {
  valid: [
    { name: "the teardown clears both fields", code: file(kill("\tdev->holder_ops = NULL;\n\tdev->holder = NULL;\n")) },
    { name: "no teardown in sight: nothing to say", code: file("") },
    { name: "a teardown shown in part, clearing the fields", diff: partial },
    { name: "a teardown that frees the object", code: file(kill("\tkfree(dev);\n")) },
    { name: "a function that fills fields as an I/O starts is no setter", code: file(kill("")).replace("foo_set_holder", "foo_start_io") },
  ],
  invalid: [
    { name: "the teardown clears neither", code: file(kill("")), errors: [{ line: 9, messageId: "dangling" }, { line: 10, messageId: "dangling" }] },
    { name: "the teardown clears one of the two", code: file(kill("\tdev->holder = NULL;\n")), errors: [{ line: 10, messageId: "dangling" }] },
  ],
});
