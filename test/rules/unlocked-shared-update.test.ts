/**
 * unlocked-shared-update, inline cases. Each valid case has an invalid twin
 * that differs only in the fact the valid one needs (test/rules/misreads.test.ts),
 * modelled on real kernel code: the idioms of a field written under its lock
 * (drivers/usb/dwc3/gadget.c dwc3_gadget_async_callbacks, mm/mmu_notifier.c
 * mmu_interval_notifier_update), set up before publish
 * (__mmu_interval_notifier_insert), WRITE_ONCE flags (kernel/workqueue.c
 * `WRITE_ONCE(wq->flags, ...)` style), and callers that hold the lock
 * (`lockdep_assert_held()`, `__must_hold()`).
 */
import { lineOf, ruleTester } from "../helpers/rule-tester.js";

const STRUCT = `struct dev {
	spinlock_t lock;
	struct list_head items;
	unsigned long seq;
	bool ready;
};

struct item {
	struct dev *dev;
	struct list_head node;
	unsigned long start;
	unsigned long last;
};
`;

// Another write of the field under the lock: the evidence every case starts from.
const LOCKED = `${STRUCT}
void dev_update(struct dev *dev)
{
	spin_lock(&dev->lock);
	dev->seq++;
	dev->ready |= true;
	spin_unlock(&dev->lock);
}
`;

// 1. The same lock reached by another name (`d = it->dev`).
const aliasValid = `${LOCKED}
void item_touch(struct item *it)
{
	struct dev *d = it->dev;

	spin_lock(&d->lock);
	it->dev->seq += 2;
	spin_unlock(&it->dev->lock);
}
`;
const aliasInvalid = aliasValid.replace("spin_lock(&d->lock);", "").replace("spin_unlock(&it->dev->lock);", "");

// 2. Set up before it is published (mmu_notifier: `mni->deferred_last = 0` before interval_tree_insert()).
const publishLater = (order: "before" | "after") => `${STRUCT}
void item_update(struct item *it, unsigned long s, unsigned long l)
{
	spin_lock(&it->dev->lock);
	it->start |= s;
	it->last = l;
	spin_unlock(&it->dev->lock);
}

int item_insert(struct dev *dev, struct item *it, unsigned long s)
{
	it->dev = dev;
${order === "before" ? "\tit->start |= s;\n" : ""}	spin_lock(&dev->lock);
	list_add(&it->node, &dev->items);
	spin_unlock(&dev->lock);
${order === "after" ? "\tit->start |= s;\n" : ""}	return 0;
}
`;

// 3. A freshly allocated object.
const freshValid = `${LOCKED}
struct dev *dev_new(void)
{
	struct dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (!dev)
		return NULL;
	spin_lock_init(&dev->lock);
	dev->seq = 1;
	return dev;
}
`;

// 4. A lockless flag written on purpose with WRITE_ONCE.
const onceValid = `${LOCKED}
void dev_stop(struct dev *dev)
{
	WRITE_ONCE(dev->ready, false);
}
`;
const onceInvalid = onceValid.replace("WRITE_ONCE(dev->ready, false);", "dev->ready &= false;");
// A plain store of a member races only for the last word (a field its owner stores): not reported; a read-modify-write is.
const plainStore = onceValid.replace("WRITE_ONCE(dev->ready, false);", "dev->ready = false;");

// 5. The caller holds the lock: lockdep_assert_held(), __must_hold(), a comment, a caller in the patch.
const assertValid = `${LOCKED}
static void dev_bump(struct dev *dev)
{
	lockdep_assert_held(&dev->lock);
	dev->seq++;
}
`;
const assertInvalid = assertValid.replace("\tlockdep_assert_held(&dev->lock);\n", "").replace("static void dev_bump", "void dev_bump");
// A static function the patch neither calls nor names (a reply quoting one function): its callers are out of view.
const unseenCallers = assertInvalid.replace("void dev_bump", "static void dev_bump");
const seenCaller = `${unseenCallers}
void dev_poke(struct dev *dev)
{
	dev_bump(dev);
}
`;
const mustHoldValid = `${LOCKED}
static void dev_bump(struct dev *dev)
	__must_hold(&dev->lock)
{
	dev->seq++;
}
`;
const callerValid = `${LOCKED}
static void dev_bump(struct dev *dev)
{
	dev->seq++;
}

void dev_kick(struct dev *dev)
{
	spin_lock(&dev->lock);
	dev_bump(dev);
	spin_unlock(&dev->lock);
}
`;
const callerInvalid = callerValid.replace("\tspin_lock(&dev->lock);\n\tdev_bump(dev);", "\tdev_bump(dev);\n\tspin_lock(&dev->lock);");
// The function drops a lock it was entered with: it held it at the write.
const dropsValid = `${LOCKED}
static void dev_bump_and_unlock(struct dev *dev)
{
	dev->seq++;
	spin_unlock(&dev->lock);
}
`;

// 6. A field written in one place only: nothing says which lock guards it. (Nor does a plain
// store under the lock: only an update made under it says the lock serialises the field's updates.)
const onePlace = `${STRUCT}
void dev_set(struct dev *dev)
{
	dev->seq += 3;
}
`;

const twoPlaces = onePlace.replace("void dev_set", "void dev_lock_set(struct dev *dev)\n{\n\tspin_lock(&dev->lock);\n\tdev->seq += 4;\n\tspin_unlock(&dev->lock);\n}\n\nvoid dev_set");

// 7. Tested after the function drops the lock its writer holds (dwc3_ep0_delegate_req).
const testedAfterDrop = `${LOCKED}
static int dev_call(struct dev *dev, int (*cb)(struct dev *))
{
	int ret = 0;

	spin_unlock(&dev->lock);
	if (dev->ready)
		ret = cb(dev);
	spin_lock(&dev->lock);
	return ret;
}
`;
const testedBeforeDrop = `${LOCKED}
static int dev_call(struct dev *dev, int (*cb)(struct dev *))
{
	bool ready = dev->ready;
	int ret = 0;

	spin_unlock(&dev->lock);
	if (ready)
		ret = cb(dev);
	spin_lock(&dev->lock);
	return ret;
}
`;

// The drop is for a wait, and the test after it only reports (pm8001 staggered spin-up): not the drop-and-call idiom.
const testedAfterWait = testedAfterDrop.replace("\tspin_unlock(&dev->lock);\n\tif (dev->ready)", "\tspin_unlock(&dev->lock);\n\twait_for_completion_timeout(&dev->done, HZ);\n\tif (dev->ready)");

// A function named for set-up (spraid_init_queue, uvcg_video_init) runs before the object is shared.
const setupName = `${LOCKED}
static void dev_init_queue(struct dev *dev)
{
	dev->seq |= 1;
}
`;
const setupNameTwin = setupName.replace("static void dev_init_queue", "void dev_flush_queue");

// 8. A global table written under its mutex in one function and without it in another (D027's kind).
const table = (locked: boolean) => `struct req { int used; int done; };
static DEFINE_MUTEX(reqs_mutex);
static struct req reqs[8];

int req_get(void)
{
	int i;

	mutex_lock(&reqs_mutex);
	for (i = 0; i < 8; i++) {
		if (!reqs[i].used) {
			reqs[i].used = 1;
			reqs[i].done = 0;
			break;
		}
	}
	mutex_unlock(&reqs_mutex);
	return i;
}

void req_done(int i)
{
${locked ? "\tmutex_lock(&reqs_mutex);\n" : ""}	reqs[i].done = 1;
${locked ? "\tmutex_unlock(&reqs_mutex);\n" : ""}}
`;

// 9. A hunk in the middle of a function: what it took above is unknown.
const hiddenHead = `--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -10,6 +10,7 @@ void dev_update(struct dev *dev)
 {
 	spin_lock(&dev->lock);
 	dev->seq++;
+	dev->ready = true;
 	spin_unlock(&dev->lock);
 }
 
@@ -40,5 +41,6 @@ static void dev_other(struct dev *dev)
 	int x = 1;
 
 	dev->seq = x;
+	dev->ready = false;
 }
`;

/**
 * The cases' functions stand for an API other code calls: exported, so the
 * rule does not take their callers for ones the patch hides (a function
 * other files call, that nothing in the patch calls, has callers out of view).
 */
function asApi<C extends { code?: string }>(c: C): C {
  if (!c.code) return c;
  const names = [...c.code.matchAll(/^(?:void|int|bool|unsigned long) (\w+)\(/gm)].map((m) => m[1]);
  return { ...c, code: c.code + names.map((n) => `EXPORT_SYMBOL(${n});\n`).join("") };
}

const hiddenCallers = `${LOCKED}
void dev_reset(struct dev *dev)
{
	dev->seq++;
}
`;

ruleTester("unlocked-shared-update", {
  valid: [{ name: "a function other files call, that nothing in the patch calls: its callers are out of view", code: hiddenCallers }],
  invalid: [{ name: "the same function exported: anyone may call it, with no lock", code: asApi({ code: hiddenCallers }).code!, errors: [{ line: lineOf(hiddenCallers, "dev->seq++;", 2), messageId: "unlocked" }] }],
});

ruleTester("unlocked-shared-update", {
  valid: ([
    { name: "the same lock through an alias and through the path", code: aliasValid },
    { name: "set up before the function publishes it", code: publishLater("before") },
    { name: "a freshly allocated object", code: freshValid },
    { name: "a WRITE_ONCE lockless flag", code: onceValid },
    { name: "a plain store of a member", code: plainStore },
    { name: "a static function whose callers are out of view", code: unseenCallers },
    { name: "lockdep_assert_held() in the writer", code: assertValid },
    { name: "__must_hold() on the writer", code: mustHoldValid },
    { name: "the caller in the patch holds the lock", code: callerValid },
    { name: "the writer drops the lock it was entered with", code: dropsValid },
    { name: "a field written in one place only", code: onePlace },
    { name: "tested before the lock is dropped", code: testedBeforeDrop },
    { name: "a global table written under its mutex everywhere", code: table(true) },
    { name: "tested after a wait that followed the drop", code: testedAfterWait },
    { name: "written by a function named for set-up", code: setupName },
    { name: "a hunk in the middle of a function", diff: hiddenHead },
  ]).map(asApi),
  invalid: ([
    { name: "no lock at all where the other write holds it", code: aliasInvalid, errors: [{ line: lineOf(aliasInvalid, "it->dev->seq += 2;"), messageId: "unlocked" }] },
    { name: "written after the function published it", code: publishLater("after"), errors: [{ line: lineOf(publishLater("after"), "it->start |= s;", 2), messageId: "unlocked" }] },
    { name: "a plain write of the flag", code: onceInvalid, errors: [{ line: lineOf(onceInvalid, "dev->ready &= false;"), messageId: "unlocked" }] },
    { name: "no assertion, no lock", code: assertInvalid, errors: [{ line: lineOf(assertInvalid, "dev->seq++;", 2), messageId: "unlocked" }] },
    { name: "a static function whose caller holds nothing", code: seenCaller, errors: [{ line: lineOf(seenCaller, "dev->seq++;", 2), messageId: "unlocked" }] },
    { name: "the caller takes the lock after the call", code: callerInvalid, errors: [{ line: lineOf(callerInvalid, "dev->seq++;", 2), messageId: "unlocked" }] },
    { name: "a second write under the lock makes it the field's guard", code: twoPlaces, errors: [{ line: lineOf(twoPlaces, "dev->seq += 3;"), messageId: "unlocked" }] },
    { name: "tested after the lock is dropped", code: testedAfterDrop, errors: [{ line: lineOf(testedAfterDrop, "if (dev->ready)"), messageId: "testedUnlocked" }] },
    { name: "written by a function not named for set-up", code: setupNameTwin, errors: [{ line: lineOf(setupNameTwin, "dev->seq |= 1;"), messageId: "unlocked" }] },
    { name: "a global table written without its mutex", code: table(false), errors: [{ line: lineOf(table(false), "reqs[i].done = 1;"), messageId: "unlocked" }] },
  ]).map(asApi),
});
