import { describe, expect, it } from "vitest";
import { factsOf, heldAtMarkers } from "./helpers.js";

/** For each list change or walk: "name -> list key (via)". */
function listsOf(...sources: string[]): string[] {
  const { facts } = factsOf(...sources);
  return facts.lists().uses.map((u) => `${u.name} -> ${u.list ? (u.list.private ? "private" : u.list.key) : "?"}${u.via && u.via !== "head" ? ` (${u.via})` : ""}`);
}

describe("which list a change is about", () => {
  it("names a list in a struct by the struct and member, whatever the variable", () => {
    expect(
      listsOf(`void a(struct pool *p, struct item *it)
{
	list_add(&it->node, &p->items);
}

void b(struct pool *pool, struct item *i)
{
	struct pool *alias = pool;

	list_del(&i->node);
	list_add_tail(&i->node, &alias->items);
}`),
    ).toEqual(["list_add -> pool::items", "list_del -> pool::items (entry-type)", "list_add_tail -> pool::items"]);
  });

  it("a spliced-out private list and a stack head are private, and so are entries walked from them", () => {
    expect(
      listsOf(`static LIST_HEAD(shared);

void drain(void)
{
	struct item *i, *n;
	LIST_HEAD(local);

	spin_lock(&lock);
	list_splice_init(&shared, &local);
	spin_unlock(&lock);
	list_for_each_entry_safe(i, n, &local, node)
		list_del(&i->node);
}`),
    ).toEqual(["list_splice_init -> private", "list_for_each_entry_safe -> private", "list_del -> private (entry-local)"]);
  });

  it("an entry whose member links it into several lists in turn is tied to the one the function took it from", () => {
    expect(
      listsOf(`void queue(struct dev *d, struct req *r)
{
	list_add_tail(&r->link, &d->pending);
}

void complete(struct dev *d)
{
	struct req *r = list_first_entry(&d->pending, struct req, link);

	list_move_tail(&r->link, &d->done);
}

void reap(struct req *r)
{
	list_del(&r->link);
}`),
    ).toEqual(["list_add_tail -> dev::pending", "list_move_tail -> dev::done", "list_del -> ?"]);
  });

  it("two stack lists of the same name in different functions are two private lists", () => {
    const { facts } = factsOf(`void a(void)
{
	LIST_HEAD(head);

	list_add(&x->node, &head);
}

void b(void)
{
	LIST_HEAD(head);

	list_add(&y->node, &head);
}`);
    const [ua, ub] = facts.lists().uses;
    expect([ua.list?.private, ub.list?.private, ua.list?.key === ub.list?.key]).toEqual([true, true, false]);
  });
});

describe("locking the code states", () => {
  it("__must_hold, a comment and lockdep_assert_held() each count as held", () => {
    expect(
      heldAtMarkers(`static void a(struct dev *d)
	__must_hold(&d->lock)
{
	marker();
}

/* Must be called with dev->lock held. */
static void b(struct dev *dev)
{
	marker();
}

static void c(struct dev *d)
{
	lockdep_assert_held(&d->lock);
	marker();
}`),
    ).toEqual([["d->lock:must:annotation"], ["dev->lock:must:comment"], ["d->lock:must:assert"]]);
  });

  it("a caller in the patch that holds the lock around the call hands it to the callee, through the arguments", () => {
    expect(
      heldAtMarkers(`static void helper(struct item *it, struct dev *d)
{
	marker();
}

void outer(struct dev *dev, struct item *x)
{
	spin_lock(&dev->lock);
	helper(x, dev);
	spin_unlock(&dev->lock);
}`),
    ).toEqual([["d->lock:may:caller"]]);
  });

  it("__acquires() and __releases() on a patch function take and drop the lock at its call sites", () => {
    expect(
      heldAtMarkers(`static void foo_lock_all(struct foo *f)
	__acquires(&f->lock)
{
	spin_lock(&f->lock);
}

static void foo_unlock_all(struct foo *f)
	__releases(&f->lock)
{
	spin_unlock(&f->lock);
}

void user(struct foo *foo)
{
	foo_lock_all(foo);
	marker();
	foo_unlock_all(foo);
	marker();
}`),
    ).toEqual([["foo->lock:must:annotation"], []]);
  });
});

describe("names a function does not declare", () => {
  it("are file-scope lists only when the function's parameters are shown", async () => {
    const { patchesOf } = await import("../helpers/pipeline.js");
    const { buildCFiles } = await import("../../src/c/view.js");
    const { PatchFacts } = await import("../../src/facts/index.js");
    // xfs style: the section shows `name(` alone, the parameters are on the lines git cut.
    const diff = `From: A <a@example.org>
Subject: [PATCH] t

---
diff --git a/fs/xfs/libxfs/xfs_defer.c b/fs/xfs/libxfs/xfs_defer.c
--- a/fs/xfs/libxfs/xfs_defer.c
+++ b/fs/xfs/libxfs/xfs_defer.c
@@ -414,4 +414,5 @@ xfs_defer_cancel_list(
 {
 	struct xfs_defer_pending	*dfp;
+	list_add(&dfp->dfp_list, dop_list);
 }
@@ -500,4 +501,5 @@ static void other(struct x *x)
 {
 	struct y *y;
+	list_add(&y->node, global_list);
 }
`;
    const [p] = await patchesOf("t.patch", Buffer.from(diff));
    const facts = new PatchFacts(buildCFiles(p), "post");
    expect(facts.lists().uses.map((u) => `${u.fn?.name}: ${u.list?.key ?? "?"}`)).toEqual(["xfs_defer_cancel_list: ?", "other: global_list"]);
  });
});

describe("the lock a list's comment names", () => {
  it("reads a member's trailing comment, a comment above a run of members, a lock's 'protects', and a global's", () => {
    const { facts } = factsOf(`struct dev {
	spinlock_t lock;
	struct list_head items;	/* protected by lock */
	/* Protected by dev->mutex: */
	struct list_head a;
	struct list_head b;

	spinlock_t cmd_lock; /* protects cmd_list */
	struct list_head cmd_list;
	struct list_head free;
};

static LIST_HEAD(clients); /* guarded by clients_mutex */
static DEFINE_MUTEX(clients_mutex);
`);
    const stated = [...facts.world.stated.entries()].map(([k, g]) => `${k} <- ${g.lock.root}${g.lock.steps.map((s) => s.op + s.member).join("")}`).sort();
    expect(stated).toEqual(["clients <- clients_mutex", "dev::a <- dev->mutex", "dev::b <- dev->mutex", "dev::cmd_list <- cmd_lock", "dev::items <- lock"]);
  });
});
