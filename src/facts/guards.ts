/**
 * Which lock guards a list, and the evidence for it, strongest first:
 *
 * 1. stated: a comment at the list head or member says so
 *    (`struct list_head list; /* protected by lock *\/`), or the lock's own
 *    comment says what it protects;
 * 2. the pre-image made this very change (same function, same call) under a
 *    lock: the patch moved it out;
 * 3. another change or walk of the same list in the patch holds a lock on
 *    every path (or asserts it with `lockdep_assert_held()`), taken relative
 *    to the object the list lives in (`other->lock` for `other->list` is
 *    `mine->lock` for `mine->list`);
 * 4. naming: a lock beside the list whose name says it is the list's
 *    (`buffers` and `buffers_lock`, `foo_list` and `foo_lock`).
 *
 * The lock comes back as the path this use would hold it by, with its type
 * key, for `holds()` to compare against what is held.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { pathDisplay, pathText, type Path } from "./identity.js";
import type { HeldLock } from "./locks.js";
import type { ListRef, ListUse } from "./lists.js";
import type { PatchFacts } from "./index.js";

export interface ListGuard {
  /** The lock as this use would hold it. */
  want: { key: string; typeKey: string | null; path: Path | null };
  /** Other locks the same evidence names (several held around the other uses): holding any one will do. */
  also: { key: string; typeKey: string | null; path: Path | null }[];
  /** How to name it to a person. */
  display: string;
  evidence: "stated" | "pre-image" | "other-use" | "naming";
  /** Why we believe it guards the list, in words. */
  why: string;
  /** Where the evidence stands, when it is a node of the patch. */
  node: SyntaxNode | null;
  view: CView | null;
}

/** Read-side sections are no guard for a writer. */
const READ_SIDE = new Set(["rcu", "srcu"]);
const LOCK_SUFFIX = /_?(lock|mutex|sem|spinlock|rwsem|rwlock)$/;
const LIST_SUFFIX = /_?(list|head|queue|q|lh)$/;

/** The lock of the object `owner` that a guard names by member steps. */
function onOwner(u: ListUse, facts: PatchFacts, steps: Path["steps"]): ListGuard["want"] | null {
  const owner = u.list?.owner;
  if (!u.fn) return null;
  if (!owner) {
    // Known by type alone: the lock is that member of the same struct, in whatever object.
    const st = u.list?.struct;
    return st && steps.length === 1 ? { key: `*->${steps[0].member}`, typeKey: `${st}::${steps[0].member}`, path: null } : null;
  }
  const p: Path = { ...owner, steps: [...owner.steps, ...steps] };
  return { key: pathText(p), path: p, typeKey: facts.function(u.fn, u.view).ids.typeKey(p) };
}

function global(name: string): ListGuard["want"] {
  return { key: name, typeKey: name, path: { root: name, steps: [], rootKind: "global", rootType: null } };
}

export function listGuard(u: ListUse, facts: PatchFacts, pre: PatchFacts | null): ListGuard | null {
  const list = u.list;
  if (list?.private) return null;
  // The pre-image speaks for the very call, even where the list cannot be named.
  if (!list) return preImage(u, facts, pre);
  return stated(u, list, facts) ?? preImage(u, facts, pre) ?? otherUse(u, list, facts) ?? naming(u, list, facts);
}

function stated(u: ListUse, list: ListRef, facts: PatchFacts): ListGuard | null {
  const s = facts.statedGuard(list);
  if (!s) return null;
  const name = pathDisplay(s.lock);
  let want: ListGuard["want"] | null = null;
  if (list.global || facts.world.globals.get(s.lock.root)?.lock) want = global(s.lock.root);
  else if (list.struct) {
    const st = facts.world.structs.get(list.struct);
    // `lock` or `foo.lock` is a member of the same struct; anything else is matched by its last member.
    if (st?.members.has(s.lock.root)) want = onOwner(u, facts, [{ op: "->", member: s.lock.root }, ...s.lock.steps]);
  }
  const display = want?.path ? pathDisplay(want.path) : name;
  want ??= { key: s.lock.steps.length ? s.lock.steps[s.lock.steps.length - 1].member : s.lock.root, typeKey: null, path: s.lock };
  return { want, also: [], display, evidence: "stated", why: `the comment at '${list.member ?? list.display}' says '${name}' protects it`, node: s.node, view: s.view };
}

function preImage(u: ListUse, facts: PatchFacts, pre: PatchFacts | null): ListGuard | null {
  if (!pre || !u.fn?.name) return null;
  const text = u.call.text.replace(/\s+/g, "");
  for (const old of pre.lists().uses) {
    if (old.fn?.name !== u.fn.name || old.call.text.replace(/\s+/g, "") !== text) continue;
    const state = pre.heldAt(old.call, old.view);
    const l = state && [...state.values()].find((h) => h.must && !READ_SIDE.has(h.kind) && h.kind !== "custom" && h.source !== "caller");
    if (l) return { want: { key: l.key, typeKey: l.typeKey, path: l.path }, also: [], display: l.key, evidence: "pre-image", why: "the same change was made under it before this patch", node: null, view: null };
  }
  return null;
}

function otherUse(u: ListUse, list: ListRef, facts: PatchFacts): ListGuard | null {
  // Every lock held around another change or walk of the list (as this use
  // would name it) is a candidate; the one held at the most uses is named.
  const found = new Map<string, { guard: ListGuard; count: number }>();
  for (const other of facts.lists().usesOf(list)) {
    if (other.call.id === u.call.id || !other.fn || !other.fn.headVisible) continue;
    if (other.list?.owner && facts.stageOfOwner(other.list.path!, other.call, other.view)) continue; // set-up or teardown: no evidence
    const state = facts.heldAt(other.call, other.view);
    if (!state) continue;
    for (const h of state.values()) {
      if (!h.must || READ_SIDE.has(h.kind) || h.source === "caller") continue;
      if (h.kind === "custom" && h.source !== "assert" && h.source !== "annotation" && h.source !== "comment") continue;
      const want = relative(h, other, u, facts);
      if (!want) continue;
      const seen = found.get(want.key);
      if (seen) {
        seen.count++;
        continue;
      }
      const who = other.fn.name ? `${other.fn.name}()` : "another function";
      const guard: ListGuard = { want, also: [], display: want.path ? pathDisplay(want.path) : want.key.replace(/^\*->/, ""), evidence: "other-use", why: `${who} holds it around its ${other.op === "walk" ? "walk" : "change"} of the list`, node: other.call, view: other.view };
      found.set(want.key, { guard, count: 1 });
    }
  }
  const ranked = [...found.values()].sort((a, b) => b.count - a.count);
  if (ranked.length === 0) return null;
  return { ...ranked[0].guard, also: ranked.slice(1).map((r) => r.guard.want) };
}

/** A lock held at another use of the list, as this use would name it. */
function relative(h: HeldLock, other: ListUse, u: ListUse, facts: PatchFacts): ListGuard["want"] | null {
  if (!h.path) return null;
  if (h.path.steps.length === 0) return h.path.rootKind === "global" ? global(h.path.root) : null;
  const owner = other.list?.owner;
  if (!owner) return null;
  if (h.path.root !== owner.root || h.path.steps.length <= owner.steps.length) return null;
  if (!owner.steps.every((s, i) => h.path!.steps[i].member === s.member)) return null;
  return onOwner(u, facts, h.path.steps.slice(owner.steps.length));
}

function naming(u: ListUse, list: ListRef, facts: PatchFacts): ListGuard | null {
  const base = (list.member ?? list.key).replace(LIST_SUFFIX, "");
  if (!base) return null;
  if (list.global) {
    for (const [name, g] of facts.world.globals) {
      if (g.lock && name.replace(LOCK_SUFFIX, "") === base) {
        return { want: global(name), also: [], display: name, evidence: "naming", why: `'${name}' is named for it`, node: null, view: null };
      }
    }
    return null;
  }
  const st = list.struct ? facts.world.structs.get(list.struct) : undefined;
  const lock = st?.locks.find((l) => l.name.replace(LOCK_SUFFIX, "") === base);
  if (!lock) return null;
  const want = onOwner(u, facts, [{ op: "->", member: lock.name }]);
  return want ? { want, also: [], display: list.owner ? `${pathDisplay(list.owner)}->${lock.name}` : lock.name, evidence: "naming", why: `'${lock.name}' beside it in struct ${st!.name} is named for it`, node: null, view: null } : null;
}
