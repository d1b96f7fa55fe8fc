import { bodySeen, callArgs, defineRule, entryLeaves, fileLocal, guardsWriters, holds, listGuard, lockDrops, pathDisplay, runInSequence, walkBody, type ListUse, type PatchFacts, type SyntaxNode } from "../src/engine/index.js";

/**
 * Another function that takes entries off the same list at run time (not in
 * `__init`/`__exit`), and may run while the walk does: a deletion there can
 * free the entry the walk saved as next.
 */
function deletedElsewhere(u: ListUse, facts: PatchFacts): ListUse | null {
  for (const o of facts.lists().usesOf(u.list!)) {
    if (o.op !== "mutation" || o.api.change !== "del" || !o.fn || o.fn.node.id === u.fn!.node.id) continue;
    if (o.fn.annotations.includes("__init") || o.fn.annotations.includes("__exit")) continue;
    if (o.fn.name && u.fn!.name && runInSequence(facts, o.fn.name, u.fn!.name)) continue;
    // Two static functions of one driver run in the flows it sets up (reset, event work): without a lock to go by, whether they overlap is not seen.
    if (fileLocal(o.fn) && fileLocal(u.fn!)) continue;
    return o;
  }
  return null;
}

/** The lock as the call names it (`priv_dev->lock`), not through the aliases it was resolved by. */
function lockText(call: SyntaxNode): string | null {
  const a = callArgs(call)[0];
  return a ? a.text.replace(/\s+/g, "").replace(/^&/, "") : null;
}

export default defineRule({
  id: "safe-iterator-misuse",
  type: "problem",
  severity: "check",
  confidence: "medium",
  summary: "a _safe list walk taken for protection against concurrent change, which it does not give",
  usesTree: true,
  messages: {
    unlocked: "'{{list}}' is walked with {{walker}}() without '{{lock}}' ({{why}}): the _safe form only survives this loop's own deletions, not another thread's",
    unserialised: "'{{list}}' is walked with {{walker}}() and no lock while {{changer}}() takes entries off it: the _safe form only survives this loop's own deletions, not another thread's",
    bodyLocks: "'{{list}}' is walked with {{walker}}() outside '{{lock}}', which the loop body takes to change it: the saved next entry is read without the lock and may already be gone",
    dropped: "'{{lock}}' is dropped and retaken inside this {{walker}}() walk of '{{list}}': the next entry saved before the unlock may be freed meanwhile",
  },
  docs: `### What it does
Finds a \`list_for_each_entry_safe()\` walk (and \`list_for_each_safe()\`,
\`hlist_for_each_entry_safe()\` and the \`_reverse\`/\`_continue\` kin) of a
list other threads can reach, that relies on the \`_safe\` form for
protection it does not give:

- the walk holds no lock, and its body takes nothing off the list, while the
  list has a lock that guards it (stated in a comment, held by the patch's
  other walks and changes, or named for it), or, with no lock anywhere,
  another function takes entries off it at run time and may run meanwhile
  (not one only ever called in turn with the walker);
- the walk holds no lock, and the body takes the list's lock itself around
  its own change of the list: the step to the saved next entry is outside it;
- the walk holds the lock, and the body drops and retakes it before going on
  to the next entry.

Locks are those the semantic core sees held at the walk, including what the
function is entered with (\`lockdep_assert_held()\`, \`__must_hold()\`, a
comment, every caller in the patch holding it).

### Why is this bad?
\`list_for_each_entry_safe()\` reads the next entry before the body runs, so
that the body may delete the current one. That is all it does: another CPU
deleting and freeing the saved next entry (or the current one) is not seen,
and the walk follows a pointer into freed memory. Only a lock, or RCU with
the \`_rcu\` walks and \`list_del_rcu()\`, protects against that. A body that
drops the lock leaves the saved next entry unprotected just the same.

### Example
\`\`\`c
static int memfile_get_notifier_info(struct inode *inode, ...)
{
	struct memfile_backing_store *bs, *iter;

	list_for_each_entry_safe(bs, iter, &backing_store_list, list) {
		... /* memfile_unregister_backing_store() does list_del() meanwhile */
	}
}
\`\`\`
Use instead: take the lock that guards the list around the walk, or make
the list unchangeable after boot (\`__init\` registration, \`__ro_after_init\`)
and walk it with \`list_for_each_entry()\`. When the body must drop the lock,
restart the walk after retaking it, or move the entries to a private list
first (\`list_splice_init()\` under the lock, then walk the private list).

### Reviewer said
> Allowing unregistration of a backing store is broken. Using the _safe() variant
> is not sufficient to guard against concurrent modification.
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022,
> Message-ID <YkNTvFqWI5F5w+DW@google.com>

### Known problems
Silent where nobody else can reach the list: a list on the stack or spliced
onto one, a list in an object just allocated or on its way out (a release
callback, after the last reference), code in \`__init\` and \`__exit\`
functions, a function whose comment says it needs no lock. Silent under an
RCU read-side section (whether a plain walk there should be the \`_rcu\` one
is another question). Silent where it
cannot see enough: a function whose head the patch does not show, one that
takes a lock through a wrapper the lock table does not know, a body that
hands the entry to a call (which may delete it: then the \`_safe\` form is
what the walk needs), a body the patch shows only in part. With no lock
anywhere to go by, it says nothing about a walk whose caller's head the patch
hides, or whose head is passed in (a list known only by its entries' type:
it may be a private one); otherwise a hidden caller lowers the confidence.
Walks the list table does not know (a subsystem's own \`for_each\` macro
over a list) are not looked at. Two functions that never run at once by the
driver's design (a reset handler and the work it queues) are not told apart
from two that do.
`,

  checkCode(ctx) {
    const facts = ctx.facts;
    for (const u of facts.lists().uses) {
      const fn = u.fn;
      const list = u.list;
      if (u.op !== "walk" || !u.api.safe || !fn?.headVisible || !list || list.private) continue;
      if (fn.annotations.includes("__init") || fn.annotations.includes("__exit")) continue;
      const body = walkBody(u.call);
      if (!body || !bodySeen(body, u.view)) continue; // the patch hides part of the body: what it does there is unknown
      const f = facts.function(fn, u.view);
      const state = f.locks.heldAt(u.call);
      if (!state || f.locks.sawCustom || f.noLockNeeded) continue;
      if (list.path && f.stages.stageOfOwner(list.path, u.call)) continue; // fresh or dying: nobody else sees it
      const confidence = f.callerUnknown ? ("low" as const) : undefined;
      const a = u.call.childForFieldName("arguments")?.namedChildren ?? [];
      const pos = a[0]?.type === "identifier" ? a[0].text : null;
      const member = u.api.member !== undefined ? a[u.api.member]?.text ?? null : null;
      const base = { list: list.display, walker: u.name };

      // The body drops a lock the walk holds, and goes on to the saved next entry.
      const drop = lockDrops(f.locks, body, state).find((d) => d.retake && !d.leaves && guardsWriters(d.lock.kind));
      if (drop) {
        ctx.report({
          view: u.view,
          node: drop.release,
          messageId: "dropped",
          data: { ...base, lock: lockText(drop.release) ?? (drop.lock.path ? pathDisplay(drop.lock.path) : drop.lock.key) },
          related: [{ node: u.call, view: u.view, message: "the walk saves the next entry here" }, { node: drop.retake!, view: u.view, message: "retaken here" }],
          confidence,
        });
        continue;
      }

      const guard = listGuard(u, facts, ctx.changes);
      const writersHeld = [...state.values()].filter((h) => guardsWriters(h.kind));
      if (guard ? [guard.want, ...guard.also].some((w) => holds(state, w)) : writersHeld.length > 0) continue;
      // Under an RCU read-side section the entries outlive the walk's step: the wrong walk macro, perhaps, but not this point.
      if ([...state.values()].some((h) => h.kind === "rcu" || h.kind === "srcu")) continue;

      // The body takes the lock itself around its change of the list.
      const inBody = facts.lists().usesOf(list).find((m) => m.op === "mutation" && body.startIndex <= m.call.startIndex && m.call.endIndex <= body.endIndex);
      if (inBody) {
        const there = f.locks.heldAt(inBody.call);
        const taken = there && [...there.values()].find((h) => h.must && guardsWriters(h.kind) && h.site && body.startIndex <= h.site.startIndex && h.site.endIndex <= body.endIndex && !state.has(h.key));
        if (taken) {
          ctx.report({
            view: u.view,
            node: u.call,
            messageId: "bodyLocks",
            data: { ...base, lock: lockText(taken.site!) ?? (taken.path ? pathDisplay(taken.path) : taken.key) },
            related: [{ node: taken.site!, view: u.view, message: "taken here, inside the walk" }],
            confidence,
          });
          continue;
        }
      }

      // No lock and nothing taken off in the body: the _safe form protects nothing here.
      if (!pos || entryLeaves(body, pos, member)) continue;
      if (guard) {
        ctx.report({
          view: u.view,
          node: u.call,
          messageId: "unlocked",
          data: { ...base, lock: guard.display, why: guard.why },
          related: guard.node && guard.view ? [{ node: guard.node, view: guard.view, message: guard.evidence === "stated" ? "the lock is stated here" : "the lock is held here" }] : [],
          confidence: guard.evidence === "naming" || u.via !== "head" ? "low" : confidence,
        });
        continue;
      }
      // The weakest evidence: no lock anywhere. A caller whose head the patch hides may hold one, or call the two in turn.
      // And a walk whose head the caller passes (the list known only by its entries' type) may be of a private list.
      if (state.size > 0 || f.callerUnknown || u.via !== "head") continue;
      const changer = deletedElsewhere(u, facts);
      if (!changer) continue;
      ctx.report({
        view: u.view,
        node: u.call,
        messageId: "unserialised",
        data: { ...base, changer: changer.fn!.name ?? "another function" },
        related: [{ node: changer.call, view: changer.view, message: "an entry is taken off here" }],
        confidence,
      });
    }
  },
});
