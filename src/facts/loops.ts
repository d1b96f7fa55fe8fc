/**
 * What happens inside the body of a list walk: the facts a rule about the
 * `_safe` iterators needs.
 *
 * - `walkBody(call)`: the statement a `list_for_each_entry*()` governs (the
 *   macro parses as a call followed by its body);
 * - `bodySeen(body, view)`: the patch shows the whole body (no lines hidden
 *   between two hunks, no brace made up to close a hunk that ends inside it);
 * - `entryLeaves(body, pos, member)`: where the body lets go of the walked
 *   entry: takes it off (or moves it from) the list, or hands the entry
 *   itself to a call (`kfree(pos)`, `foo_delete(pos)`), which may free it.
 *   That is what the `_safe` form is for;
 * - `lockDrops(locks, body, held)`: the locks held at the walk that the body
 *   releases and takes again, and whether the body then goes on to the next
 *   entry (the one saved before the lock was dropped) or leaves the walk.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { callArgs, calleeName, rootVar, unparen } from "../c/syntax.js";
import { LIST_CALLS } from "../c/kernel/lists.js";
import { LOCK_CALLS } from "../c/kernel/locks.js";
import { LET_GO_NAME } from "../c/kernel/naming.js";
import { isRefDropCall } from "../c/kernel/waits.js";
import { isIteratorMacro } from "./flow.js";
import type { FunctionLocks, HeldLock } from "./locks.js";
import { descendantsOfType } from "../c/descendants.js";

/** The body a walk call governs: the statement after the macro, or null when it has none (a declaration-like use). */
export function walkBody(call: SyntaxNode): SyntaxNode | null {
  const stmt = call.parent;
  if (!stmt || !isIteratorMacro(stmt) || stmt.namedChildren[0]?.id !== call.id) return null;
  let next = stmt.nextNamedSibling;
  while (next?.type === "comment") next = next.nextNamedSibling;
  return next;
}

/** Does the view show all of a walk's body? Not when the patch hides lines inside it, or the hunk ends before it does. */
export function bodySeen(body: SyntaxNode, view: CView): boolean {
  if (view.spansGap(body)) return false;
  const last = body.lastChild;
  return !last || (!view.isSynthetic(last) && !last.isMissing);
}


function calls(body: SyntaxNode): SyntaxNode[] {
  return body.type === "call_expression" ? [body] : descendantsOfType(body, "call_expression");
}

/**
 * The first call in `body` by which the walked entry `pos` leaves the walk's
 * hands: a list change of the entry (`list_del(&pos->node)`,
 * `list_move(&pos->node, &done)`), or a call handed the entry itself or its
 * link (`kfree(pos)`, `foo_delete(pos)`, `foo(&pos->node)`), or a call named
 * for letting go of an object handed anything of the entry
 * (`foo_put(pos->attach)`, `kref_put(&pos->ref, release)`). Null when the
 * body only reads the entry.
 */
export function entryLeaves(body: SyntaxNode, pos: string, member: string | null): SyntaxNode | null {
  for (const c of calls(body)) {
    const name = calleeName(c);
    const a = callArgs(c);
    const api = name ? LIST_CALLS[name] : undefined;
    if (api) {
      if (api.op === "mutation" && api.entry >= 0 && rootVar(a[api.entry]) === pos) return c;
      continue;
    }
    if (name && LOCK_CALLS[name]) continue;
    const letsGo = !!name && (isRefDropCall(name) || LET_GO_NAME.test(name));
    for (const arg of a) {
      if (letsGo && rootVar(arg) === pos) return c;
      const x = unparen(arg);
      if (x.type === "identifier" && x.text === pos) return c;
      // `&pos->node`: the link the entry is on.
      if (member && x.type === "pointer_expression" && x.child(0)?.type === "&") {
        const f = x.namedChildren[0];
        if (f?.type === "field_expression" && f.childForFieldName("field")?.text === member && rootVar(f) === pos) return c;
      }
    }
  }
  return null;
}

export interface LockDrop {
  /** The lock held at the walk. */
  lock: HeldLock;
  /** The call in the body that releases it. */
  release: SyntaxNode;
  /** The call after it that takes it again, or null. */
  retake: SyntaxNode | null;
  /** After the retake, the body leaves the walk (break, return, goto) rather than going on to the saved next entry. */
  leaves: boolean;
}

const JUMPS = new Set(["break_statement", "return_statement", "goto_statement"]);

/** Does a jump out of the walk follow `node`, in its block or an enclosing one, up to the body? */
function jumpFollows(node: SyntaxNode, body: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node; n && n.id !== body.id; n = n.parent) {
    for (let s = n.nextNamedSibling; s; s = s.nextNamedSibling) if (JUMPS.has(s.type)) return true;
  }
  return false;
}

/**
 * The locks held (on every path) at a walk that its body releases, with the
 * call that takes each again. A lock released only on a path that then
 * leaves the walk is no drop of the walk's lock: the saved next entry is
 * never used.
 */
export function lockDrops(locks: FunctionLocks, body: SyntaxNode, held: ReadonlyMap<string, HeldLock>): LockDrop[] {
  const out: LockDrop[] = [];
  const cs = calls(body);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const name = calleeName(c);
    const api = name ? LOCK_CALLS[name] : undefined;
    if (!api || api.op !== "release") continue;
    const key = api.arg < 0 ? api.key! : locks.lockOf(callArgs(c)[api.arg]).key;
    const lock = held.get(key);
    if (!lock || !lock.must || out.some((d) => d.lock.key === key)) continue;
    let retake: SyntaxNode | null = null;
    for (let j = i + 1; j < cs.length && !retake; j++) {
      const n = calleeName(cs[j]);
      const r = n ? LOCK_CALLS[n] : undefined;
      if (r?.op === "acquire" && (r.arg < 0 ? r.key! : locks.lockOf(callArgs(cs[j])[r.arg]).key) === key) retake = cs[j];
    }
    out.push({ lock, release: c, retake, leaves: jumpFollows(statementOf(retake ?? c, body), body) });
  }
  return out;
}

/** The statement around a call, directly in a block (or the body itself). */
function statementOf(n: SyntaxNode, body: SyntaxNode): SyntaxNode {
  let s = n;
  while (s.parent && s.parent.id !== body.id && s.parent.type !== "compound_statement") s = s.parent;
  return s;
}
