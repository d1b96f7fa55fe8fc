/**
 * `descendantsOfType` answered from an index per tree and node type.
 *
 * The analyses and the rules ask tree-sitter for the calls (assignments,
 * identifiers, ...) inside a function again and again: each asks for its
 * own, and each question is a native walk of the subtree that builds a
 * fresh JavaScript object per node found. Here the first question for a type
 * walks the whole tree once; later ones are a binary search in the nodes
 * found, by their offsets. The answer is the native one: the node itself
 * when it has the type, then its descendants of the type, in document order.
 */
import type { SyntaxNode, Tree } from "./parser.js";

interface TypeIndex {
  nodes: SyntaxNode[];
  starts: Int32Array;
  ends: Int32Array;
}

const indexes = new WeakMap<Tree, Map<string, TypeIndex>>();

function indexOf(tree: Tree, key: string, types: string | string[]): TypeIndex {
  let perTree = indexes.get(tree);
  if (!perTree) indexes.set(tree, (perTree = new Map()));
  let ix = perTree.get(key);
  if (!ix) {
    const nodes = tree.rootNode.descendantsOfType(types);
    const starts = new Int32Array(nodes.length);
    const ends = new Int32Array(nodes.length);
    nodes.forEach((n, i) => {
      starts[i] = n.startIndex;
      ends[i] = n.endIndex;
    });
    ix = { nodes, starts, ends };
    perTree.set(key, ix);
  }
  return ix;
}

/** True when `n` is `anc` or lies under it (for the few nodes offsets cannot place). */
function within(n: SyntaxNode, anc: SyntaxNode): boolean {
  for (let p: SyntaxNode | null = n; p; p = p.parent) if (p.id === anc.id) return true;
  return false;
}

/** The nodes of `types` at or under `node`, in document order, as `node.descendantsOfType(types)` gives them. */
export function descendantsOfType(node: SyntaxNode, types: string | readonly string[]): SyntaxNode[] {
  const list = typeof types === "string" ? types : [...types];
  const key = typeof list === "string" ? list : list.join(" ");
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
    const ns = ix.starts[i]!;
    const ne = ix.ends[i]!;
    if (ne > e) continue;
    const n = ix.nodes[i]!;
    // Offsets alone cannot tell an ancestor spanning the same text, nor an
    // empty (missing) node at the very end, from a descendant.
    if ((ns === s && ne === e) || ns === e) {
      if (!within(n, node)) continue;
    }
    out.push(n);
  }
  return out;
}
