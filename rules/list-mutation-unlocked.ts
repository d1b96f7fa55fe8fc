import { defineRule, holds, listGuard, pathDisplay, type ListUse } from "../src/engine/index.js";

/** How to name a list known only by the entry a call changes (`list_del(&e->node)` → `e->node`). */
function listArg(u: ListUse): string {
  const a = u.call.childForFieldName("arguments")?.namedChildren[0];
  return a ? a.text.replace(/^&/, "") : u.name;
}

export default defineRule({
  id: "list-mutation-unlocked",
  type: "problem",
  severity: "error",
  confidence: "medium",
  summary: "a list changed where the lock that guards it is not held",
  usesTree: true,
  messages: {
    unlocked: "'{{list}}' is changed here without '{{lock}}', which guards it: {{why}}",
    unserialised: "'{{list}}' is changed here with no lock held while '{{walker}}()' walks it with none either: nothing serialises the change against the walk",
  },
  docs: `### What it does
Finds a list change (\`list_add*\`, \`list_del*\`, \`list_move*\`,
\`list_splice*\`, \`hlist_*\`, and their \`_rcu\` forms) made where the lock
that guards the list is not held. Which lock guards a list comes from the
semantic core, strongest evidence first: a comment at the list head or member
that names it (\`/* protected by lock */\`), the pre-image making the same
change under it (the patch moved it out), the lock held around the list's
other changes and walks in the patch (relative to the object the list lives
in: \`other->lock\` for \`other->items\` is \`dev->lock\` for \`dev->items\`), or a
lock named for the list (\`buffers_lock\` beside \`buffers\`, at low
confidence). Also a file-scope list changed at run time with no lock at all
while another function walks it with none either. Locks are compared by
identity, not text (\`conn->lock\` after \`conn = work->conn;\` is
\`work->conn->lock\`), and what a function is entered with counts as held:
\`lockdep_assert_held()\`, \`__must_hold()\`, a comment saying it is called with
the lock held, a caller in the patch that holds it around the call.

### Why is this bad?
A list change is several stores; a walker on another CPU that sees half of
them follows a pointer into freed or reused memory. The lock is only a guard
if every writer takes it (and every walker takes it or uses RCU correctly).

### Example
\`\`\`c
void memfile_register_backing_store(struct memfile_backing_store *bs)
{
	list_add_tail(&bs->list, &backing_store_list);	/* walked unlocked elsewhere */
}
\`\`\`
Use instead: register at \`__init\` time only (see
\`unregister-without-init\`), or take one lock in every writer and walker:
\`\`\`c
	spin_lock(&backing_store_lock);
	list_add_tail(&bs->list, &backing_store_list);
	spin_unlock(&backing_store_lock);
\`\`\`

### Reviewer said
> Allowing unregistration of a backing store is broken. Using the _safe() variant
> is not sufficient to guard against concurrent modification.
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022,
> Message-ID <YkNTvFqWI5F5w+DW@google.com>

### Known problems
Silent where nobody else can reach the list: a list on the stack or spliced
onto one, a list in an object just allocated or being set up (or handed so by
every caller), or torn down after its last reference (a release callback, a
\`devm\` teardown action); code in \`__init\` and \`__exit\` functions; a
function whose comment says it needs no lock. Silent where it cannot see
enough: a function whose head the patch does not show, one that takes a lock
through a wrapper the lock table does not know, an entry-only change
(\`list_del(&e->node)\`) whose entries go on several lists. When a caller of
the function stands where the patch does not show its head, the finding is
given at low confidence. With the kernel tree (\`--tree\`, or running inside
it) whole files are seen and more is decided.
`,

  checkCode(ctx) {
    const facts = ctx.facts;
    /** Per list: the first two walks, in two functions, with no lock held at all (found once per list). */
    const unlockedWalks = new Map<string, ListUse[]>();
    const walkerOf = (list: NonNullable<ListUse["list"]>, notIn: number) => {
      let ws = unlockedWalks.get(list.key);
      if (!ws) {
        ws = [];
        for (const w of facts.lists().usesOf(list)) {
          if (w.op !== "walk" || !w.fn || !w.fn.headVisible || ws.some((o) => o.fn!.node.id === w.fn!.node.id)) continue;
          const wf = facts.function(w.fn, w.view);
          const held = wf.locks.heldAt(w.call);
          if (held && held.size === 0 && !wf.locks.sawCustom && ws.push(w) === 2) break;
        }
        unlockedWalks.set(list.key, ws);
      }
      // The walk must be in another function than the change.
      return ws.find((w) => w.fn!.node.id !== notIn) ?? null;
    };
    for (const u of facts.lists().uses) {
      const fn = u.fn;
      const list = u.list;
      if (u.op !== "mutation" || !fn || list?.private) continue;
      if (fn.annotations.includes("__init") || fn.annotations.includes("__exit")) continue; // nothing else uses the list then
      // A hidden head may hide the lock; but a change the patch moved out of a lock the hunk shows is seen either way.
      if (!fn.headVisible) {
        const lost = ctx.changes.lostLocks(u.call, fn, u.view).find((l) => l.site !== null);
        if (lost && !u.list?.private) {
          ctx.report({
            view: u.view,
            node: u.call,
            messageId: "unlocked",
            data: { list: u.list?.display || listArg(u), lock: lost.path ? pathDisplay(lost.path) : lost.key, why: "the same change was made under it before this patch" },
            confidence: "medium",
          });
        }
        continue;
      }
      const f = facts.function(fn, u.view);
      const state = f.locks.heldAt(u.call);
      if (!state || f.locks.sawCustom) continue; // unreachable, or a lock we cannot name is taken
      if (f.noLockNeeded) continue; // the code says why it needs none
      // A caller whose head the patch does not show may hold the lock: say so with less confidence.
      const unsure = f.callerUnknown;
      // A list in an object nobody else can see yet (or any more) needs no lock.
      if (list?.path && f.stages.stageOfOwner(list.path, u.call)) continue;
      const guard = listGuard(u, facts, ctx.changes);
      if (guard) {
        if ([guard.want, ...guard.also].some((w) => holds(state, w))) continue;
        ctx.report({
          view: u.view,
          node: u.call,
          messageId: "unlocked",
          data: { list: list?.display || listArg(u), lock: guard.display, why: guard.why },
          related: guard.node && guard.view ? [{ node: guard.node, view: guard.view, message: guard.evidence === "stated" ? "the lock is stated here" : "the lock is held here" }] : [],
          confidence: guard.evidence === "naming" || unsure ? "low" : undefined,
        });
        continue;
      }
      if (!list?.global || state.size > 0) continue;
      const walk = walkerOf(list, fn.node.id);
      if (!walk) continue;
      ctx.report({
        view: u.view,
        node: u.call,
        messageId: "unserialised",
        data: { list: list.display, walker: walk.fn!.name ?? "another function" },
        related: [{ node: walk.call, view: walk.view, message: "walked here with no lock held" }],
        confidence: unsure ? "low" : undefined,
      });
    }
  },
});
