/**
 * What the patch's C says is RCU-protected, across its files:
 *
 * - pointers: struct members and globals declared `__rcu`, or handed to an
 *   RCU accessor (`rcu_assign_pointer()`, `rcu_dereference*()`, ...) in any
 *   function of the patch; known by type key (`foo::conf`, or a global's
 *   name), so a plain `f->conf` in another function is recognised;
 * - try-gets: the struct types whose objects readers find under
 *   `rcu_read_lock()` and pin with a try-get (`atomic_inc_not_zero(&z->ref)`):
 *   their memory must outlive the last put by a grace period.
 *
 * Computed once per patch and side, from the world and the lock facts.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { callArgs, calleeName } from "../c/syntax.js";
import { RCU_ACCESSORS, TRY_GET_CALLS } from "../c/kernel/rcu.js";
import { ownerOf } from "./identity.js";
import type { PatchFacts } from "./index.js";

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
    for (const info of world.functions) {
      const calls = info.node.descendantsOfType("call_expression");
      if (!calls.some((c) => { const n = calleeName(c); return !!n && (n in RCU_ACCESSORS || TRY_GET_CALLS.has(n)); })) continue;
      const fn = info.view.describeFunction(info.node);
      const f = facts.function(fn, info.view);
      for (const call of calls) {
        const name = calleeName(call);
        if (!name) continue;
        const arg = callArgs(call)[0];
        if (name in RCU_ACCESSORS) {
          const p = f.ids.path(arg);
          const key = p && f.ids.typeKey(p);
          if (key) this.note(key, { why: "accessor", node: call, view: info.view });
        } else if (TRY_GET_CALLS.has(name)) {
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

  /** Why a type key is RCU-protected, or null. */
  pointer(key: string | null): RcuEvidence | null {
    return key ? this.pointers.get(key) ?? null : null;
  }

  private note(key: string, e: RcuEvidence) {
    const had = this.pointers.get(key);
    if (!had || (had.why === "accessor" && e.why === "annotated")) this.pointers.set(key, e);
  }
}

/** The text of a node's rows as written (kernel annotations such as `__rcu` kept). */
function rawText(view: CView, node: SyntaxNode): string {
  let out = "";
  for (let r = node.startPosition.row; r <= node.endPosition.row; r++) out += view.rawRow(r) + "\n";
  return out;
}
