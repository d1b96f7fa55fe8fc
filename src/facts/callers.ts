/**
 * How two patch functions are called relative to each other.
 *
 * `runInSequence(facts, a, b)`: every call of `a` and of `b` in the patch
 * stands in one and the same function (the reset handler that calls
 * `foo_mark_dirty()` then `foo_del_dirty()`), or one calls the other. They
 * run one after the other in one thread, never at the same time: what one
 * does to a list is no concurrent change for the other. False when either
 * has no call in the patch (who calls it, and from where, is unknown).
 *
 * `fileLocal(fn)`: a `static` function, called only from its own file. A
 * driver's static functions run in the flows the driver itself sets up (its
 * reset handler, its event work); one that is not static is an entry point
 * other code calls, from whatever context it runs in.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { PatchFacts } from "./index.js";

export function fileLocal(fn: { node: SyntaxNode; headVisible: boolean }): boolean {
  if (!fn.headVisible) return false;
  return fn.node.namedChildren.some((c) => c.type === "storage_class_specifier" && c.text === "static");
}

export function runInSequence(facts: PatchFacts, a: string, b: string): boolean {
  if (a === b) return false;
  const callersOf = (name: string) => new Set(facts.callSites(name).map((s) => s.caller.name ?? "?"));
  const ca = callersOf(a);
  const cb = callersOf(b);
  if (ca.size === 0 && cb.size === 0) return false;
  if (ca.has("?") || cb.has("?")) return false;
  // One calls the other, and nothing else calls it.
  if ((cb.size === 1 && cb.has(a)) || (ca.size === 1 && ca.has(b))) return true;
  return ca.size === 1 && cb.size === 1 && [...ca][0] === [...cb][0];
}
