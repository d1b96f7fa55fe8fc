import { describe, expect, it } from "vitest";
import { PatchFacts } from "../../src/facts/index.js";
import { buildCFiles } from "../../src/c/view.js";
import type { SyntaxNode } from "../../src/c/parser.js";
import { newCFile, patchOf } from "../helpers/model.js";

/** Parse a C function and return what is held before the statement calling `marker()`, as "key:must|may". */
function heldAtMarkers(src: string): string[][] {
  const [cf] = buildCFiles(patchOf([newCFile("t.c", src)]));
  const fn = cf.post.root.descendantsOfType("function_definition")[0];
  const lc = new PatchFacts([cf], "post").function(cf.post.describeFunction(fn), cf.post).locks;
  const calls = cf.post.root
    .descendantsOfType("call_expression")
    .filter((c: SyntaxNode) => c.childForFieldName("function")?.text === "marker");
  return calls.map((c: SyntaxNode) => {
    const st = lc.heldAt(c);
    if (st === null) return ["unreachable"];
    return [...st.values()].map((l) => `${l.key}:${l.must ? "must" : "may"}`).sort();
  });
}

describe("lock context", () => {
  it("follows lock and unlock in straight-line code", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\tmarker();
\tspin_lock(&s->lock);
\tmarker();
\tspin_unlock(&s->lock);
\tmarker();
}`)).toEqual([[], ["s->lock:must"], []]);
  });

  it("joins branches: held on one path only is 'may'", () => {
    expect(heldAtMarkers(`void f(struct s *s, int c)
{
\tif (c)
\t\tmutex_lock(&s->m);
\tmarker();
}`)).toEqual([["s->m:may"]]);
  });

  it("drops paths that return early, and joins goto ladders at their label", () => {
    expect(heldAtMarkers(`int f(struct s *s)
{
\tint rc;

\tspin_lock_irqsave(&s->lock, flags);
\tif (!s->ok) {
\t\trc = -EINVAL;
\t\tgoto out;
\t}
\tif (s->bad) {
\t\tspin_unlock_irqrestore(&s->lock, flags);
\t\treturn -EIO;
\t}
\tmarker();
out:
\tmarker();
\tspin_unlock_irqrestore(&s->lock, flags);
\treturn rc;
}`)).toEqual([["s->lock:must"], ["s->lock:must"]]);
  });

  it("holds a guard() to the end of its block and a scoped_guard() inside its statement", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\t{
\t\tguard(mutex)(&s->m);
\t\tmarker();
\t}
\tmarker();
\tscoped_guard(spinlock_irqsave, &s->lock) {
\t\tmarker();
\t}
\tmarker();
}`)).toEqual([["s->m:must"], [], ["s->lock:must"], []]);
  });

  it("knows which branch of a trylock holds the lock", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\tif (!mutex_trylock(&s->m))
\t\treturn;
\tmarker();
\tif (spin_trylock(&s->l)) {
\t\tmarker();
\t\tspin_unlock(&s->l);
\t}
}`)).toEqual([["s->m:must"], ["s->l:must", "s->m:must"]]);
  });

  it("treats rcu_read_lock, lockdep assertions and unknown *_lock() wrappers as held", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\tlockdep_assert_held(&s->lock);
\trcu_read_lock();
\tdax_read_lock();
\tmarker();
\tdax_read_unlock();
\trcu_read_unlock();
\tmarker();
}`)).toEqual([["dax_read_lock():must", "rcu:must", "s->lock:must"], ["s->lock:must"]]);
  });

  it("walks list_for_each_entry bodies as loops and loses nothing after a break", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\tstruct e *e;

\tspin_lock(&s->lock);
\tlist_for_each_entry(e, &s->head, list) {
\t\tmarker();
\t\tif (e->x)
\t\t\tbreak;
\t}
\tmarker();
\tspin_unlock(&s->lock);
}`)).toEqual([["s->lock:must"], ["s->lock:must"]]);
  });

  it("in a loop that drops and retakes the lock, the lock is held at the top and not between drop and retake", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\tspin_lock(&s->lock);
\twhile (s->n) {
\t\tmarker();
\t\tspin_unlock(&s->lock);
\t\tmarker();
\t\tspin_lock(&s->lock);
\t}
\tmarker();
\tspin_unlock(&s->lock);
}`)).toEqual([["s->lock:must"], [], ["s->lock:must"]]);
  });

  it("a lock released inside a loop on some iterations only is 'may' after it", () => {
    expect(heldAtMarkers(`void f(struct s *s)
{
\tint i;

\tspin_lock(&s->lock);
\tfor (i = 0; i < s->n; i++) {
\t\tif (s->v[i])
\t\t\tcontinue;
\t\tspin_unlock(&s->lock);
\t\tbreak;
\t}
\tmarker();
}`)).toEqual([["s->lock:may"]]);
  });

  it("joins every case of a switch, and a do-while body runs at least once", () => {
    expect(heldAtMarkers(`void f(struct s *s, int c)
{
\tswitch (c) {
\tcase 1:
\t\tmutex_lock(&s->m);
\t\tbreak;
\tdefault:
\t\tmutex_lock(&s->m);
\t\tbreak;
\t}
\tmarker();
\tmutex_unlock(&s->m);
\tdo {
\t\tspin_lock(&s->lock);
\t} while (0);
\tmarker();
}`)).toEqual([["s->m:must"], ["s->lock:must"]]);
  });

  it("an error path that unlocks and jumps to a label that returns leaves the lock held on the main path", () => {
    expect(heldAtMarkers(`int f(struct s *s)
{
\tint ret;

\tspin_lock_irqsave(&s->lock, flags);
\tret = check(s);
\tif (ret)
\t\tgoto out_unlock;
\tmarker();
\tspin_unlock_irqrestore(&s->lock, flags);
\treturn 0;
out_unlock:
\tmarker();
\tspin_unlock_irqrestore(&s->lock, flags);
\treturn ret;
}`)).toEqual([["s->lock:must"], ["s->lock:must"]]);
  });

  it("scoped_cond_guard holds its lock inside its statement only", () => {
    expect(heldAtMarkers(`int f(struct s *s)
{
\tscoped_cond_guard(mutex_intr, return -EINTR, &s->m) {
\t\tmarker();
\t}
\tmarker();
\treturn 0;
}`)).toEqual([["s->m:must"], []]);
  });

  it("a function registered as an interrupt handler is entered with interrupts off, and passes that to its callees", () => {
    const src = `static void helper(struct s *s)
{
\tmarker();
}

static irqreturn_t s_irq(int irq, void *data)
{
\tmarker();
\thelper(data);
\treturn IRQ_HANDLED;
}

int s_probe(struct s *s)
{
\treturn request_irq(s->irq, s_irq, 0, "s", s);
}`;
    const [cf] = buildCFiles(patchOf([newCFile("t.c", src)]));
    const facts = new PatchFacts([cf], "post");
    const marks = cf.post.root.descendantsOfType("call_expression").filter((c: SyntaxNode) => c.childForFieldName("function")?.text === "marker");
    const held = marks.map((m: SyntaxNode) => [...(facts.heldAt(m, cf.post) ?? new Map()).values()].map((l) => `${l.key}:${l.kind}:${l.source}:${l.origin?.how}`));
    expect(held).toEqual([["context:irq:irq:caller:request_irq()"], ["context:irq:irq:context:request_irq()"]]);
  });

  it("a lock a caller holds through an object it does not pass is released by the callee's unlock of the same member", () => {
    const src = `static int insert(struct tree *t, struct key *k)
{
\tstruct subtree *st = get_subtree(t, k);

\tmarker();
\tspin_unlock(&st->tree_lock);
\tmarker();
\tspin_lock(&st->tree_lock);
\treturn 0;
}

int replay(struct tree *t, struct key *k)
{
\tstruct subtree *st = get_subtree(t, k);
\tint ret;

\tspin_lock(&st->tree_lock);
\tret = insert(t, k);
\tspin_unlock(&st->tree_lock);
\treturn ret;
}`;
    expect(heldAtMarkers(src)).toEqual([["caller:st->tree_lock:may"], []]);
  });
});
