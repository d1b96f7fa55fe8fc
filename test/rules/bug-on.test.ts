import { ruleTester } from "../helpers/rule-tester.js";

const fn = (body: string, head = "int foo_setup(struct foo *f, int idx)") => `${head}\n{\n\t${body}\n\treturn 0;\n}\n`;

const moved = `--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -10,9 +10,9 @@ static int foo_probe(struct foo *f)
 int foo_setup(struct foo *f, int idx)
 {
-	BUG_ON(idx >= FOO_MAX);
 	f->idx = idx;
+	BUG_ON(idx >= FOO_MAX);
 	return 0;
 }
`;

const ownErrno = `static int foo_claim(struct foo *f)
{
	if (f->claimed)
		return -EBUSY;
	f->claimed = 1;
	return 0;
}

void foo_start(struct foo *f)
{
	BUG_ON(foo_claim(f));
}
`;

ruleTester("bug-on", {
  valid: [
    { name: "a BUG_ON on a plain state (an invariant)", code: fn("BUG_ON(!list_empty(&f->list));", "void foo_free(struct foo *f)").replace("\treturn 0;\n", "") },
    { name: "BUG_ON(1) marks code that must not be reached", code: fn("BUG_ON(1);") },
    { name: "an argument check that calls something reads a state", code: fn("BUG_ON(idx == 1 && !hw_read(f, idx));") },
    { name: "an argument check in __init code", code: fn("BUG_ON(!f);", "static int __init foo_init(struct foo *f, int idx)") },
    { name: "VM_BUG_ON and BUILD_BUG_ON are not BUG_ON", code: fn("VM_BUG_ON(IS_ERR(f->p));\n\tBUILD_BUG_ON(sizeof(*f) > 64);") },
    { name: "an unconditional BUG() in a switch's default", code: fn("switch (idx) {\n\tcase 0:\n\t\tbreak;\n\tdefault:\n\t\tBUG();\n\t}") },
    { name: "a BUG_ON the patch moves, not adds", diff: moved },
    { name: "WARN_ON_ONCE and return, as asked", code: fn("if (WARN_ON_ONCE(idx >= FOO_MAX))\n\t\treturn -EINVAL;") },
    { name: "a BUG_ON on a question (may, is)", code: fn("BUG_ON(!bd_may_claim(f->bdev, f));", "void foo_claim(struct foo *f)").replace("\treturn 0;\n", "") },
    { name: "a BUG_ON rewritten in place of the old one", diff: moved.replace("+\tBUG_ON(idx >= FOO_MAX);", "+\tBUG_ON(idx > FOO_MAX);") },
  ],
  invalid: [
    { name: "a BUG_ON on the result of a call that can fail, where the state twin is silent", code: fn("BUG_ON(!list_add_entry(&f->list));", "void foo_free(struct foo *f)").replace("\treturn 0;\n", ""), errors: [{ line: 3, messageId: "error" }] },
    { name: "an argument check outside __init code", code: fn("BUG_ON(!f);"), errors: [{ line: 3, messageId: "argument" }] },
    { name: "BUG_ON on an error pointer", code: fn("BUG_ON(IS_ERR(f->p));"), errors: [{ line: 3, messageId: "errptr" }] },
    { name: "if (...) BUG(); on an index argument", code: fn("if (idx >= FOO_MAX)\n\t\tBUG();"), errors: [{ line: 4, messageId: "argument" }] },
    { name: "a BUG_ON the patch adds beside the old line it keeps", diff: moved.replace("-\tBUG_ON(idx >= FOO_MAX);", " \tBUG_ON(idx >= FOO_MAX);").replace("@@ -10,9 +10,9 @@", "@@ -10,9 +10,10 @@").replace("+\tBUG_ON(idx >= FOO_MAX);", "+\tBUG_ON(idx > FOO_MAX);"), errors: [{ line: 14, messageId: "argument" }] },
    { name: "a BUG_ON on a reference that can fail", code: fn("BUG_ON(!refcount_inc_not_zero(&f->ref));"), errors: [{ line: 3, messageId: "fails" }] },
    { name: "BUG_ON(!bio_add_page()): the form that cannot fail is named", code: fn("BUG_ON(!bio_add_page(f->bio, f->page, PAGE_SIZE, 0));"), errors: [{ line: 3, messageId: "error" }] },
    { name: "a BUG_ON on a lookup", code: fn("BUG_ON(!idr_find(&f->idr, idx));"), errors: [{ line: 3, messageId: "lookup" }] },
    { name: "a BUG_ON on a patch function that returns an errno", code: ownErrno, errors: [{ line: 11, messageId: "error" }] },
    { name: "a BUG_ON in a teardown", code: fn("BUG_ON(f->busy);", "void foo_remove(struct foo *f)").replace("\treturn 0;\n", ""), errors: [{ line: 3, messageId: "teardown" }] },
    { name: "a BUG_ON on an action, where the question twin is silent", code: fn("BUG_ON(!foo_claim_slot(f));", "void foo_go(struct foo *f)").replace("\treturn 0;\n", ""), errors: [{ line: 3, messageId: "error" }] },
  ],
});
