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
import { guardsWriters } from "../c/kernel/locks.js";
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { pathDisplay, pathText, type Path } from "./identity.js";
import type { HeldLock } from "./locks.js";
import type { ListRef, ListUse } from "./lists.js";
import type { PatchFacts } from "./index.js";
import type { ChangeFacts } from "./diff.js";

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

export function listGuard(u: ListUse, facts: PatchFacts, changes: ChangeFacts | null): ListGuard | null {
  const list = u.list;
  if (list?.private) return null;
  // The pre-image speaks for the very call, even where the list cannot be named.
  if (!list) return preImage(u, changes);
  return stated(u, list, facts) ?? preImage(u, changes) ?? otherUse(u, list, facts) ?? naming(u, list, facts);
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

function preImage(u: ListUse, changes: ChangeFacts | null): ListGuard | null {
  if (!changes || !u.fn) return null;
  const l = changes.lockedBefore(u.call, u.fn)[0];
  if (!l) return null;
  return { want: { key: l.key, typeKey: l.typeKey, path: l.path }, also: [], display: l.path ? pathDisplay(l.path) : l.key, evidence: "pre-image", why: "the same change was made under it before this patch", node: null, view: null };
}

interface Candidate {
  /** A global lock's name, or the member steps from the list's owner to the lock. */
  global: string | null;
  steps: Path["steps"];
  /** The uses (call node ids) that hold it. */
  uses: Set<number>;
  /** The first use that holds it, and the lock as held there: for the message. */
  other: ListUse;
  held: HeldLock;
}

/** Per patch and list: the locks held around its uses, relative to the object the list lives in. Computed once per list. */
const candidateCache = new WeakMap<PatchFacts, Map<string, Candidate[]>>();

function candidates(list: ListRef, facts: PatchFacts): Candidate[] {
  let perList = candidateCache.get(facts);
  if (!perList) candidateCache.set(facts, (perList = new Map()));
  const hit = perList.get(list.key);
  if (hit) return hit;
  const byKey = new Map<string, Candidate>();
  for (const other of facts.lists().usesOf(list)) {
    if (!other.fn || !other.fn.headVisible) continue;
    if (other.list?.path && facts.stageOfOwner(other.list.path, other.call, other.view)) continue; // set-up or teardown: no evidence
    const state = facts.heldAt(other.call, other.view);
    if (!state) continue;
    for (const h of state.values()) {
      if (!h.must || !guardsWriters(h.kind) || h.source === "caller") continue;
      if (h.kind === "custom" && h.source !== "assert" && h.source !== "annotation" && h.source !== "comment") continue;
      const rel = relativeSteps(h, other);
      if (!rel) continue;
      const k = rel.global ?? rel.steps.map((x) => x.member).join("->");
      const c = byKey.get(k);
      if (c) c.uses.add(other.call.id);
      else byKey.set(k, { ...rel, uses: new Set([other.call.id]), other, held: h });
    }
  }
  const out = [...byKey.values()].sort((a, b) => b.uses.size - a.uses.size);
  perList.set(list.key, out);
  return out;
}

/** A lock held at another use of the list: a global, or member steps from that use's list owner. */
function relativeSteps(h: HeldLock, other: ListUse): { global: string | null; steps: Path["steps"] } | null {
  if (!h.path) return null;
  if (h.path.steps.length === 0) return h.path.rootKind === "global" ? { global: h.path.root, steps: [] } : null;
  const owner = other.list?.owner;
  if (!owner) return null;
  if (h.path.root !== owner.root || h.path.steps.length <= owner.steps.length) return null;
  if (!owner.steps.every((s, i) => h.path!.steps[i].member === s.member)) return null;
  return { global: null, steps: h.path.steps.slice(owner.steps.length) };
}

function otherUse(u: ListUse, list: ListRef, facts: PatchFacts): ListGuard | null {
  // Every lock held around another change or walk of the list (as this use
  // would name it) is a candidate; the one held at the most uses is named.
  const wants: { want: ListGuard["want"]; c: Candidate }[] = [];
  for (const c of candidates(list, facts)) {
    if (c.uses.size === 1 && c.uses.has(u.call.id)) continue; // its own lock is no evidence
    const want = c.global ? global(c.global) : onOwner(u, facts, c.steps);
    if (want) wants.push({ want, c });
  }
  if (wants.length === 0) return null;
  const { want, c } = wants[0];
  const other = c.other.call.id === u.call.id ? facts.lists().usesOf(list).find((o) => o.call.id !== u.call.id && c.uses.has(o.call.id))! : c.other;
  const who = other.fn?.name ? `${other.fn.name}()` : "another function";
  return {
    want,
    also: wants.slice(1).map((w) => w.want),
    display: want.path ? pathDisplay(want.path) : want.key.replace(/^\*->/, ""),
    evidence: "other-use",
    why: `${who} holds it around its ${other.op === "walk" ? "walk" : "change"} of the list`,
    node: other.call,
    view: other.view,
  };
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
