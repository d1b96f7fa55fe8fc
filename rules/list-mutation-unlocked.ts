import { defineRule, type HeldLock, type ListModel, type ListUse, type SyntaxNode } from "../src/engine/index.js";

/** Read-side sections are no guard for a writer. */
const READ_SIDE = new Set(["rcu", "srcu"]);

interface Guard {
  /** The lock expression as this use would write it, or `*->member` when its base is unknown. */
  lock: string;
  /** Why we believe it guards the list. */
  why: string;
  node: SyntaxNode | null;
}

/** How to name a list known only by the entry a call changes (`list_del(&e->node)` → `e->node`). */
function listArg(u: ListUse): string {
  const a = u.call.childForFieldName("arguments")?.namedChildren[0];
  return a ? a.text.replace(/^&/, "") : u.name;
}

function heldAt(u: ListUse): ReadonlyMap<string, HeldLock> | null {
  return u.fn ? u.view.locks(u.fn.node).heldAt(u.call) : null;
}

/** `other->lock` as seen from a use whose list sits in `base` (`list->lock` for `list->head`). */
function relativize(lock: string, from: ListUse, to: ListUse): string | null {
  if (from.list?.global) return lock;
  const fb = from.list?.base;
  if (!fb) return null;
  for (const sep of ["->", "."]) {
    if (lock.startsWith(fb + sep)) {
      const rest = lock.slice(fb.length);
      return to.list?.base ? to.list.base + rest : `*${rest}`;
    }
  }
  return lock.includes("->") || lock.includes(".") ? null : lock; // a global lock
}

/**
 * Does some caller in the patch hold the lock around the call (directly, or
 * through up to `depth` more callers)? A static helper that changes a list is
 * often called with its lock held.
 */
function callersHold(model: ListModel, fnName: string, lock: string, depth: number): boolean {
  const tail = lock.replace(/^[^>.]*(->|\.)/, "$1");
  for (const cf of model.cfiles) {
    for (const call of cf.post.root.descendantsOfType("call_expression")) {
      if (call.childForFieldName("function")?.text !== fnName) continue;
      const caller = cf.post.enclosingFunction(call);
      if (!caller) continue;
      const state = cf.post.locks(caller.node).heldAt(call);
      if (state && [...state.keys()].some((k) => k === lock || (tail !== lock && k.endsWith(tail)))) return true;
      if (depth > 0 && caller.name && caller.name !== fnName && callersHold(model, caller.name, lock, depth - 1)) return true;
    }
  }
  return false;
}

function isHeld(lock: string, state: ReadonlyMap<string, HeldLock>): boolean {
  if (lock.startsWith("*")) {
    const tail = lock.slice(1);
    return [...state.keys()].some((k) => k.endsWith(tail));
  }
  return state.has(lock);
}

/** The pre-image made this very change (same function, same call) under a lock the patch no longer takes. */
function guardBefore(u: ListUse, pre: ListModel | null): Guard | null {
  if (!pre || !u.fn?.name) return null;
  const text = u.call.text.replace(/\s+/g, "");
  for (const old of pre.uses) {
    if (old.fn?.name !== u.fn.name || old.call.text.replace(/\s+/g, "") !== text) continue;
    const state = heldAt(old);
    const l = state && [...state.values()].find((h) => h.must && !READ_SIDE.has(h.kind) && h.kind !== "custom");
    if (l) return { lock: l.key, why: "the same change was made under it before this patch", node: null };
  }
  return null;
}

/** The evidence that a lock guards this use's list, strongest first. */
function guardOf(u: ListUse, model: ListModel, pre: ListModel | null): Guard | null {
  const before = guardBefore(u, pre);
  if (before) return before;
  const list = u.list;
  if (!list) return null;
  // A lock beside the list head in its struct.
  if (list.struct) {
    const st = model.structs.get(list.struct);
    if (st && st.locks.length === 1) {
      const lock = `${list.base ?? "*"}->${st.locks[0].name}`;
      return { lock, why: `it sits beside '${list.display.split("->").pop()}' in struct ${st.name}`, node: null };
    }
  }
  // Another change or walk of the same list, or a lockdep assertion next to one, holds it.
  for (const other of model.usesOf(list)) {
    if (other.call.id === u.call.id || !other.fn) continue;
    const state = heldAt(other);
    if (!state) continue;
    for (const l of state.values()) {
      if (!l.must || READ_SIDE.has(l.kind) || (l.kind === "custom" && !/lockdep|assert/.test(l.site.text))) continue;
      const lock = relativize(l.key, other, u);
      if (lock) return { lock, why: `${other.fn.name ?? "another function"}() holds it around its ${other.op === "walk" ? "walk" : "change"} of the list`, node: other.call };
    }
  }
  return null;
}

export default defineRule({
  id: "list-mutation-unlocked",
  type: "problem",
  severity: "error",
  confidence: "medium",
  summary: "a list changed where the lock that guards it is not held",
  messages: {
    unlocked: "'{{list}}' is changed here without '{{lock}}', which guards it: {{why}}",
    unserialised: "'{{list}}' is changed here with no lock held while '{{walker}}()' walks it with none either: nothing serialises the change against the walk",
  },
  docs: `### What it does
Finds a list change (\`list_add*\`, \`list_del*\`, \`list_move*\`,
\`list_splice*\`, \`hlist_*\`, and their \`_rcu\` forms) made where the lock
that guards the list is not held on any path. A lock is taken to guard a list
when another change or walk of the same list in the patch holds it, when the
list head sits in a struct beside exactly one lock member, when a
\`lockdep_assert_held()\` stands next to a use of the list, or when the
pre-image made the same change under the lock and the patch moved it out.
Also a file-scope list changed at run time (outside \`__init\`) with no lock at
all while another function walks it with none either. Locks are followed
through branches, early returns, \`goto\` ladders and scoped guards by the
shared lock-context analysis.

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
Code in \`__init\` and \`__exit\` functions is not reported: nothing else
uses the list while it runs. A function whose callers in the patch hold the lock around the call (up to
three calls up) is taken to run under it. The rule stays silent where it cannot see enough: a change in a function whose
head the patch does not show (the lock may have been taken above the hunk), a
function that takes a lock through a wrapper the lock table does not know, a
struct with more than one lock beside the list. A caller that holds the lock
for the function (documented by \`lockdep_assert_held()\` or not) is only seen
through the assertion.
`,
  create(ctx) {
    return {
      translation_unit() {
        const model = ctx.shared.lists();
        for (const u of model.uses) {
          if (u.cfile !== ctx.cfile || u.op !== "mutation") continue;
          const fn = u.fn;
          // Boot and module-exit code run with nothing else using the list.
          if (!fn?.headVisible || fn.annotations.includes("__init") || fn.annotations.includes("__exit")) continue;
          const lc = u.view.locks(fn.node);
          const state = lc.heldAt(u.call);
          if (!state || lc.sawCustom) continue; // unreachable, or a lock we cannot name is taken
          const guard = guardOf(u, model, ctx.shared.preLists());
          if (guard) {
            if (isHeld(guard.lock, state)) continue;
            if (fn.name && callersHold(model, fn.name, guard.lock.replace(/^\*/, ""), 2)) continue;
            ctx.report({
              node: u.call,
              messageId: "unlocked",
              data: { list: u.list?.display ?? listArg(u), lock: guard.lock.replace(/^\*/, "..."), why: guard.why },
              related: guard.node && guard.node.tree === u.call.tree ? [{ node: guard.node, message: "the lock is held here" }] : [],
            });
            continue;
          }
          if (!u.list?.global || state.size > 0) continue;
          const walk = model.usesOf(u.list).find((w) => {
            if (w.op !== "walk" || !w.fn || w.fn.node.id === fn.node.id) return false;
            const ws = heldAt(w);
            return !!ws && ws.size === 0 && !w.view.locks(w.fn.node).sawCustom;
          });
          if (!walk) continue;
          ctx.report({
            node: u.call,
            messageId: "unserialised",
            data: { list: u.list.display, walker: walk.fn!.name ?? "another function" },
            related: walk.call.tree === u.call.tree ? [{ node: walk.call, message: "walked here with no lock held" }] : [],
          });
        }
      },
    };
  },
});
