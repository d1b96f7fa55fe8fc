/**
 * ops-null-deref on results that may be NULL: each source of evidence and
 * each correct form that must stay silent.
 */
import { lineOf, ruleTester } from "../helpers/rule-tester.js";

const alloc = `int foo_probe(struct device *dev)
{
	struct foo *f = kzalloc(sizeof(*f), GFP_KERNEL);

	f->dev = dev;
	return 0;
}
`;
const lookup = `void foo_complete(struct foo_dev *fd, u32 id)
{
	struct foo_req *req = xa_load(&fd->reqs, id);

	complete(&req->done);
}

int foo_cancel(struct foo_dev *fd, u32 id)
{
	struct foo_req *req = xa_load(&fd->reqs, id);

	if (!req)
		return -ENOENT;
	req->cancelled = true;
	return 0;
}
`;
const passed = `int foo_claim(struct usb_device *udev, struct usb_driver *drv)
{
	struct usb_interface *intf = usb_ifnum_to_if(udev, 0);

	return usb_driver_claim_interface(drv, intf, NULL);
}

int foo_release(struct usb_device *udev, struct usb_driver *drv)
{
	struct usb_interface *intf = usb_ifnum_to_if(udev, 0);

	if (!intf)
		return -ENODEV;
	usb_driver_release_interface(drv, intf);
	return 0;
}
`;
const patchReturnsNull = `static struct foo *foo_find_by_id(struct bar *b, int id)
{
	struct foo *f;

	list_for_each_entry(f, &b->foos, node)
		if (f->id == id)
			return f;
	return NULL;
}

int foo_get(struct bar *b, int id)
{
	struct foo *f = foo_find_by_id(b, id);

	if (!f)
		return -ENOENT;
	return f->val;
}

int foo_put(struct bar *b, int id)
{
	struct foo *f = foo_find_by_id(b, id);

	return f->val;
}
`;

ruleTester("ops-null-deref", {
  valid: [
    { name: "an allocation tested before use", code: alloc.replace("\n\tf->dev = dev;", "\n\tif (!f)\n\t\treturn -ENOMEM;\n\tf->dev = dev;") },
    { name: "an allocation tested with unlikely()", code: alloc.replace("\n\tf->dev = dev;", "\n\tif (unlikely(!f))\n\t\treturn -ENOMEM;\n\tf->dev = dev;") },
    { name: "a __GFP_NOFAIL allocation cannot fail", code: alloc.replace("GFP_KERNEL", "GFP_KERNEL | __GFP_NOFAIL") },
    { name: "a lookup whose result is tested in the loop condition", code: `void drain(struct q *q)
{
	struct item *it;

	while ((it = list_first_entry_or_null(&q->items, struct item, node))) {
		list_del(&it->node);
		kfree(it);
	}
}
` },
    { name: "a lookup handed to a call that takes NULL", code: `void put_child(struct device *dev)
{
	struct device *child = device_find_child(dev, NULL, match);

	put_device(child);
}
` },
    { name: "a lookup handed on to the caller", code: lookup.replace("\tcomplete(&req->done);", "\treturn req;").replace("void foo_complete", "struct foo_req *foo_complete") },
    { name: "a function of the patch that returns NULL: its callers know when (a belief too weak on real code)", code: patchReturnsNull },
    { name: "a kernel lookup that no other call in the patch tests: the caller may know it is there", code: lookup.split("\n\nint foo_cancel")[0] + "\n" },
    { name: "moved code: the pre-image used the lookup untested already", diff: `diff --git a/drivers/foo.c b/drivers/foo.c
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -10,5 +10,5 @@ void foo_complete(struct foo_dev *fd, u32 id)
 {
-	struct foo_req *req = kzalloc(sizeof(*req), GFP_KERNEL);
+	struct foo_req *req = kzalloc(sizeof(*req), GFP_ATOMIC);
 
 	req->id = id;
 }
` },
  ],
  invalid: [
    { name: "an allocation dereferenced untested", code: alloc, errors: [{ line: lineOf(alloc, "kzalloc"), messageId: "result", confidence: "high" }] },
    { name: "a kernel lookup dereferenced untested where another call tests it", code: lookup, errors: [{ line: lineOf(lookup, "xa_load"), messageId: "result", confidence: "medium" }] },
    { name: "a kernel lookup handed untested to a call that dereferences it", code: passed, errors: [{ line: lineOf(passed, "usb_ifnum_to_if"), messageId: "result" }] },
    { name: "an allocation, new in the patch", diff: `diff --git a/drivers/foo.c b/drivers/foo.c
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -10,5 +10,6 @@ void foo_complete(struct foo_dev *fd, u32 id)
 {
-	struct foo_req *req = fd->spare;
+	struct foo_req *req = kzalloc(sizeof(*req), GFP_KERNEL);
 
 	req->id = id;
+	fd->last = req;
 }
`, errors: [{ line: 11, messageId: "result" }] },
  ],
});
