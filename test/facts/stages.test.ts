import { describe, expect, it } from "vitest";
import { callsOf, factsOf, fnFacts } from "./helpers.js";

/** The stage of the object behind the first argument of each `marker(obj)` call ("-" when unknown). */
function stagesAt(...sources: string[]): string[] {
  const { cfiles, facts } = factsOf(...sources);
  return callsOf(cfiles, "marker").map((c) => {
    const f = fnFacts(facts, cfiles, c);
    const p = f.ids.path(c.childForFieldName("arguments")!.namedChildren[0])!;
    return f.stages.stageOf(p, c) ?? "-";
  });
}

describe("object stages", () => {
  it("a new object is fresh until it is added to a shared list, stored in a global or registered", () => {
    expect(
      stagesAt(`static LIST_HEAD(all);
static struct foo *current_foo;

void f(struct bar *bar)
{
	struct foo *a = kzalloc(sizeof(*a), GFP_KERNEL);
	struct foo *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct foo *c = kmalloc(sizeof(*c), GFP_KERNEL);
	struct foo *d = kzalloc(sizeof(*d), GFP_KERNEL);

	marker(a);
	list_add(&a->node, &all);
	marker(a);
	current_foo = b;
	marker(b);
	misc_register(&c->misc);
	marker(c);
	bar->foo = d;
	marker(d);
}`),
    ).toEqual(["fresh", "published", "published", "published", "published"]);
  });

  it("adding to a list on the stack, or into another fresh object, publishes nothing", () => {
    expect(
      stagesAt(`void f(void)
{
	LIST_HEAD(tmp);
	struct foo *a = kzalloc(sizeof(*a), GFP_KERNEL);
	struct foo *p = kzalloc(sizeof(*p), GFP_KERNEL);
	struct foo *c = kzalloc(sizeof(*c), GFP_KERNEL);

	list_add(&a->node, &tmp);
	marker(a);
	INIT_LIST_HEAD(&p->children);
	list_add(&c->node, &p->children);
	marker(c);
}`),
    ).toEqual(["fresh", "fresh"]);
  });

  it("an object whose lock or list head is initialised here is being set up; a list re-initialised under a lock is not", () => {
    expect(
      stagesAt(`void setup(struct foo *f, struct bar *b)
{
	spin_lock_init(&f->lock);
	marker(f);
	spin_lock(&b->lock);
	INIT_LIST_HEAD(&b->pending);
	spin_unlock(&b->lock);
	marker(b);
}`),
    ).toEqual(["fresh", "-"]);
  });

  it("paths that disagree know nothing", () => {
    expect(
      stagesAt(`static LIST_HEAD(all);

void f(int c)
{
	struct foo *a = kzalloc(sizeof(*a), GFP_KERNEL);

	if (c)
		list_add(&a->node, &all);
	marker(a);
}`),
    ).toEqual(["-"]);
  });

  it("after the last put, and in a release callback, the object is dying", () => {
    expect(
      stagesAt(`static void foo_release(struct kref *kref)
{
	struct foo *f = container_of(kref, struct foo, ref);

	marker(f);
}

void foo_put(struct foo *f)
{
	if (!refcount_dec_and_test(&f->refs))
		return;
	marker(f);
}

void foo_drop(struct foo *f)
{
	if (--f->users)
		return;
	marker(f);
}`),
    ).toEqual(["dying", "dying", "dying"]);
  });

  it("a helper every caller hands a fresh object starts with it fresh; a devm teardown action starts with it dying", () => {
    expect(
      stagesAt(`static void foo_add_slot(struct foo *f, int n)
{
	marker(f);
}

static void foo_cleanup(void *data)
{
	struct foo *f = data;

	marker(f);
}

static void foo_other(struct foo *f)
{
	marker(f);
}

int foo_probe(struct device *dev)
{
	struct foo *f = devm_kzalloc(dev, sizeof(*f), GFP_KERNEL);

	foo_add_slot(f, 1);
	foo_add_slot(f, 2);
	foo_other(f);
	devm_add_action_or_reset(dev, foo_cleanup, f);
	return 0;
}

void foo_later(struct foo *f)
{
	foo_other(f);
}`),
    ).toEqual(["fresh", "dying", "-"]);
  });
});
