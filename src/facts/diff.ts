/**
 * What the patch changed, as facts: a reviewer reads the removed lines
 * beside the added ones. Many bugs arrive as a change to working code that
 * weakens a guard:
 *
 * - a removed NULL test: the pre-image of a function tested an expression the
 *   post-image no longer tests (`removedTests`);
 * - a statement moved out of a lock, or a lock released earlier: the same
 *   call was made under a lock in the pre-image and is not under it now
 *   (`lockedBefore`, and `lostLocks` for what it lost); the other way round,
 *   an unchanged call the patch put under a lock (`stateBefore`);
 * - moved code: a call the pre-image already made (`existedBefore`);
 * - a removed wait: the pre-image waited (`wait_event()`, `synchronize_rcu()`,
 *   `flush_work()`) where the post-image does not (`removedCalls`).
 *
 * A function is matched across the images by name; a call by its text
 * (white space aside), in the same function.
 */
import { guardsWriters } from "../c/kernel/locks.js";
import type { SyntaxNode } from "../c/parser.js";
import type { CView, EnclosingFunction } from "../c/view.js";
import { calleeName } from "../c/syntax.js";
import type { FunctionFacts, PatchFacts } from "./index.js";
import { holds, type HeldLock, type LockState } from "./locks.js";
import type { NullTest } from "./tests.js";
import { descendantsOfType } from "../c/descendants.js";

const norm = (s: string) => s.replace(/\s+/g, "");

export class ChangeFacts {
  private preCalls?: Map<string, Set<string>>;

  constructor(
    private readonly post: PatchFacts,
    /** The pre-image's facts, asked for when a question needs them: parsing the pre-images is half the parsing. */
    private readonly preFacts: () => PatchFacts,
  ) {}

  private preValue?: PatchFacts;

  private get pre(): PatchFacts {
    return (this.preValue ??= this.preFacts());
  }

  /**
   * Was this call there before the patch: the same call (white space aside)
   * in the pre-image of any C file of the patch, so moved or re-indented
   * code, and code moved between files, is not new.
   */
  existedBefore(call: SyntaxNode): boolean {
    if (!this.preCalls) {
      this.preCalls = new Map();
      for (const v of this.pre.views) {
        for (const c of descendantsOfType(v.root, "call_expression")) {
          const n = calleeName(c);
          if (!n) continue;
          let set = this.preCalls.get(n);
          if (!set) this.preCalls.set(n, (set = new Set()));
          set.add(norm(c.text));
        }
      }
    }
    const n = calleeName(call);
    return !!n && !!this.preCalls.get(n)?.has(norm(call.text));
  }

  /** True when some C file's pre-image holds this text (a name, say): nothing is parsed for it. */
  mentionedBefore(text: string): boolean {
    return this.post.cfiles.some((cf) => cf.mentionedBefore(text));
  }

  /** Did the pre-image of any C file define a function of this name. */
  definedBefore(name: string): boolean {
    return this.mentionedBefore(name) && this.pre.world.functionsNamed(name).length > 0;
  }

  /** The pre-image of a post-image function (same name, in the pre-image of any C file). */
  preFunction(fn: EnclosingFunction): FunctionFacts | null {
    if (!fn.name || !this.mentionedBefore(fn.name)) return null;
    const def = this.pre.world.functionsNamed(fn.name)[0];
    return def ? this.pre.function(def.view.describeFunction(def.node), def.view) : null;
  }

  /** NULL tests the pre-image of the function made and the post-image does not, by canonical key. */
  removedTests(fn: EnclosingFunction, view: CView): Map<string, NullTest> {
    const out = new Map<string, NullTest>();
    const before = this.preFunction(fn);
    if (!before) return out;
    const now = this.post.function(fn, view).nullTests;
    for (const [k, t] of before.nullTests) if (!now.has(k)) out.set(k, t);
    return out;
  }

  /**
   * What was held where the pre-image made this same call, in the same
   * function: undefined when the pre-image makes no such call (the call is
   * new, or the function is), null when that call was unreachable.
   */
  stateBefore(call: SyntaxNode, fn: EnclosingFunction): LockState | undefined {
    const before = this.preFunction(fn);
    if (!before) return undefined;
    const text = norm(call.text);
    const name = calleeName(call);
    let found = false;
    for (const old of descendantsOfType(before.fn.node, "call_expression")) {
      if (calleeName(old) !== name || norm(old.text) !== text) continue;
      found = true;
      const state = before.locks.heldAt(old);
      if (state) return state;
    }
    return found ? null : undefined;
  }

  /**
   * The locks (real ones, held on every path) under which the pre-image made
   * this same call, in the same function; empty when it made none or the
   * call is new.
   */
  lockedBefore(call: SyntaxNode, fn: EnclosingFunction): HeldLock[] {
    const state = this.stateBefore(call, fn);
    if (!state) return [];
    return [...state.values()].filter((h) => h.must && guardsWriters(h.kind) && h.kind !== "custom" && h.source !== "caller");
  }

  /** The locks the call was made under before the patch and is not made under now: the statement left its critical section. */
  lostLocks(call: SyntaxNode, fn: EnclosingFunction, view: CView): HeldLock[] {
    const now = this.post.function(fn, view).locks.heldAt(call);
    if (!now) return [];
    return this.lockedBefore(call, fn).filter((l) => !holds(now, l));
  }

  /** Calls of the pre-image of the function (by name) that the post-image no longer makes, among `names`. */
  removedCalls(fn: EnclosingFunction, view: CView, names: (name: string) => boolean): SyntaxNode[] {
    const before = this.preFunction(fn);
    if (!before) return [];
    const now = new Set(
      descendantsOfType(this.post.function(fn, view).fn.node, "call_expression")
        .map((c) => calleeName(c))
        .filter((n): n is string => !!n),
    );
    return descendantsOfType(before.fn.node, "call_expression").filter((c) => {
      const n = calleeName(c);
      return !!n && names(n) && !now.has(n);
    });
  }
}
