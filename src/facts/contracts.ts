/**
 * Locking contracts a function states: `__must_hold(x)`, `__acquires(x)`,
 * `__releases(x)` on its head, and comments that say it is called with a lock
 * held ("Must be called with dev->lock held", "Caller holds foo_mutex").
 * Callers in the patch that hold a lock around the call are the third source;
 * ./index.ts joins them.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { HELD_ON_ENTRY, NOT_A_LOCK, NO_LOCK_NEEDED } from "../c/kernel/contracts.js";
import { pathFromText, type Identities, type Path } from "./identity.js";
import type { CallEffect } from "./locks.js";
import { commentText } from "./world.js";

export interface StatedLock {
  path: Path;
  how: "annotation" | "comment";
  text: string;
}

/** The raw text of a function's head (annotations kept), up to its body. */
export function headText(fn: SyntaxNode, view: CView): string {
  const body = fn.childForFieldName("body");
  const end = body ? body.startPosition.row : fn.endPosition.row;
  let out = "";
  for (let r = fn.startPosition.row; r <= end && r - fn.startPosition.row < 16; r++) out += `${view.rawRow(r)}\n`;
  return out;
}

function annotationArgs(head: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`\\b${name}\\s*\\(([^()]*(?:\\([^()]*\\)[^()]*)*)\\)`, "g");
  for (const m of head.matchAll(re)) out.push(m[1]);
  return out;
}

/** The comments that speak for a function: the one right above it, and the first one in its body. */
export function functionComments(fn: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const prev = fn.previousNamedSibling;
  if (prev?.type === "comment" && prev.endPosition.row >= fn.startPosition.row - 1) out.push(prev);
  const body = fn.childForFieldName("body");
  const first = body?.namedChildren[0];
  if (first?.type === "comment") out.push(first);
  return out;
}

/** Locks the function says it is entered with. */
export function statedEntryLocks(fn: SyntaxNode, view: CView): StatedLock[] {
  const out: StatedLock[] = [];
  const head = headText(fn, view);
  for (const a of annotationArgs(head, "__must_hold")) {
    const p = pathFromText(a);
    if (p) out.push({ path: p, how: "annotation", text: `__must_hold(${a})` });
  }
  for (const c of functionComments(fn)) {
    const text = commentText(c);
    for (const re of HELD_ON_ENTRY) {
      const m = re.exec(text);
      if (!m) continue;
      const p = pathFromText(m[1]);
      if (p && !NOT_A_LOCK.has(p.root.toLowerCase())) {
        out.push({ path: p, how: "comment", text });
        break;
      }
    }
  }
  return out;
}

/** What calling the function does to locks, from `__acquires`/`__releases` on its head. */
export function callEffect(fn: SyntaxNode, view: CView, ids: Identities): CallEffect | null {
  const head = headText(fn, view);
  if (!/__acquires|__releases/.test(head)) return null;
  const map = (text: string) => {
    const p = pathFromText(text);
    if (!p) return null;
    const d = ids.decls.get(p.root);
    if (d?.kind === "param") return { param: d.index, rest: { ...p, root: "", steps: p.steps }, global: null };
    return p.steps.length === 0 ? { param: -1, rest: null, global: p.root } : null;
  };
  const acquires = annotationArgs(head, "__acquires").map(map).filter((x) => x !== null);
  const releases = annotationArgs(head, "__releases").map(map).filter((x) => x !== null);
  return { acquires, releases };
}

/** The function's comment says it needs no lock ("doesn't need to hold lock: called in init"): the code states its locking. */
export function statesNoLockNeeded(fn: SyntaxNode): StatedLock | null {
  for (const c of functionComments(fn)) {
    const text = commentText(c);
    if (NO_LOCK_NEEDED.some((re) => re.test(text))) return { path: { root: "", steps: [], rootKind: "opaque", rootType: null }, how: "comment", text };
  }
  return null;
}
