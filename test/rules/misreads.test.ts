/**
 * The seven ways the first rules misread real code (issue: a semantic core
 * for the rules), one small case each, modelled on correct code from the
 * kernel list archives (the fixtures/<rule>/good-class-* mails are the real
 * messages). Each valid case has an invalid twin that differs only in the
 * fact it needs, so that the case shows that fact at work, not a rule that
 * is silent anyway.
 */
import { lineOf, ruleTester } from "../helpers/rule-tester.js";

// A lock taken around a walk elsewhere: the evidence every list case below starts from.
const WALK = `struct item *dev_find(struct dev *dev, int id)
{
	struct item *it;

	spin_lock(&dev->lock);
	list_for_each_entry(it, &dev->items, node)
		if (it->id == id)
			break;
	spin_unlock(&dev->lock);
	return it;
}
`;

// 1. The same lock under another name (linux-pci: vfio_pci_dma_buf_release,
// `priv->vdev->memory_lock` and `vdev->memory_lock`; linux-scsi: `ha = vha->hw`).
const aliasValid = `${WALK}
void dev_add(struct item *it)
{
	struct dev *d = it->dev;

	spin_lock(&d->lock);
	list_add(&it->node, &it->dev->items);
	spin_unlock(&it->dev->lock);
}

static void item_work(struct work_struct *w)
{
	struct item *it = container_of(w, struct item, work);

	spin_lock(&it->dev->lock);
	list_del(&it->node);
	spin_unlock(&it->dev->lock);
}
`;
const aliasInvalid = aliasValid.replace("spin_lock(&d->lock);", "spin_lock(&d->other_lock);");

// 2. The wrong list: one member links an entry into two lists in turn, each with its own lock
// (nvdimm: dm-pcache backing_dev, `->node` on submit_list, then complete_list).
const twoLists = (completeLock: string) => `void req_submit(struct dev *dev, struct req *r)
{
	spin_lock(&dev->submit_lock);
	list_add_tail(&r->node, &dev->submit_list);
	spin_unlock(&dev->submit_lock);
}

void req_done(struct dev *dev, struct req *r)
{
	spin_lock(&dev->complete_lock);
	list_move_tail(&r->node, &dev->complete_list);
	spin_unlock(&dev->complete_lock);
}

void req_reap(struct dev *dev)
{
	struct req *r;

	spin_lock(&dev->${completeLock});
	r = list_first_entry(&dev->complete_list, struct req, node);
	list_del_init(&r->node);
	spin_unlock(&dev->${completeLock});
}
`;

// 3. Objects nobody else can see yet (linux-scsi: efct_pool_alloc; linux-usb: xillyusb endpoint_alloc).
const freshValid = `${WALK}
struct dev *dev_alloc(int n)
{
	struct dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int i;

	INIT_LIST_HEAD(&dev->items);
	spin_lock_init(&dev->lock);
	for (i = 0; i < n; i++) {
		struct item *it = kzalloc(sizeof(*it), GFP_KERNEL);

		list_add_tail(&it->node, &dev->items);
	}
	return dev;
}

static void dev_add_default(struct dev *dev)
{
	list_add(&default_item.node, &dev->items);
}

int dev_probe(struct device *parent)
{
	struct dev *dev = devm_kzalloc(parent, sizeof(*dev), GFP_KERNEL);

	INIT_LIST_HEAD(&dev->items);
	dev_add_default(dev);
	return dev_register(dev);
}
`;
const freshInvalid = freshValid.replace("struct dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL);", "struct dev *dev = dev_lookup(n);").replace("\tINIT_LIST_HEAD(&dev->items);\n\tspin_lock_init(&dev->lock);\n", "");

// 3b. Torn down after the last reference (a release callback; a devm teardown action).
const dyingValid = `${WALK}
static void dev_release(struct kref *kref)
{
	struct dev *dev = container_of(kref, struct dev, ref);
	struct item *it, *tmp;

	list_for_each_entry_safe(it, tmp, &dev->items, node)
		list_del(&it->node);
	kfree(dev);
}
`;
const dyingInvalid = dyingValid.replace("static void dev_release(struct kref *kref)", "static void dev_flush(struct kobject *kref)");

// 4. Private lists (linux-usb: ucsi_destroy_connector_wq; nvdimm: dm-pcache req_submit_fn).
const privateValid = `${WALK}
void dev_drain(struct dev *dev)
{
	struct item *it, *tmp;
	LIST_HEAD(local);

	spin_lock(&dev->lock);
	list_splice_init(&dev->items, &local);
	spin_unlock(&dev->lock);

	list_for_each_entry_safe(it, tmp, &local, node) {
		list_del(&it->node);
		kfree(it);
	}
}
`;
const privateInvalid = privateValid.replace("list_for_each_entry_safe(it, tmp, &local, node) {", "list_for_each_entry_safe(it, tmp, &dev->items, node) {");

// 5. Locking that the code states (linux-pci: arm-smmu-v3 lockdep_assert_held; linux-scsi: fnic).
const statedValid = `struct dev {
	spinlock_t lock;
	struct list_head items;	/* protected by lock */
};

static void dev_add_locked(struct dev *dev, struct item *it)
{
	lockdep_assert_held(&dev->lock);
	list_add(&it->node, &dev->items);
}

/* Must be called with dev->lock held. */
static void dev_del_locked(struct dev *dev, struct item *it)
{
	list_del(&it->node);
}

static void dev_move(struct dev *dev, struct item *it)
	__must_hold(&dev->lock)
{
	list_move(&it->node, &dev->items);
}

static void dev_insert(struct dev *dev, struct item *it)
{
	list_add_tail(&it->node, &dev->items);
}

void dev_update(struct dev *dev, struct item *it)
{
	spin_lock(&dev->lock);
	dev_insert(dev, it);
	spin_unlock(&dev->lock);
}
`;
const statedInvalid = statedValid.replace("\tspin_lock(&dev->lock);\n\tdev_insert(dev, it);\n\tspin_unlock(&dev->lock);", "\tdev_insert(dev, it);");

ruleTester("list-mutation-unlocked", {
  valid: [
    { name: "class 1: the lock through a local alias and through container_of", code: aliasValid },
    { name: "class 2: a member that moves the entry from one list to another, each under its own lock", code: twoLists("complete_lock") },
    { name: "class 3: a list in an object just allocated, or handed to a set-up helper by the probe that allocated it", code: freshValid },
    { name: "class 3: a list emptied in the release callback, after the last reference", code: dyingValid },
    { name: "class 4: entries spliced onto a stack list under the lock, then deleted from it freely", code: privateValid },
    { name: "class 5: lockdep_assert_held, a comment, __must_hold, a caller that holds the lock", code: statedValid },
  ],
  invalid: [
    { name: "class 1 twin: another lock taken under the alias", code: aliasInvalid, errors: [{ line: lineOf(aliasInvalid, "list_add(&it->node, &it->dev->items);"), messageId: "unlocked" }] },
    {
      // Both changes of the done list are reported: each is made under a lock the other does not take.
      name: "class 2 twin: the done list taken off under the submit lock",
      code: twoLists("submit_lock"),
      errors: [
        { line: lineOf(twoLists("submit_lock"), "list_move_tail(&r->node, &dev->complete_list);"), messageId: "unlocked" },
        { line: lineOf(twoLists("submit_lock"), "list_del_init(&r->node);"), messageId: "unlocked" },
      ],
    },
    { name: "class 3 twin: an object looked up, not allocated", code: freshInvalid, errors: [{ line: lineOf(freshInvalid, "list_add_tail(&it->node, &dev->items);"), messageId: "unlocked" }] },
    { name: "class 3 twin: the same teardown in a function that does not hold the last reference", code: dyingInvalid, errors: [{ line: lineOf(dyingInvalid, "list_del(&it->node);"), messageId: "unlocked" }] },
    { name: "class 4 twin: the shared list walked and deleted from outside the lock", code: privateInvalid, errors: [{ line: lineOf(privateInvalid, "list_del(&it->node);"), messageId: "unlocked" }] },
    { name: "class 5 twin: the caller no longer holds the lock", code: statedInvalid, errors: [{ line: lineOf(statedInvalid, "list_add_tail(&it->node, &dev->items);"), messageId: "unlocked" }] },
  ],
});

// 6. Names that are not promises (linux-pci: arm_smmu_sva_unbind fills `.sva_unbind`;
// linux-usb: xillyusb_disconnect drops its reference, then waits).
const opsImpl = `static void foo_destroy(struct foo *f)
{
	if (refcount_dec_and_test(&f->refs))
		kfree(f);
}

static const struct foo_ops foo_ops = {
	.destroy = foo_destroy,
};
`;
const waitsAfterPut = `void foo_remove(struct foo *f)
{
	kref_put(&f->ref, foo_release);
	wait_for_completion(&f->done);
}
`;
const farComment = `/*
 * foo_remove() tears the device down. The fast path does not block.
 */
`;
const nearComment = `/*
 * foo_remove() does not block: users may still hold it.
 */
`;

ruleTester("nonblocking-remove-name", {
  valid: [
    { name: "class 6: an ops-table implementation named by its slot", code: opsImpl },
    { name: "class 6: a put followed by a wait for the last user waits", code: waitsAfterPut },
    { name: "class 6: a 'does not block' about something else than the remove", code: farComment },
    { name: "a counter decremented in a remove that then waits for the last user", code: `void foo_remove(struct foo *f)
{
	if (--f->users)
		wait_for_completion(&f->gone);
	kfree(f);
}
` },
  ],
  invalid: [
    { name: "class 6 twin: the same function not in an ops table", code: opsImpl.split("\nstatic const")[0] + "\n", errors: [{ line: 3, messageId: "refDrop" }] },
    { name: "class 6 twin: a put with no wait", code: waitsAfterPut.replace("\twait_for_completion(&f->done);\n", ""), errors: [{ line: 3, messageId: "refDrop" }] },
    { name: "class 6 twin: the promise in the sentence that names the remove", code: nearComment, errors: [{ line: 2, messageId: "comment" }] },
    {
      name: "the open-coded put: a counter decremented in the condition",
      code: `void foo_destroy(struct foo *f)
{
	if (--f->users)
		return;
	kfree(f);
}
`,
      errors: [{ line: 3, messageId: "refDrop" }],
    },
  ],
});

// 7. A test that is not a NULL check (linux-usb: deactivate_locked_super `fs->kill_sb`;
// linux-pci: irq_chip_shutdown_parent chooses between members).
const dispatchPre = `diff --git a/kernel/irq/chip.c b/kernel/irq/chip.c
--- a/kernel/irq/chip.c
+++ b/kernel/irq/chip.c
@@ -10,8 +10,5 @@ void irq_chip_shutdown_parent(struct irq_data *data)
 {
 	data = data->parent_data;
-	if (data->chip->irq_shutdown)
-		data->chip->irq_shutdown(data);
-	else
-		data->chip->irq_disable(data);
+	data->chip->irq_shutdown(data);
 }
`;
const guardPre = dispatchPre.replace("-\telse\n-\t\tdata->chip->irq_disable(data);\n", "").replace("@@ -10,8 +10,5 @@", "@@ -10,6 +10,5 @@").replace("-\tif (data->chip->irq_shutdown)", "-\tif (data->chip && data->chip->irq_shutdown)").replace(/chip/g, "ops");
const flagTested = `void qla_wind_down(struct qla_hw_data *ha, struct scsi_qla_host *vha)
{
	if (!ha->flags.eeh_busy)
		return;
	ha->isp_ops->reset_chip(vha);
}
`;

ruleTester("ops-null-deref", {
  valid: [
    { name: "class 7: the pre-image chose between ops members; it never checked the ops", diff: dispatchPre },
    { name: "class 7: a flag of the object tested, not a sibling pointer", code: flagTested },
  ],
  invalid: [
    {
      name: "class 7 twin: the pre-image guarded the call with a test of the ops",
      diff: guardPre,
      errors: [{ line: 12, messageId: "removed" }],
    },
    { name: "class 7 twin: a sibling pointer checked for NULL", code: flagTested.replace("!ha->flags.eeh_busy", "!ha->priv"), errors: [{ line: 5, messageId: "unchecked" }] },
  ],
});

// The kernel's predicates, and what the patch changed.
const predicates = `void qcom_pcie_setup(struct device_node *node)
{
	if (of_device_is_compatible(node, "qcom,pcie-ipq8064") |
	    of_device_is_compatible(node, "qcom,pcie-ipq8064-v2"))
		setup_v2(node);
	if (pci_is_pcie(dev) | flags)
		setup(node);
}
`;
const turnedDiff = `diff --git a/drivers/foo.c b/drivers/foo.c
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -10,6 +10,6 @@ int foo_check(struct foo *f)
 {
-	if (!f->a || !f->b)
+	if (!f->a | !f->b)
 		return -EINVAL;
 	return 0;
 }
`;

ruleTester("bitwise-or-in-condition", {
  valid: [{ name: "a predicate beside a plain value may be a mask test", code: predicates.split("\tif (of_device")[0] + "\tif (pci_is_pcie(dev) | flags)\n\t\tsetup(node);\n}\n" }],
  invalid: [
    { name: "two kernel predicates joined with '|'", code: predicates, errors: [{ line: 3, messageId: "bitwiseCall" }] },
    { name: "the patch turns '||' into '|'", diff: turnedDiff, errors: [{ line: 11, messageId: "turned" }] },
  ],
});

const initDropped = `diff --git a/mm/registry.c b/mm/registry.c
--- a/mm/registry.c
+++ b/mm/registry.c
@@ -10,12 +10,12 @@ static LIST_HEAD(backends);
 
-void __init backend_register(struct backend *b)
+void backend_register(struct backend *b)
 {
 	list_add_tail(&b->node, &backends);
 }
 
 void backend_unregister(struct backend *b)
 {
 	list_del(&b->node);
 }
 
 int backend_count(void) { return 0; }
`;

ruleTester("unregister-without-init", {
  valid: [{ name: "registration still __init", diff: initDropped.replace("-void __init backend_register(struct backend *b)\n+void backend_register(struct backend *b)", " void __init backend_register(struct backend *b)").replace("@@ -10,12 +10,12 @@", "@@ -10,11 +10,11 @@") }],
  invalid: [{ name: "the patch drops __init from the registration", diff: initDropped, errors: [{ line: 18, messageId: "initDropped" }] }],
});
