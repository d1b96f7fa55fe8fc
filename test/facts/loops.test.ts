import { describe, expect, it } from "vitest";
import { entryLeaves, fileLocal, lockDrops, runInSequence, walkBody } from "../../src/facts/index.js";
import { callsOf, factsOf, fnFacts } from "./helpers.js";

/** The walks of the code, with their bodies. */
function walks(src: string, name = "list_for_each_entry_safe") {
  const { cfiles, facts } = factsOf(src);
  return callsOf(cfiles, name).map((call) => ({ call, body: walkBody(call)!, f: fnFacts(facts, cfiles, call) }));
}

describe("the body of a list walk", () => {
  it("is the statement the iterator macro governs", () => {
    const [w] = walks(`void f(struct pool *p)
{
	struct item *i, *n;

	list_for_each_entry_safe(i, n, &p->items, node) {
		i->x = 1;
	}
	done();
}`);
    expect(w.body.type).toBe("compound_statement");
    expect(w.body.text).toContain("i->x = 1;");
    expect(w.body.text).not.toContain("done");
  });

  it("lets go of the entry when it takes it off the list, frees it, or hands it to a put", () => {
    const leaves = (stmt: string) => {
      const [w] = walks(`void f(struct pool *p)
{
	struct item *i, *n;

	list_for_each_entry_safe(i, n, &p->items, node) {
		${stmt}
	}
}`);
      return entryLeaves(w.body, "i", "node")?.text ?? null;
    };
    expect(leaves("list_del(&i->node);")).toBe("list_del(&i->node)");
    expect(leaves("list_move(&i->node, &p->done);")).toBe("list_move(&i->node, &p->done)");
    expect(leaves("kfree(i);")).toBe("kfree(i)");
    expect(leaves("item_put(i->attach);")).toBe("item_put(i->attach)");
    expect(leaves("kref_put(&i->ref, item_release);")).toBe("kref_put(&i->ref, item_release)");
    expect(leaves("if (i->id == id) return i;")).toBeNull();
    expect(leaves('pr_info("%d", i->id);')).toBeNull();
    expect(leaves("spin_lock(&i->lock); i->x++; spin_unlock(&i->lock);")).toBeNull();
  });
});

describe("locks dropped inside a walk", () => {
  const drops = (body: string) => {
    const [w] = walks(`void f(struct pool *p)
{
	struct item *i, *n;
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	list_for_each_entry_safe(i, n, &p->items, node) {
${body}
	}
	spin_unlock_irqrestore(&p->lock, flags);
}`);
    const held = w.f.locks.heldAt(w.call)!;
    return lockDrops(w.f.locks, w.body, held).map((d) => `${d.lock.key} ${d.release.text.split("(")[0]} ${d.retake ? "retaken" : "not retaken"}${d.leaves ? " then leaves" : ""}`);
  };

  it("finds a lock released and retaken before the next entry", () => {
    expect(
      drops(`		list_del(&i->node);
		spin_unlock_irqrestore(&p->lock, flags);
		item_free(i);
		spin_lock_irqsave(&p->lock, flags);`),
    ).toEqual(["p->lock spin_unlock_irqrestore retaken"]);
  });

  it("knows a body that leaves the walk after retaking the lock, or never drops it", () => {
    expect(
      drops(`		if (i->dead) {
			spin_unlock_irqrestore(&p->lock, flags);
			item_free(i);
			spin_lock_irqsave(&p->lock, flags);
			break;
		}`),
    ).toEqual(["p->lock spin_unlock_irqrestore retaken then leaves"]);
    expect(
      drops(`		if (i->id == 3) {
			spin_unlock_irqrestore(&p->lock, flags);
			return;
		}`),
    ).toEqual(["p->lock spin_unlock_irqrestore not retaken then leaves"]);
    expect(drops(`		i->x++;`)).toEqual([]);
  });
});

describe("functions that run one after the other", () => {
  it("are called from the same one function, or one from the other", () => {
    const { facts } = factsOf(`static void mark(struct host *h) { }
static void sweep(struct host *h) { }
static void other(struct host *h) { }
static void inner(struct host *h) { }
static void outer(struct host *h) { inner(h); }
void reset_done(struct host *h)
{
	mark(h);
	sweep(h);
}
void irq(struct host *h) { other(h); }
void work(struct host *h) { sweep(h); }`);
    expect(runInSequence(facts, "mark", "other")).toBe(false);
    expect(runInSequence(facts, "inner", "outer")).toBe(true);
    expect(runInSequence(facts, "mark", "sweep")).toBe(false); // sweep is also called from work()
    expect(runInSequence(facts, "mark", "nowhere")).toBe(false);
  });

  it("run in sequence when one caller calls both", () => {
    const { facts } = factsOf(`static void mark(struct host *h) { }
static void sweep(struct host *h) { }
void reset_done(struct host *h)
{
	mark(h);
	sweep(h);
}`);
    expect(runInSequence(facts, "mark", "sweep")).toBe(true);
  });
});

describe("file-local functions", () => {
  it("are the static ones whose head the patch shows", () => {
    const { cfiles, facts } = factsOf(`static void a(void) { marker(); }
static inline void b(void) { marker(); }
void c(void) { marker(); }`);
    expect(callsOf(cfiles, "marker").map((m) => fileLocal(fnFacts(facts, cfiles, m).fn))).toEqual([true, true, false]);
  });
});
