/**
 * Writes and tests of fields, across a patch, and which lock guards a field.
 *
 * A field is known by its key: `struct::member` for a member of a struct
 * (through the deepest prefix whose type is known: `inode->i_mapping->flags`
 * with `inode` a `struct inode *` is `inode::i_mapping.flags`), or a
 * global's name (`usb_auth_reqs[i].error` is `usb_auth_req::error` when the
 * global's type is known). So the same field written through another name,
 * in another function, is the same field.
 *
 * Every write is collected: `x->f = v`, `x->f += v`, `x->f++`, and calls that
 * write a field in place (`__set_bit(n, &x->flags)`; src/c/kernel/fields.ts);
 * marked and atomic writes (`WRITE_ONCE()`, `set_bit()`, `atomic_*()`) are
 * collected as lockless, never as plain. Tests are fields read in the
 * condition of an `if` or `while`.
 *
 * Which lock guards a field, strongest evidence first (as `listGuard` does
 * for lists):
 *
 * 1. stated: a comment at the member (or its lock's comment) names it;
 * 2. pre-image: the pre-image made this very write under a lock;
 * 3. other writes: another plain write of the same field, in the patch (or
 *    the file, with the tree), holds a lock on every path, taken relative to
 *    the object the field lives in (`other->lock` for `other->f` is
 *    `mine->lock` for `mine->f`); writes to an object being set up (fresh, or
 *    not yet published by the function that writes it) or torn down are no
 *    evidence.
 *
 * Lock wrappers that take a member of the object they are handed
 * (`filemap_invalidate_lock(mapping)`) are read here as that member.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CFile, CView, EnclosingFunction } from "../c/view.js";
import { callArgs, calleeName, unparen } from "../c/syntax.js";
import { guardsWriters, LOCK_CALLS } from "../c/kernel/locks.js";
import { isLocklessWrite, MEMBER_LOCK_WRAPPERS, PLAIN_WRITE_CALLS } from "../c/kernel/fields.js";
import { INIT_CALLS, isPublishCall } from "../c/kernel/objects.js";
import { SETUP_NAME } from "../c/kernel/naming.js";
import { LIST_CALLS } from "../c/kernel/lists.js";
import { pathDisplay, pathText, type Identities, type Path } from "./identity.js";
import type { HeldLock } from "./locks.js";
import type { FunctionFacts, PatchFacts } from "./index.js";
import type { ChangeFacts } from "./diff.js";
import { descendantsOfType } from "../c/descendants.js";

export interface FieldAccess {
  op: "write" | "test";
  /** `x->f = v` / `x->f += v` (assign), `x->f++` (update), `__set_bit(n, &x->f)` (call), or a read in a condition (test). */
  how: "assign" | "update" | "call" | "test";
  /** The assignment, update or call; for a test, the field expression. */
  node: SyntaxNode;
  /** The field's canonical path. */
  path: Path;
  /** The field as the code writes it here (`reqs[i].error`, `mapping->flags`). */
  display: string;
  /** The field's key (`struct::member`, a global's name), or null when its owner's type is unknown. */
  key: string | null;
  /** How many steps of the path lead to the object the key is typed on (`a->b.c->f` typed on `a->b.c`: 2). */
  ownerLen: number;
  /** A marked or atomic write: lockless on purpose. */
  lockless: boolean;
  /**
   * A read-modify-write (`x->f |= m`, `x->f++`, `__set_bit(n, &x->f)`): two
   * of them at once lose an update. A plain store (`x->f = v`) only races
   * for the last word.
   */
  rmw: boolean;
  fn: EnclosingFunction;
  view: CView;
  cfile: CFile;
}

export interface FieldLock {
  key: string;
  typeKey: string | null;
  path: Path | null;
}

export interface FieldGuard {
  /** The lock as this access would hold it. */
  want: FieldLock;
  /** Other locks the same evidence names: holding any one will do. */
  also: FieldLock[];
  display: string;
  evidence: "stated" | "pre-image" | "other-write";
  /**
   * For other-write evidence: another read-modify-write of the field is made
   * under the lock, so the lock serialises its updates (not only a store
   * that happens beside the lock's own data).
   */
  updatesUnder?: boolean;
  why: string;
  node: SyntaxNode | null;
  view: CView | null;
}

/** What is held at an access, with member lock wrappers named as their lock; `unknown` when a lock we cannot name is held. */
export interface FieldHeld {
  state: Map<string, HeldLock>;
  unknown: boolean;
}

/** An expression as written, on one line, without a leading `&`. */
const shown = (n: SyntaxNode) => n.text.replace(/\s+/g, " ").replace(/^&\s*/, "").trim();

/** What `&x` takes the address of; the expression itself otherwise. */
function addressed(n: SyntaxNode): SyntaxNode {
  const u = unparen(n);
  return u.type === "pointer_expression" && u.child(0)?.type === "&" && u.childForFieldName("argument") ? unparen(u.childForFieldName("argument")!) : u;
}

const stripIndex = (m: string) => m.replace(/\[.*$/, "");

/** A field's key: `type::a.b` from the deepest typed prefix, or a global's name. */
export function fieldKey(p: Path, ids: Identities, isGlobal: (name: string) => boolean): string | null {
  return typedField(p, ids, isGlobal)?.key ?? null;
}

/** A field's key and how many steps of its path lead to the object the key is typed on. */
function typedField(p: Path, ids: Identities, isGlobal: (name: string) => boolean): { key: string; ownerLen: number } | null {
  const rootName = stripIndex(p.root);
  if (p.steps.length === 0) return p.rootKind === "global" && isGlobal(rootName) ? { key: rootName, ownerLen: 0 } : null;
  for (let k = p.steps.length - 1; k >= 0; k--) {
    const owner: Path = { ...p, steps: p.steps.slice(0, k) };
    const t = k === 0 ? p.rootType ?? ids.typeOfPath(owner) : ids.typeOfPath(owner);
    if (t) return { key: `${t}::${p.steps.slice(k).map((s) => stripIndex(s.member)).join(".")}`, ownerLen: k };
  }
  if (p.rootKind === "global" && isGlobal(rootName)) return { key: `${rootName}->${p.steps.map((s) => stripIndex(s.member)).join(".")}`, ownerLen: 0 };
  return null;
}

/** The outermost expression a node is part of, up to its statement: is it the condition of an if/while? */
function inCondition(n: SyntaxNode): boolean {
  for (let c: SyntaxNode | null = n; c?.parent; c = c.parent) {
    const p: SyntaxNode = c.parent;
    if (p.type === "argument_list" || p.type === "compound_statement" || p.type === "expression_statement") return false;
    if ((p.type === "if_statement" || p.type === "while_statement") && p.childForFieldName("condition")?.id === c.id) return true;
  }
  return false;
}

export class FieldModel {
  readonly accesses: FieldAccess[] = [];
  private readonly byKey = new Map<string, FieldAccess[]>();
  private readonly guardCache = new Map<string, Candidate[]>();

  constructor(private readonly facts: PatchFacts) {
    for (const f of facts.world.functions) {
      const fn = f.view.describeFunction(f.node);
      const ids = facts.ids(f.node, f.view);
      const body = f.node.childForFieldName("body");
      if (!body) continue;
      const isGlobal = (name: string) => facts.world.isGlobal(name);
      const add = (a: Omit<FieldAccess, "key" | "ownerLen" | "fn" | "view" | "cfile">) => {
        const t = typedField(a.path, ids, isGlobal);
        const key = t?.key ?? null;
        const acc: FieldAccess = { ...a, key, ownerLen: t?.ownerLen ?? 0, fn, view: f.view, cfile: f.cfile };
        this.accesses.push(acc);
        if (key) {
          const l = this.byKey.get(key);
          if (l) l.push(acc);
          else this.byKey.set(key, [acc]);
        }
      };
      for (const n of descendantsOfType(body, ["assignment_expression", "update_expression", "call_expression", "field_expression"])) {
        if (n.type === "assignment_expression" || n.type === "update_expression") {
          const target = n.type === "assignment_expression" ? n.childForFieldName("left") : n.childForFieldName("argument");
          const p = target ? this.memberPath(unparen(target), ids) : null;
          if (p) {
            const rmw = n.type === "update_expression" || (n.childForFieldName("operator")?.text ?? "=") !== "=";
            add({ op: "write", how: n.type === "assignment_expression" ? "assign" : "update", node: n, path: p, display: shown(target!), lockless: false, rmw });
          }
        } else if (n.type === "call_expression") {
          const name = calleeName(n);
          if (!name) continue;
          const w = PLAIN_WRITE_CALLS[name];
          const a = callArgs(n);
          if (w) {
            const base = a[w.arg] ? ids.path(a[w.arg]) : null;
            const p = base && w.member ? { ...base, steps: [...base.steps, { op: "->" as const, member: w.member }] } : base;
            if (p && (p.steps.length || p.rootKind === "global")) add({ op: "write", how: "call", node: n, path: p, display: shown(a[w.arg]) + (w.member ? `->${w.member}` : ""), lockless: false, rmw: true });
          } else if (isLocklessWrite(name)) {
            // The field is the first argument (`WRITE_ONCE(x->f, v)`), or the second of a bit op (`set_bit(n, &x->f)`).
            const arg = /bit/.test(name) ? a[1] : a[0];
            const p = arg ? this.memberPath(addressed(arg), ids) : null;
            if (p) add({ op: "write", how: "call", node: n, path: p, display: shown(arg), lockless: true, rmw: false });
          }
        } else if (n.parent?.type !== "field_expression" && inCondition(n)) {
          const p = ids.path(n);
          if (p && p.steps.length) add({ op: "test", how: "test", node: n, path: p, display: shown(n), lockless: false, rmw: false });
        }
      }
    }
  }

  /** A member or global path written by an lvalue; null for locals and what is not a path. */
  private memberPath(target: SyntaxNode, ids: Identities): Path | null {
    // `*x->p = v` writes what x->p points to, not the field.
    if (target.type !== "field_expression" && target.type !== "subscript_expression" && target.type !== "identifier") return null;
    // A local (even one that aliases a field) written is the local, not what it aliased.
    if (target.type === "identifier" && ids.decls.has(target.text)) return null;
    if (target.type === "subscript_expression") {
      const base = unparen(target.childForFieldName("argument") ?? target);
      if (base.type === "identifier" && ids.decls.has(base.text)) return null;
    }
    const p = ids.path(target);
    if (!p) return null;
    if (p.steps.length === 0) return p.rootKind === "global" && this.facts.world.isGlobal(stripIndex(p.root)) ? p : null;
    return p;
  }

  /** Every access of the field with this key. */
  accessesOf(key: string): FieldAccess[] {
    return this.byKey.get(key) ?? [];
  }

  /** What is held at an access, with member lock wrappers named as their member. */
  heldAt(a: FieldAccess): FieldHeld | null {
    const f = this.facts.function(a.fn, a.view);
    const s = f.locks.heldAt(a.node);
    if (!s) return null;
    const state = new Map<string, HeldLock>();
    let unknown = false;
    for (const [k, h] of s) {
      if (h.kind !== "custom" || h.source !== "call") {
        state.set(k, h);
        continue;
      }
      const w = h.site ? wrapperLock(h.site, f) : null;
      if (w) state.set(w.key, { ...h, ...w, kind: "rwsem", shared: !!MEMBER_LOCK_WRAPPERS[calleeName(h.site!)!]?.shared });
      else unknown = true;
    }
    return { state, unknown };
  }

  /**
   * Is the object that holds the field being set up here, before the
   * function makes it visible to others: a parameter or local that the
   * function publishes after this point (adds it to a list or tree, stores
   * it where others look, registers it), and had not published or taken
   * off anything before? File-scope data counts as set up before the
   * function's first registration (`genl_register_family()`,
   * `misc_register()`): the interface through which others reach it.
   * An object whose lock (or kref, or work) the function initialises after
   * the write is being set up too. And anything a function named for set-up writes (`*_init*`, `*_setup*`,
   * `*_probe*`; src/c/kernel/naming.ts).
   */
  beforePublish(a: FieldAccess): boolean {
    // A function named for setting an object up (`foo_init_queue()`) runs before anyone else has it.
    if (a.fn.name && SETUP_NAME.test(a.fn.name)) return true;
    const f = this.facts.function(a.fn, a.view);
    const owner = ownerOfField(a.path) ?? (a.path.rootKind === "global" ? a.path : null);
    if (!owner || owner.rootKind === "opaque") return false;
    // File-scope data is reached through the interface the module registers: set up before it registers one.
    const global = owner.rootKind === "global";
    const key = pathText(owner);
    const body = a.fn.node.childForFieldName("body");
    if (!body) return false;
    let after = false;
    for (const c of descendantsOfType(body, "call_expression")) {
      const name = calleeName(c);
      if (!name) continue;
      // A lock or refcount of the object initialised after the write: it is still being set up.
      if (INIT_CALLS.has(name) && c.startIndex > a.node.startIndex && !global) {
        const m = f.ids.path(callArgs(c)[0]);
        if (m && pathText(m).startsWith(key + "->")) return true;
      }
      const list = LIST_CALLS[name];
      const publishes = isPublishCall(name) || (list?.op === "mutation" && list.change === "add");
      const removes = list?.op === "mutation" && list.change === "del";
      if (!publishes && !removes && !/_(remove|erase|del|delete)$/.test(name)) continue;
      if (global) {
        if (!publishes) continue;
        if (c.startIndex < a.node.startIndex) return false;
        after = true;
        continue;
      }
      const touches = callArgs(c).some((arg) => {
        const p = f.ids.path(arg);
        return !!p && (pathText(p) === key || pathText(p).startsWith(key + "->"));
      });
      if (!touches) continue;
      if (c.startIndex < a.node.startIndex) return false; // published or taken off before: it was reachable already
      if (publishes) after = true;
    }
    return after;
  }

  /**
   * The lock that guards the field `a` writes or tests, and the evidence;
   * null when nothing in the patch says.
   */
  guard(a: FieldAccess, changes: ChangeFacts | null): FieldGuard | null {
    if (!a.key) return null;
    return this.stated(a) ?? this.preImage(a, changes) ?? this.otherWrite(a);
  }

  /**
   * A lock found relative to another access of the field, as this access
   * reaches it: `up` members lead from the lock's base to the object the
   * field's key is typed on, `down` from the base to the lock.
   */
  private want(a: FieldAccess, c: Pick<Candidate, "global" | "up" | "down">): FieldLock | null {
    if (c.global) return { key: c.global, typeKey: c.global, path: { root: c.global, steps: [], rootKind: "global", rootType: null } };
    if (!c.down) return null;
    const base = a.ownerLen - c.up.length;
    if (base < 0 || !c.up.every((m, i) => stripIndex(a.path.steps[base + i].member) === m)) return null;
    // Written as this access writes its own path (`d->mutex`, not `d.mutex`, when `d` is a pointer).
    const down = c.down.map((s, i) => (i === 0 && a.path.steps[base] ? { ...s, op: a.path.steps[base].op } : s));
    const p: Path = { ...a.path, steps: [...a.path.steps.slice(0, base), ...down] };
    return { key: pathText(p), typeKey: this.facts.function(a.fn, a.view).ids.typeKey(p), path: p };
  }

  private stated(a: FieldAccess): FieldGuard | null {
    const s = this.facts.world.stated.get(a.key!);
    if (!s) return null;
    const struct = a.key!.includes("::") ? a.key!.split("::")[0] : null;
    const name = pathDisplay(s.lock);
    let want: FieldLock | null = null;
    if (this.facts.world.globals.get(s.lock.root)?.lock) want = this.want(a, { global: s.lock.root, up: [], down: null });
    else if (struct && this.facts.world.structs.get(struct)?.members.has(s.lock.root)) {
      want = this.want(a, { global: null, up: [], down: [{ op: "->", member: s.lock.root }, ...s.lock.steps] });
    }
    const member = a.path.steps.length ? stripIndex(a.path.steps[a.path.steps.length - 1].member) : a.path.root;
    // The words must name a lock the code has (a lock member of the struct, a global lock), not any word after "protected by".
    if (!want || !this.isLock(struct, s.lock)) return null;
    return { want, also: [], display: want.path ? pathDisplay(want.path) : name, evidence: "stated", why: `the comment at '${member}' says '${name}' protects it`, node: s.node, view: s.view };
  }

  /** Is a stated lock a lock: a lock member of the struct, or a global lock? */
  private isLock(struct: string | null, lock: Path): boolean {
    if (this.facts.world.globals.get(lock.root)?.lock) return true;
    const st = struct ? this.facts.world.structs.get(struct) : undefined;
    if (!st) return false;
    if (lock.steps.length === 0) return st.locks.some((l) => l.name === lock.root);
    // `foo.lock`: the last member is a lock, wherever it lives.
    const last = lock.steps[lock.steps.length - 1].member;
    return st.members.has(lock.root) && /lock|mutex|sem/.test(last);
  }

  private preImage(a: FieldAccess, changes: ChangeFacts | null): FieldGuard | null {
    if (!changes || a.op !== "write") return null;
    const before = changes.preFunction(a.fn);
    if (!before) return null;
    // A write now made under another lock: the patch chose a new guard (a lock split), not none.
    const now = this.heldAt(a);
    if (!now || [...now.state.values()].some((h) => h.must && guardsWriters(h.kind) && h.source !== "caller")) return null;
    const text = a.node.text.replace(/\s+/g, "");
    for (const old of descendantsOfType(before.fn.node, a.node.type)) {
      if (old.text.replace(/\s+/g, "") !== text) continue;
      const st = before.locks.heldAt(old);
      if (!st) continue;
      const l = [...st.values()].find((h) => h.must && guardsWriters(h.kind) && h.kind !== "custom" && h.source !== "caller");
      if (!l) return null;
      return { want: { key: l.key, typeKey: l.typeKey, path: l.path }, also: [], display: l.path ? pathDisplay(l.path) : l.key, evidence: "pre-image", why: "the same write was made under it before this patch", node: null, view: null };
    }
    return null;
  }

  /** Per field: the locks held around its plain writes, relative to the object the field lives in. */
  private candidates(key: string): Candidate[] {
    const hit = this.guardCache.get(key);
    if (hit) return hit;
    const byLock = new Map<string, Candidate>();
    for (const o of this.accessesOf(key)) {
      if (o.op !== "write" || o.lockless || !o.fn.headVisible) continue;
      const f = this.facts.function(o.fn, o.view);
      if (f.stages.stageOfOwner(o.path, o.node) || this.beforePublish(o)) continue; // set-up or teardown: no evidence
      const held = this.heldAt(o);
      if (!held) continue;
      for (const h of held.state.values()) {
        if (!h.must || !guardsWriters(h.kind) || h.source === "caller" || h.shared) continue;
        if (h.kind === "custom" && h.source !== "assert" && h.source !== "annotation" && h.source !== "comment") continue;
        const rel = relative(h, o);
        // A lock of another object, not reached from the field's owner, is no evidence: it guards something else there.
        if (!rel) continue;
        const k = rel.global ?? `${rel.up.join(".")}/${rel.down!.map((s) => s.member).join("->")}`;
        const c = byLock.get(k);
        if (c) {
          c.writes.add(o.node.id);
          if (o.rmw) c.rmw.add(o.node.id);
        } else byLock.set(k, { ...rel, typeKey: h.typeKey, writes: new Set([o.node.id]), rmw: new Set(o.rmw ? [o.node.id] : []), other: o, held: h });
      }
    }
    const out = [...byLock.values()].sort((x, y) => y.writes.size - x.writes.size);
    this.guardCache.set(key, out);
    return out;
  }

  private otherWrite(a: FieldAccess): FieldGuard | null {
    const wants: { want: FieldLock; c: Candidate }[] = [];
    for (const c of this.candidates(a.key!)) {
      if (c.writes.size === 1 && c.writes.has(a.node.id)) continue; // its own lock is no evidence
      const want = this.want(a, c);
      if (want) wants.push({ want, c });
    }
    if (wants.length === 0) return null;
    const { want, c } = wants[0];
    const other = c.other.node.id === a.node.id ? this.accessesOf(a.key!).find((o) => o.node.id !== a.node.id && c.writes.has(o.node.id))! : c.other;
    const who = other.fn.name ? `${other.fn.name}()` : "another function";
    const display = want.path ? pathDisplay(want.path) : c.held.path ? pathDisplay(c.held.path) : c.held.key;
    const updates = [...c.rmw].some((id) => id !== a.node.id);
    return { want, also: wants.slice(1).map((w) => w.want), display, evidence: "other-write", updatesUnder: updates, why: `${who} writes it under that lock`, node: other.node, view: other.view };
  }
}

interface Candidate {
  global: string | null;
  /** Members from the lock's base to the object the field's key is typed on. */
  up: string[];
  /** Steps from that base to the lock (null for a global). */
  down: Path["steps"] | null;
  typeKey: string | null;
  writes: Set<number>;
  /** Read-modify-writes among them. */
  rmw: Set<number>;
  other: FieldAccess;
  held: HeldLock;
}

/** The object that holds a field: `x` for `x->f`, `x` for `x->a.f` (embedded members live in the same object). */
function ownerOfField(p: Path): Path | null {
  if (p.steps.length === 0) return null;
  let k = p.steps.length - 1;
  while (k > 0 && p.steps[k].op === ".") k--;
  return { ...p, steps: p.steps.slice(0, k) };
}

/**
 * A lock held at a write, relative to the field written: a global, or the
 * deepest common prefix of the lock's path and the field's path (up to the
 * object the field's key is typed on), with the members from there up to
 * that object and down to the lock. Null when the lock is another object's.
 */
function relative(h: HeldLock, o: FieldAccess): { global: string | null; up: string[]; down: Path["steps"] | null } | null {
  if (!h.path) return null;
  if (h.path.steps.length === 0) return h.path.rootKind === "global" ? { global: h.path.root, up: [], down: null } : null;
  if (h.path.root !== o.path.root) return null;
  let j = 0;
  while (j < o.ownerLen && j < h.path.steps.length - 1 && h.path.steps[j].member === o.path.steps[j].member) j++;
  return { global: null, up: o.path.steps.slice(j, o.ownerLen).map((s) => stripIndex(s.member)), down: h.path.steps.slice(j) };
}

/** A member lock wrapper's call, as the lock it takes (`filemap_invalidate_lock(m)` → `m->invalidate_lock`). */
function wrapperLock(call: SyntaxNode, f: FunctionFacts): { key: string; path: Path; typeKey: string | null } | null {
  const name = calleeName(call);
  const w = name ? MEMBER_LOCK_WRAPPERS[name] : undefined;
  if (!w || w.op !== "acquire") return null;
  const base = f.ids.path(callArgs(call)[w.arg]);
  if (!base) return null;
  const p: Path = { ...base, steps: [...base.steps, { op: "->", member: w.member }] };
  return { key: pathText(p), path: p, typeKey: f.ids.typeKey(p) };
}

/**
 * The locks a function drops right before the statement of `node` and
 * takes again after it: `spin_unlock(&d->lock); if (d->flag) cb();
 * spin_lock(&d->lock);`.
 */
export function droppedAround(f: FunctionFacts, node: SyntaxNode): FieldLock[] {
  const body = f.fn.node.childForFieldName("body");
  const held = f.locks.heldAt(node);
  if (!body || !held) return [];
  const released: (FieldLock & { site: SyntaxNode })[] = [];
  const retaken = new Set<string>();
  for (const c of descendantsOfType(body, "call_expression")) {
    const name = calleeName(c);
    const l = name ? LOCK_CALLS[name] : undefined;
    if (!l || l.arg < 0 || !guardsWriters(l.kind)) continue;
    const lock = f.locks.lockOf(callArgs(c)[l.arg]);
    if (l.op === "release" && c.endIndex <= node.startIndex) released.push({ ...lock, site: c });
    else if (l.op === "acquire" && c.startIndex >= node.endIndex) retaken.add(lock.key);
  }
  // Only a drop right before the statement that tests: `spin_unlock(&l); if (x->f) ...`.
  const stmt = statementOf(node);
  let prev = stmt?.previousNamedSibling ?? null;
  while (prev?.type === "comment") prev = prev.previousNamedSibling;
  const last = prev?.type === "expression_statement" ? prev.namedChildren[0] : null;
  return released.filter(
    (l, i) => retaken.has(l.key) && released.findIndex((o) => o.key === l.key) === i && ![...held.values()].some((h) => h.key === l.key) && !!l.site && l.site.id === last?.id,
  );
}

/** The statement a node stands in. */
function statementOf(n: SyntaxNode): SyntaxNode | null {
  for (let c: SyntaxNode | null = n; c; c = c.parent) if (c.parent?.type === "compound_statement") return c;
  return null;
}

/**
 * Does the patch hide lines of the function between its head and `node`?
 * Whatever they do (take a lock, publish the object) is unknown.
 */
export function hiddenBefore(f: FunctionFacts, node: SyntaxNode): boolean {
  const from = f.fn.node.startPosition.row;
  const row = node.startPosition.row;
  return f.view.gapRows.some((r) => r > from && r < row);
}

/**
 * Does the function release `want` after `node` at a point where it never
 * took it? Then it held it at `node` too: taken by its caller, or before
 * lines the patch does not show.
 */
export function releasedUntaken(f: FunctionFacts, node: SyntaxNode, want: FieldLock): boolean {
  const body = f.fn.node.childForFieldName("body");
  if (!body) return false;
  for (const c of descendantsOfType(body, "call_expression")) {
    if (c.startIndex < node.endIndex) continue;
    const name = calleeName(c);
    const l = name ? LOCK_CALLS[name] : undefined;
    const w = name ? MEMBER_LOCK_WRAPPERS[name] : undefined;
    let lock: FieldLock | null = null;
    if (l?.op === "release" && l.arg >= 0) lock = f.locks.lockOf(callArgs(c)[l.arg]);
    else if (w?.op === "release") {
      const base = f.ids.path(callArgs(c)[w.arg]);
      if (base) {
        const p: Path = { ...base, steps: [...base.steps, { op: "->", member: w.member }] };
        lock = { key: pathText(p), path: p, typeKey: f.ids.typeKey(p) };
      }
    }
    if (!lock || !(lock.key === want.key || (!!lock.typeKey && lock.typeKey === want.typeKey))) continue;
    const st = f.locks.heldAt(c);
    const held = (h: HeldLock) => h.key === lock!.key || (h.kind === "custom" && !!h.site && wrapperLock(h.site, f)?.key === lock!.key);
    if (st && ![...st.values()].some(held)) return true;
  }
  return false;
}

/** Is the field file-scope data itself (`tbl[i].f`, `state.f`), not a member of an object a global points to? */
export function fileScope(a: FieldAccess): boolean {
  return a.path.rootKind === "global" && a.path.steps.every((s) => s.op === ".");
}

/**
 * Are the callers of this function out of view: a \`static\` function the
 * patch neither calls nor names anywhere else (no call site, no ops table,
 * no function pointer stored), or one other files call that nothing in the
 * patch calls and that is not an exported API (whose callers are anyone's),
 * or one called only from such functions (four calls up at most)?
 * A reply that quotes one function of a patch shows it so. What it is
 * entered with is then unknown.
 */
export function callersHidden(f: FunctionFacts, facts: PatchFacts, depth = 0): boolean {
  const name = f.fn.name;
  if (!name || !f.fn.headVisible) return false;
  const isStatic = f.fn.node.namedChildren.some((c) => c.type === "storage_class_specifier" && c.text === "static");
  if (facts.world.opsSlots.has(name)) return false;
  const sites = facts.callSites(name).filter((s) => s.caller.node.id !== f.fn.node.id);
  if (sites.length > 0) {
    // Called only from functions whose own callers are out of view (fnic's frame handlers, called from
    // fnic_fdls_recv_frame(), which other files call under fnic_lock): what it is entered with is unknown too.
    return depth < 4 && sites.every((s) => s.caller.headVisible && !!s.caller.name && callersHidden(facts.function(s.caller, s.view), facts, depth + 1));
  }
  // A function other files call (not static, not exported here) and that nothing in the patch calls:
  // its callers, and what they hold, are in files the patch does not show.
  if (!isStatic) return !facts.world.exported.has(name);
  for (const v of facts.views) {
    if (!v.source.includes(name)) continue;
    for (const id of descendantsOfType(v.root, "identifier")) {
      if (id.text !== name) continue;
      // Its own declarator (and a prototype) is no reference.
      if (id.startIndex >= f.fn.node.startIndex && id.endIndex <= f.fn.node.endIndex) continue;
      if (id.parent?.type === "function_declarator") continue;
      return false;
    }
  }
  return true;
}

/** The field model of a side of a patch, computed once. */
const models = new WeakMap<PatchFacts, FieldModel>();
export function fieldsOf(facts: PatchFacts): FieldModel {
  let m = models.get(facts);
  if (!m) models.set(facts, (m = new FieldModel(facts)));
  return m;
}

