import { describe, expect, it } from "vitest";
import { RcuModel } from "../../src/facts/index.js";
import { factsOf } from "./helpers.js";

describe("rcu facts", () => {
  it("knows pointers declared __rcu, and pointers handed to an accessor in another file", () => {
    const { facts } = factsOf(
      `struct conf { int n; };
struct dev {
	struct conf __rcu *conf;
	struct conf *plain;
	struct conf *other;
};
static struct conf __rcu *global_conf;
`,
      `void set(struct dev *d, struct conf *c)
{
	rcu_assign_pointer(d->other, c);
}
`,
    );
    const rcu = new RcuModel(facts);
    expect([...rcu.pointers.entries()].map(([k, e]) => `${k}:${e.why}`).sort()).toEqual(["dev::conf:annotated", "dev::other:accessor", "global_conf:annotated"]);
  });

  it("knows the types readers pin with a try-get under rcu_read_lock(), and not those pinned under a lock", () => {
    const { facts } = factsOf(`struct plug { atomic_t ref; };
struct node { refcount_t refs; };
struct plug *get(struct disk *d)
{
	struct plug *p;
	struct node *n;

	rcu_read_lock();
	p = lookup(d);
	if (p && !atomic_inc_not_zero(&p->ref))
		p = NULL;
	rcu_read_unlock();
	mutex_lock(&d->lock);
	n = find(d);
	refcount_inc_not_zero(&n->refs);
	mutex_unlock(&d->lock);
	return p;
}
`);
    const rcu = new RcuModel(facts);
    expect([...rcu.tryGets.keys()]).toEqual(["plug"]);
    expect(rcu.tryGets.get("plug")?.counter).toBe("ref");
  });

  it("classifies a function's calls for RCU, a patch function that waits included", () => {
    const { cfiles, facts } = factsOf(`static void wait_readers(struct dev *d)
{
	synchronize_rcu();
}

void del(struct dev *d, struct ent *e)
{
	spin_lock(&d->lock);
	list_del_rcu(&e->node);
	rcu_assign_pointer(d->cur, NULL);
	spin_unlock(&d->lock);
	wait_readers(d);
	kmem_cache_free(ent_cache, e);
}
`);
    const rcu = new RcuModel(facts);
    const fn = cfiles[0].post.describeFunction(facts.world.functionsNamed("del")[0].node);
    const got = rcu.calls(facts.function(fn, cfiles[0].post)).filter((c) => c.kind !== "other").map((c) => `${c.kind}:${c.name}:${c.path ? c.path.root + c.path.steps.map((st) => "->" + st.member).join("") : "-"}`);
    expect(got).toEqual(["unpublish:list_del_rcu:e", "store:rcu_assign_pointer:d->cur", "grace:wait_readers:-", "free:kmem_cache_free:e"]);
  });
});
