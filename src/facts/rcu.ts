/**
 * What the patch's C says is RCU-protected, across its files:
 *
 * - pointers: struct members and globals declared `__rcu`, or handed to an
 *   RCU accessor (`rcu_assign_pointer()`, `rcu_dereference*()`, ...) in any
 *   function of the patch; known by type key (`foo::conf`, or a global's
 *   name), so a plain `f->conf` in another function is recognised;
 * - try-gets: the struct types whose objects readers find under
 *   `rcu_read_lock()` and pin with a try-get (`atomic_inc_not_zero(&z->ref)`):
 *   their memory must outlive the last put by a grace period;
 * - per function: what each call does for RCU (unpublish, pointer store,
 *   immediate free, grace period), where an object was read from, whether it
 *   was allocated there, and whether code stands on an error ladder.
 *
 * Computed once per patch and side, from the world and the lock facts.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { callArgs, calleeName, unparen } from "../c/syntax.js";
import { ERASE_CALLS, FREE_CALLS, MAYBE_WAITS, POINTER_STORES, RCU_ACCESSORS, TRY_GET_CALLS, UNPUBLISH_CALLS, isGracePeriodCall } from "../c/kernel/rcu.js";
import { LOCK_CALLS } from "../c/kernel/locks.js";
import { isAllocCall } from "../c/kernel/objects.js";
import { ownerOf, pathText, type Path } from "./identity.js";
import type { FunctionFacts, PatchFacts } from "./index.js";
import { descendantsOfType } from "../c/descendants.js";

/** One call of a function body, in source order, as RCU sees it. */
export interface RcuCall {
  call: SyntaxNode;
  name: string;
  /** Takes an object from readers, stores an RCU pointer, frees at once, waits for (or defers to) a grace period, or none of these. */
  kind: "unpublish" | "store" | "free" | "grace" | "other";
  /** The object unpublished or freed, or the pointer stored to. */
  path: Path | null;
}

export interface RcuEvidence {
  /** `__rcu` in the declaration, or handed to an accessor. */
  why: "annotated" | "accessor";
  node: SyntaxNode;
  view: CView;
}

const ANNOTATED = /\b__rcu\b/;

export class RcuModel {
  /** Type key (`struct::member`, or a global's name) → why it is RCU-protected. */
  readonly pointers = new Map<string, RcuEvidence>();
  /** Struct name → a try-get of one of its counters made inside a read-side section. */
  readonly tryGets = new Map<string, { node: SyntaxNode; view: CView; counter: string }>();

  constructor(readonly facts: PatchFacts) {
    const world = facts.world;
    for (const s of world.structs.values()) {
      for (const m of s.members.values()) {
        if (!m.pointer || !rawText(s.view, m.node).match(ANNOTATED)) continue;
        this.note(`${s.name}::${m.name}`, { why: "annotated", node: m.node, view: s.view });
      }
    }
    for (const [name, g] of world.globals) {
      if (ANNOTATED.test(rawText(g.view, g.node))) this.note(name, { why: "annotated", node: g.node, view: g.view });
    }
    // An RCU accessor, or a try-get (of an object found under RCU).
    const told = (call: SyntaxNode) => {
      const n = calleeName(call);
      return !!n && (n in RCU_ACCESSORS || TRY_GET_CALLS.has(n));
    };
    for (const info of world.functions) {
      const calls = descendantsOfType(info.node, "call_expression").filter(told);
      if (calls.length === 0) continue;
      const fn = info.view.describeFunction(info.node);
      const f = facts.function(fn, info.view);
      for (const call of calls) {
        const name = calleeName(call)!;
        const arg = callArgs(call)[0];
        if (name in RCU_ACCESSORS) {
          const p = f.ids.path(arg);
          const key = p && f.ids.typeKey(p);
          if (key) this.note(key, { why: "accessor", node: call, view: info.view });
        } else {
          const held = f.locks.heldAt(call);
          if (!held || ![...held.values()].some((h) => h.kind === "rcu")) continue;
          const p = f.ids.path(arg);
          const owner = p && ownerOf(p);
          const type = owner && f.ids.typeOfPath(owner);
          if (type && !this.tryGets.has(type)) this.tryGets.set(type, { node: call, view: info.view, counter: p!.steps[p!.steps.length - 1].member });
        }
      }
    }
  }

  private readonly callCache = new WeakMap<SyntaxNode, RcuCall[]>();
  private readonly waits = new Map<string, boolean>();

  /**
   * The calls of a function in source order, classified: unpublish
   * (`list_del_rcu(&e->node)` takes `e`), RCU pointer stores, immediate
   * frees, grace periods. A call of a patch function that waits for a grace
   * period is one too, and so is a call whose name says it may wait
   * (`foo_synchronize()`, `..._barrier()`), since it may hide one.
   */
  calls(f: FunctionFacts): RcuCall[] {
    const hit = this.callCache.get(f.fn.node);
    if (hit) return hit;
    const out = descendantsOfType(f.fn.node, "call_expression").map((call): RcuCall => {
      const name = calleeName(call) ?? "";
      if (name in UNPUBLISH_CALLS) return { call, name, kind: "unpublish", path: objectOf(f, callArgs(call)[UNPUBLISH_CALLS[name].obj]) };
      if (POINTER_STORES.has(name)) return { call, name, kind: "store", path: f.ids.path(callArgs(call)[0]) };
      if (name in FREE_CALLS) return { call, name, kind: "free", path: f.ids.path(callArgs(call)[FREE_CALLS[name]]) };
      if (isGracePeriodCall(name) || this.waitsInside(name)) return { call, name, kind: "grace", path: null };
      const known = name in RCU_ACCESSORS || name in LOCK_CALLS || /^(h?list|hlist_nulls|hash)_/.test(name);
      return { call, name, kind: !known && MAYBE_WAITS.test(name) ? "grace" : "other", path: null };
    });
    this.callCache.set(f.fn.node, out);
    return out;
  }

  /** The RCU pointer an object was read from in this function (`x = rcu_dereference_protected(p->x, ...)`, `x = xa_erase(...)`), with the read. */
  readFrom(f: FunctionFacts, obj: Path): { ptr: Path; node: SyntaxNode; accessor: string } | null {
    for (const { name, value } of assignments(f)) {
      if (name !== pathText(obj) || value.type !== "call_expression") continue;
      const callee = calleeName(value);
      if (!callee) continue;
      if (RCU_ACCESSORS[callee]?.op === "load" || RCU_ACCESSORS[callee]?.op === "test" || ERASE_CALLS.has(callee)) {
        const ptr = f.ids.path(callArgs(value)[0]);
        if (ptr) return { ptr, node: value, accessor: callee };
      }
    }
    return null;
  }

  /** Was the object allocated in this function? */
  allocatedHere(f: FunctionFacts, obj: Path): boolean {
    return assignments(f).some(({ name, value }) => name === pathText(obj) && value.type === "call_expression" && isAllocCall(calleeName(value) ?? ""));
  }

  /** A patch function that itself waits for a grace period. */
  private waitsInside(name: string): boolean {
    let w = this.waits.get(name);
    if (w === undefined) {
      w = this.facts.world.functionsNamed(name).some((d) => descendantsOfType(d.node, "call_expression").some((c) => isGracePeriodCall(calleeName(c) ?? "")));
      this.waits.set(name, w);
    }
    return w;
  }

  /** Why a type key is RCU-protected, or null. */
  pointer(key: string | null): RcuEvidence | null {
    return key ? this.pointers.get(key) ?? null : null;
  }

  private note(key: string, e: RcuEvidence) {
    const had = this.pointers.get(key);
    if (!had || (had.why === "accessor" && e.why === "annotated")) this.pointers.set(key, e);
  }
}

/** The object a call argument names (`&e->node` is a member of `e`: the object is `e`). */
export function objectOf(f: FunctionFacts, arg: SyntaxNode | undefined): Path | null {
  const p = f.ids.path(arg);
  if (!p) return null;
  let k = p.steps.length;
  while (k > 0 && p.steps[k - 1].op === ".") k--;
  return unparen(arg!).type === "pointer_expression" || k < p.steps.length ? { ...p, steps: p.steps.slice(0, Math.max(k - 1, 0)) } : p;
}

/** Every `x = value` and `T *x = value` of a function: the canonical target and the value. */
function assignments(f: FunctionFacts): { name: string; value: SyntaxNode }[] {
  const out: { name: string; value: SyntaxNode }[] = [];
  for (const n of descendantsOfType(f.fn.node, ["init_declarator", "assignment_expression"])) {
    const left = n.childForFieldName(n.type === "init_declarator" ? "declarator" : "left");
    const right = n.childForFieldName(n.type === "init_declarator" ? "value" : "right");
    if (!left || !right) continue;
    const p = n.type === "init_declarator" ? null : f.ids.path(left);
    const name = n.type === "init_declarator" ? descendantsOfType(left, "identifier").pop()?.text ?? (left.type === "identifier" ? left.text : null) : p ? pathText(p) : null;
    if (name) out.push({ name, value: unparen(right) });
  }
  return out;
}

/** Labels of an error ladder: code there undoes what the function itself set up. */
const UNWIND_LABEL = /^(out|err|fail|bad|unwind|free|clean|undo|bail|abort|put|release|remove|del|drop|exit|error)/i;

/** Does `node` stand on an error ladder (after an `out_*:`/`err_*:` label of its block, or inside one)? */
export function onErrorLadder(node: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node; n && n.type !== "function_definition"; n = n.parent) {
    for (let s: SyntaxNode | null = n; s; s = s.previousNamedSibling) {
      if (s.type === "labeled_statement" && UNWIND_LABEL.test(s.childForFieldName("label")?.text ?? "")) return true;
    }
  }
  return false;
}

/** The text of a node's rows as written (kernel annotations such as `__rcu` kept). */
function rawText(view: CView, node: SyntaxNode): string {
  let out = "";
  for (let r = node.startPosition.row; r <= node.endPosition.row; r++) out += view.rawRow(r) + "\n";
  return out;
}
