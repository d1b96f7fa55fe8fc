import { describe, expect, it } from "vitest";
import { fieldsOf } from "../../src/facts/fields.js";
import { factsOf } from "./helpers.js";

/** Every field access: "fn: op key (lockless)". */
function accessesOf(...sources: string[]): string[] {
  const { facts } = factsOf(...sources);
  return fieldsOf(facts).accesses.map((a) => `${a.fn.name}: ${a.op} ${a.key ?? "?"}${a.lockless ? " (lockless)" : ""}`);
}

/** For each plain write on a line containing `mark`: the guard's lock and evidence, or "none". */
function guardsAt(mark: string, ...sources: string[]): string[] {
  const { facts } = factsOf(...sources);
  const m = fieldsOf(facts);
  return m.accesses
    .filter((a) => a.op === "write" && a.node.tree.rootNode.text.split("\n")[a.node.startPosition.row].includes(mark))
    .map((a) => {
      const g = m.guard(a, null);
      return g ? `${g.display} (${g.evidence})` : "none";
    });
}

describe("field writes and their keys", () => {
  it("knows a field by struct and member, whatever the variable, through aliases and container_of", () => {
    expect(
      accessesOf(`struct dev { spinlock_t lock; int count; unsigned long flags; };
struct item { struct dev *dev; struct work_struct work; };

void a(struct dev *d)
{
	d->count = 1;
}

static void w(struct work_struct *work)
{
	struct item *it = container_of(work, struct item, work);
	struct dev *x = it->dev;

	x->count++;
	__set_bit(1, &x->flags);
}`),
    ).toEqual(["a: write dev::count", "w: write dev::count", "w: write dev::flags"]);
  });

  it("marked and atomic writes are lockless; tests are reads in a condition", () => {
    expect(
      accessesOf(`struct dev { int ready; unsigned long flags; atomic_t n; };

void a(struct dev *d)
{
	WRITE_ONCE(d->ready, 1);
	set_bit(2, &d->flags);
	atomic_inc(&d->n);
	if (d->ready)
		d->flags |= 4;
}`),
    ).toEqual(["a: write dev::ready (lockless)", "a: write dev::flags (lockless)", "a: write dev::n (lockless)", "a: test dev::ready", "a: write dev::flags"]);
  });

  it("a global array's elements are known by the element type, a helper's write by the member it writes", () => {
    expect(
      accessesOf(`struct req { int done; };
static struct req reqs[8];

void a(int i, struct address_space *m)
{
	reqs[i].done = 1;
	mapping_set_large_folios(m);
}`),
    ).toEqual(["a: write req::done", "a: write address_space::flags"]);
  });
});

describe("which lock guards a field", () => {
  it("the lock held around another write, relative to the object the field lives in", () => {
    expect(
      guardsAt(
        "MARK",
        `struct dev { spinlock_t lock; int count; };

void a(struct dev *d)
{
	spin_lock(&d->lock);
	d->count = 0;
	spin_unlock(&d->lock);
}

void b(struct dev *other)
{
	other->count = 1; /* MARK */
}`,
      ),
    ).toEqual(["other->lock (other-write)"]);
  });

  it("a lock of an unrelated object, or a write to a fresh object, is no evidence", () => {
    expect(
      guardsAt(
        "MARK",
        `struct dev { spinlock_t lock; int count; };
struct pool { spinlock_t lock; };

void a(struct pool *p, struct dev *d)
{
	spin_lock(&p->lock);
	d->count = 0;
	spin_unlock(&p->lock);
}

void c(struct pool *p)
{
	struct dev *n = kzalloc(sizeof(*n), GFP_KERNEL);

	spin_lock(&n->lock);
	n->count = 2;
	spin_unlock(&n->lock);
}

void b(struct dev *other)
{
	other->count = 1; /* MARK */
}`,
      ),
    ).toEqual(["none"]);
  });

  it("a comment at the member names the lock", () => {
    expect(
      guardsAt(
        "MARK",
        `struct dev {
	struct mutex mtx;
	int count;	/* protected by mtx */
};

void b(struct dev *d)
{
	d->count = 1; /* MARK */
}`,
      ),
    ).toEqual(["d->mtx (stated)"]);
  });

  it("a member lock wrapper is read as the member it takes", () => {
    expect(
      guardsAt(
        "MARK",
        `void a(struct inode *inode)
{
	filemap_invalidate_lock(inode->i_mapping);
	mapping_clear_large_folios(inode->i_mapping);
	filemap_invalidate_unlock(inode->i_mapping);
}

void b(struct inode *inode)
{
	mapping_set_large_folios(inode->i_mapping); /* MARK */
}`,
      ),
    ).toEqual(["inode->i_mapping->invalidate_lock (other-write)"]);
  });
});

describe("set-up before publish", () => {
  it("a parameter written before the function adds it to a list is being set up; after, it is shared", () => {
    const { facts } = factsOf(`struct item { struct list_head node; int a; int b; };

void add(struct dev *d, struct item *it)
{
	it->a = 1;
	list_add(&it->node, &d->items);
	it->b = 2;
}`);
    const m = fieldsOf(facts);
    expect(m.accesses.filter((a) => a.op === "write").map((a) => `${a.key}: ${m.beforePublish(a)}`)).toEqual(["item::a: true", "item::b: false"]);
  });

  it("file-scope data written before the function registers the interface others reach it by is being set up", () => {
    const { facts } = factsOf(`struct req { int used; };
static struct req reqs[8];

int foo_init(void)
{
	int i;

	for (i = 0; i < 8; i++)
		reqs[i].used = 0;
	return genl_register_family(&foo_family);
}

void foo_put(int i)
{
	reqs[i].used = 0;
}`);
    const m = fieldsOf(facts);
    expect(m.accesses.filter((a) => a.op === "write").map((a) => `${a.fn.name}: ${m.beforePublish(a)}`)).toEqual(["foo_init: true", "foo_put: false"]);
  });

  it("an object whose lock the function initialises after the write is being set up", () => {
    const { facts } = factsOf(`struct scan { struct mutex lock; unsigned long cursor; };

void scan_start(struct scan *s)
{
	s->cursor = 0;
	mutex_init(&s->lock);
	s->cursor = 1;
}`);
    const m = fieldsOf(facts);
    expect(m.accesses.filter((a) => a.op === "write").map((a) => m.beforePublish(a))).toEqual([true, false]);
  });
});
