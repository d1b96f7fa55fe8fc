/**
 * `descendantsOfType` answered from an index per tree and node type.
 *
 * The analyses and the rules ask tree-sitter for the calls (assignments,
 * identifiers, ...) inside a function again and again: each asks for its
 * own, and each question is a native walk of the subtree that builds a
 * fresh JavaScript object per node found. Here the first question on a tree
 * walks it once, for every type asked of any tree so far (identifiers
 * aside); each question is then a binary search by offsets in the nodes of
 * its types. The answer is the native one: the node itself when it has the
 * type, then its descendants of the type, in document order.
 */
import type { SyntaxNode, Tree } from "./parser.js";

interface TypeIndex {
  nodes: SyntaxNode[];
  starts: Int32Array;
  ends: Int32Array;
  /** The largest end among nodes 0..i (made on first use, for enclosingOfType). */
  reach?: Int32Array;
}

interface TreeIndex {
  /** The nodes of every type in `covered`, in document order, found by one walk. */
  union: SyntaxNode[];
  covered: ReadonlySet<string>;
  byKey: Map<string, TypeIndex>;
}

const indexes = new WeakMap<Tree, TreeIndex>();

/**
 * Every type asked for on this thread so far, but DENSE ones. A tree's
 * first question walks it once for all of them, since the analyses and
 * rules ask much the same types of every tree; a type first asked later,
 * and a dense one, gets a walk of its own.
 */
const asked = new Set<string>();

/**
 * Types left out of the union: identifiers are half of all the nodes a tree
 * holds of the types asked, and fewer than half of the trees are asked for
 * them (a node object costs more than a walk).
 */
const DENSE = new Set(["identifier"]);

/** Notes the types asked, for the next trees' one walk. */
function note(types: readonly string[]): void {
  for (const t of types) if (!DENSE.has(t)) asked.add(t);
}

function typeIndex(nodes: SyntaxNode[]): TypeIndex {
  const starts = new Int32Array(nodes.length);
  const ends = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    starts[i] = nodes[i]!.startIndex;
    ends[i] = nodes[i]!.endIndex;
  }
  return { nodes, starts, ends };
}

function indexOf(tree: Tree, key: string, types: readonly string[]): TypeIndex {
  let perTree = indexes.get(tree);
  if (!perTree) {
    note(types);
    const covered = new Set(asked);
    perTree = { union: tree.rootNode.descendantsOfType([...covered]), covered, byKey: new Map() };
    indexes.set(tree, perTree);
  }
  let ix = perTree.byKey.get(key);
  if (!ix) {
    const { union, covered } = perTree;
    if (types.every((t) => covered.has(t))) {
      const wanted = new Set(types);
      ix = typeIndex(union.filter((n) => wanted.has(n.type)));
    } else {
      note(types);
      ix = typeIndex(tree.rootNode.descendantsOfType([...types]));
    }
    perTree.byKey.set(key, ix);
  }
  return ix;
}

/** True when `n` is `anc` or lies under it (for the few nodes offsets cannot place). */
function within(n: SyntaxNode, anc: SyntaxNode): boolean {
  for (let p: SyntaxNode | null = n; p; p = p.parent) if (p.id === anc.id) return true;
  return false;
}

/**
 * True when `n` (spanning ns..ne) is `anc` (s..e) or lies under it: by
 * offsets, and by the parents where offsets cannot tell an ancestor
 * spanning the same text, nor an empty (missing) node at the very end,
 * from a descendant.
 */
function inside(anc: SyntaxNode, s: number, e: number, n: SyntaxNode, ns: number, ne: number): boolean {
  if (ns < s || ne > e) return false;
  if ((ns === s && ne === e) || ns === e) return within(n, anc);
  return true;
}

/** True when `n` is `anc` or lies under it. */
export function encloses(anc: SyntaxNode, n: SyntaxNode): boolean {
  return inside(anc, anc.startIndex, anc.endIndex, n, n.startIndex, n.endIndex);
}

/** The nodes of `types` at or under `node`, in document order, as `node.descendantsOfType(types)` gives them. */
export function descendantsOfType(node: SyntaxNode, types: string | readonly string[]): SyntaxNode[] {
  const list = typeof types === "string" ? [types] : types;
  // Most questions ask one type: its name is the key, no string made per question.
  const key = list.length === 1 ? list[0]! : list.join(" ");
  const ix = indexOf(node.tree, key, list);
  const s = node.startIndex;
  const e = node.endIndex;
  let lo = 0;
  let hi = ix.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ix.starts[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  const out: SyntaxNode[] = [];
  for (let i = lo; i < ix.starts.length && ix.starts[i]! <= e; i++) {
    const n = ix.nodes[i]!;
    if (inside(node, s, e, n, ix.starts[i]!, ix.ends[i]!)) out.push(n);
  }
  return out;
}

/**
 * The innermost node of `type` at or above `node`, as a walk up its parents
 * finds it (`enclosingFunction`), from the tree's index: no parent is asked
 * for, and tree-sitter finds a parent by walking down from the root.
 */
export function enclosingOfType(node: SyntaxNode, type: string): SyntaxNode | null {
  const ix = indexOf(node.tree, type, [type]);
  const s = node.startIndex;
  const e = node.endIndex;
  if (!ix.reach) {
    ix.reach = new Int32Array(ix.ends.length);
    let m = -1;
    for (let i = 0; i < ix.ends.length; i++) ix.reach[i] = m = Math.max(m, ix.ends[i]!);
  }
  // The last node starting at or before `node`, then back while one further back could still reach over it.
  let lo = 0;
  let hi = ix.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ix.starts[mid]! <= s) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0 && ix.reach[i]! >= e; i--) {
    if (inside(ix.nodes[i]!, ix.starts[i]!, ix.ends[i]!, node, s, e)) return ix.nodes[i]!;
  }
  return null;
}
