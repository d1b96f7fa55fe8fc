/**
 * Which functions may sleep, and why: a call of a function is a call that
 * may sleep when its body, or a body it calls (three calls deep at most),
 * makes a call from the table of src/c/kernel/sleeps.ts or hands one a gfp
 * mask that may reclaim.
 *
 * Bodies come from the patch (its functions, and whole files when there is
 * a tree) and, with a tree, from the files the Makefile builds into the same
 * module (src/c/callees.ts). A body that looks at its context before
 * sleeping (`in_interrupt()`, `irqs_disabled()`, `gfpflags_allow_blocking()`,
 * ...) or takes an atomic lock of its own is not judged: what it does
 * depends on things this summary cannot see, so it counts as not known to
 * sleep.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { calleeName } from "../c/syntax.js";
import { LOCK_CALLS } from "../c/kernel/locks.js";
import { ATOMIC_GFP, CONTEXT_CHECKS, SLEEPING_GFP, isSleepingCall } from "../c/kernel/sleeps.js";
import type { TreeCallees } from "../c/callees.js";
import type { World } from "./world.js";
import { descendantsOfType } from "../c/descendants.js";

/** How many calls down a summary looks. */
const DEPTH = 3;

export interface SleepChain {
  /** The calls from the callee down to the one that sleeps: `["dwc2_force_mode", "dwc2_wait_for_mode", "usleep_range"]`. */
  calls: string[];
  /** The call that sleeps, in the body that makes it. */
  node: SyntaxNode;
  /** The file of that body. */
  file: string;
  /** The call that sleeps stands on a line the patch adds (where a rule reports it on its own). */
  added: boolean;
}

/** Does this call sleep by itself (by name, or by the gfp mask it is handed)? */
export function sleepsItself(call: SyntaxNode): boolean {
  const name = calleeName(call);
  if (!name) return false;
  if (isSleepingCall(name)) return true;
  const args = call.childForFieldName("arguments")?.text ?? "";
  return SLEEPING_GFP.test(args) && !ATOMIC_GFP.test(args);
}

export class SleepFacts {
  private readonly memo = new Map<string, SleepChain | null>();
  private readonly active = new Set<string>();

  constructor(
    private readonly world: World,
    private readonly callees: TreeCallees | null,
  ) {}

  /** Why calling `name` (from a function of `file`) may sleep; null when nothing says it does. */
  chain(name: string, file: string, depth = 0): SleepChain | null {
    const key = `${file}\0${name}`;
    if (this.memo.has(key)) return this.memo.get(key)!;
    if (this.active.has(key) || depth >= DEPTH || LOCK_CALLS[name]) return null;
    this.active.add(key);
    let out: SleepChain | null = null;
    try {
      const def = this.definition(name, file);
      if (def) out = this.body(name, def, depth);
    } finally {
      this.active.delete(key);
    }
    this.memo.set(key, out);
    return out;
  }

  private definition(name: string, file: string): { node: SyntaxNode; file: string; view: CView | null } | null {
    const own = this.world.functionsNamed(name);
    const near = own.find((f) => (f.cfile.file.newPath ?? f.cfile.file.oldPath) === file) ?? own[0];
    if (near) return { node: near.node, file: near.cfile.file.newPath ?? near.cfile.file.oldPath ?? file, view: near.view };
    const tree = this.callees?.definition(name, file);
    return tree ? { ...tree, view: null } : null;
  }

  private body(name: string, def: { node: SyntaxNode; file: string; view: CView | null }, depth: number): SleepChain | null {
    const { file, view } = def;
    const calls = descendantsOfType(def.node, "call_expression");
    for (const c of calls) {
      const n = calleeName(c);
      if (!n) continue;
      if (CONTEXT_CHECKS.has(n)) return null;
      const lock = LOCK_CALLS[n];
      if (lock?.op === "acquire" && lock.atomic) return null;
    }
    for (const c of calls) if (sleepsItself(c)) return { calls: [name, calleeName(c)!], node: c, file, added: !!view?.isAdded(c) };
    for (const c of calls) {
      const n = calleeName(c);
      if (!n || n === name) continue;
      const down = this.chain(n, file, depth + 1);
      if (down) return { ...down, calls: [name, ...down.calls] };
    }
    return null;
  }
}
