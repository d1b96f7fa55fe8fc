import { callersHidden, defineRule, droppedAround, fieldsOf, fileScope, guardsWriters, hiddenBefore, holds, releasedUntaken, type FieldAccess, type FieldGuard } from "../src/engine/index.js";

/** A write on the function body's own level runs on every call: the one to show when a function writes the field several times. */
function topLevel(a: FieldAccess): boolean {
  const body = a.fn.node.childForFieldName("body");
  return a.node.parent?.type === "expression_statement" && a.node.parent.parent?.id === body?.id;
}

export default defineRule({
  id: "unlocked-shared-update",
  type: "problem",
  severity: "warning",
  confidence: "medium",
  summary: "a shared field updated without the lock its other writes hold",
  usesTree: true,
  messages: {
    unlocked: "'{{field}}' is written here without '{{lock}}': {{why}}",
    testedUnlocked: "'{{field}}' is tested after '{{lock}}' is dropped, but {{why}}: it may change before the test is acted on",
  },
  docs: `### What it does
Finds an update of a field of a shared object that can lose a parallel
update: a read-modify-write (\`x->f |= m\`, \`x->f++\`, \`x->f += n\`,
\`__set_bit(n, &x->flags)\`, \`mapping_set_large_folios()\`) made where the
lock that guards the field is not held; and any store to file-scope data
written elsewhere under a file-scope lock, or that the patch moved out of
its lock. A plain store to a member (\`x->f = v\`) is left alone otherwise:
it races only for the last word, and is most often made by the one thread
that owns the field. Which lock guards the field comes from the semantic
core, strongest evidence first: a comment at the member that names it, the
pre-image making the same write under it, or another write of the same field
(\`struct::member\`, whatever the variable is called) in the patch, or the
file with the tree, that holds it on every path, taken relative to the
object the field lives in. Also a field tested right after the function
drops that lock (\`spin_unlock(&d->lock); if (d->flag) ...; spin_lock(&d->lock);\`).

What the function is entered with counts as held (\`lockdep_assert_held()\`,
\`__must_hold()\`, a comment saying the caller holds it, a caller in the
patch holding it around the call). Writes to an object nobody else can see
yet do not count: one just allocated or on the stack, or one the function
publishes only afterwards (adds to a list or tree, stores where others
look, registers), or whose lock it initialises afterwards; file-scope data
before the function registers its interface; anything a function named for
set-up (\`*_init*\`, \`*_setup*\`, \`*_probe*\`) writes; nor writes to one
being torn down. Marked and atomic
writes (\`WRITE_ONCE()\`, \`smp_store_release()\`, \`set_bit()\`,
\`atomic_*()\`) are lockless on purpose and never reported.

### Why is this bad?
A lock only serialises the writers that take it. A write made without it
races with the writes made under it: a read-modify-write loses an update,
two fields that must change together are seen half-changed, and a flag
cleared on one CPU is set again on another.

### Example
\`\`\`c
static void req_done(unsigned int i, u8 err)
{
	reqs[i].error = err;		/* reqs[].error is written under reqs_mutex elsewhere */
	reqs[i].done = 1;
}
\`\`\`
Use instead:
\`\`\`c
	mutex_lock(&reqs_mutex);
	reqs[i].error = err;
	reqs[i].done = 1;
	mutex_unlock(&reqs_mutex);
\`\`\`

### Reviewer said
> I couldn't quite understand how something like this can work, what is
> preventing parallel updates?
> — Jason Gunthorpe, "Re: [PATCH v5 1/2] mm/mmu_notifier: make interval notifier updates safe", 17 Dec 2019

### Known problems
It knows a field's lock only from what the patch (or the file, with
\`--tree\`) shows: a field whose other writes are not in view, or are not
under a lock, is not checked, so Jason's question itself (every write of
\`deferred_start\`/\`deferred_last\` is under \`mmn_mm->lock\`; the race is in
the design) is out of its reach. A lock held at another write for some
other reason is taken as the field's guard, and a field one thread owns
(a scan cursor, a channel claimed by \`open()\`) while a lock only publishes
it to readers looks unlocked where its owner writes it. Silent where it cannot see
enough: a function whose head the patch does not show, a lock taken through
a wrapper it cannot name, \`__init\`/\`__exit\` code, a function whose comment
says it needs no lock, a write made under some other lock, a \`static\`
function the patch neither calls nor names (a reply quoting one function). A caller whose
head the patch does not show lowers the finding to low confidence. Reported
once per field and patch, at a write its function makes on every call when
there is one.
`,

  checkCode(ctx) {
    const fields = fieldsOf(ctx.facts);
    /** Per field and kind (write, test): the one access to report, as a reviewer says it once. */
    const chosen = new Map<string, { a: FieldAccess; guard: FieldGuard; low: boolean }>();
    for (const a of fields.accesses) {
      if (a.lockless || !a.key || !a.fn.headVisible) continue;
      if (!a.view.isAdded(a.node)) continue;
      if (a.fn.annotations.includes("__init") || a.fn.annotations.includes("__exit")) continue; // nobody else runs then
      const f = ctx.facts.function(a.fn, a.view);
      if (f.noLockNeeded || hiddenBefore(f, a.node)) continue; // hidden lines above may take the lock
      const held = fields.heldAt(a);
      if (!held || held.unknown) continue; // unreachable, or a lock we cannot name is held
      if (f.stages.stageOfOwner(a.path, a.node)) continue; // fresh or dying: nobody else sees it
      if (a.op === "write" && fields.beforePublish(a)) continue; // set up before the function publishes it
      const guard = fields.guard(a, ctx.changes);
      if (!guard) continue;
      // A plain store races only for the last word, and a field one thread owns is often stored so while a
      // lock publishes it to readers: only a lost update (a read-modify-write), the patch moving the store
      // out of its lock, or file-scope data written without its file-scope lock is the point.
      if (a.op === "write" && !a.rmw && guard.evidence !== "pre-image" && !(fileScope(a) && guard.want.path?.rootKind === "global" && !guard.want.path.steps.length)) continue;
      // A member's lock is known to serialise its updates only when another read-modify-write is made under it
      // (a cursor stored beside the data its lock publishes is no such evidence).
      if (a.op === "write" && guard.evidence === "other-write" && !fileScope(a) && !guard.updatesUnder) continue;
      // A write (the test's point stands on the function's own unlock) in a function whose callers are all out of view.
      if (a.op === "write" && callersHidden(f, ctx.facts)) continue;
      const wants = [guard.want, ...guard.also];
      if (wants.some((w) => holds(held.state, w) || releasedUntaken(f, a.node, w))) continue;
      // A test is only a point when the function itself drops that very lock around it.
      if (a.op === "test" && !droppedAround(f, a.node).some((l) => wants.some((w) => l.key === w.key || (!!l.typeKey && l.typeKey === w.typeKey)))) continue;
      // Written under another lock: the patch serialises it some way, and which lock is right is beyond these facts.
      if (a.op === "write" && [...held.state.values()].some((h) => h.must && h.source !== "caller" && guardsWriters(h.kind))) continue;
      const k = `${a.op}:${a.key}`;
      const prev = chosen.get(k);
      if (prev && (topLevel(prev.a) || !topLevel(a))) continue;
      chosen.set(k, { a, guard, low: f.callerUnknown });
    }
    for (const { a, guard, low } of chosen.values()) {
      ctx.report({
        view: a.view,
        node: a.node,
        messageId: a.op === "test" ? "testedUnlocked" : "unlocked",
        data: { field: a.display, lock: guard.display, why: guard.why },
        related: guard.node && guard.view ? [{ node: guard.node, view: guard.view, message: guard.evidence === "stated" ? "the lock is stated here" : "written under the lock here" }] : [],
        confidence: low ? "low" : undefined,
      });
    }
  },
});
