import { ruleTester } from "../helpers/rule-tester.js";

const code = (register: string, call = "if (n->ops && n->ops->notify)\n\t\t\tn->ops->notify(n);") => `struct foo_notifier {
	struct list_head list;
	const struct foo_notifier_ops *ops;
};

static LIST_HEAD(foo_notifiers);

int foo_register_notifier(struct foo_notifier *n)
{
${register}	list_add_tail(&n->list, &foo_notifiers);
	return 0;
}

void foo_notify_all(void)
{
	struct foo_notifier *n;

	list_for_each_entry(n, &foo_notifiers, list)
		${call}
}
`;

const stored = (check: string) => `struct foo_dev {
	const struct foo_ops *ops;
};

int foo_register_ops(struct foo_dev *d, const struct foo_ops *ops)
{
${check}	d->ops = ops;
	return 0;
}

void foo_kick(struct foo_dev *d)
{
	if (d->ops && d->ops->kick)
		d->ops->kick(d);
}
`;

ruleTester("optional-ops-check", {
  valid: [
    { name: "the registration checks the ops once", code: code("\tif (!n->ops)\n\t\treturn -EINVAL;\n") },
    { name: "a call made without the test: the table is mandatory there", code: code("", "n->ops->notify(n);") },
    { name: "the ops handed in are checked before they are stored", code: stored("\tif (!ops)\n\t\treturn -EINVAL;\n") },
    { name: "a table in a long-lived object, NULL until something registers", code: stored("") },
    { name: "the registration takes the object but puts it on no list", code: code("").replace("\tlist_add_tail(&n->list, &foo_notifiers);\n", "\tfoo_hw_enable(n);\n") },
    { name: "no registration in the patch", code: "void foo_kick(struct foo_dev *d)\n{\n\tif (d->ops && d->ops->kick)\n\t\td->ops->kick(d);\n}\n" },
  ],
  invalid: [
    { name: "the registration takes the object and never checks its ops", code: code(""), errors: [{ line: 19, messageId: "optional" }] },
  ],
});
