/**
 * descendantsOfType from the per-tree index gives what tree-sitter's own
 * walk gives, node for node and in the same order: on a real kernel file
 * (drivers/usb/dwc2/core.c of Linux 6.12), for every node of it, and on C
 * broken enough to hold missing (empty) nodes; whether the tree's one walk
 * already covered the types asked or they come later. enclosingOfType
 * gives what a walk up the parents finds, for types that nest too.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { descendantsOfType, enclosingOfType } from "../../src/c/descendants.js";
import { parseC, type SyntaxNode } from "../../src/c/parser.js";

const CORE = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/sleep-in-atomic/bad-devset-callee-sleeps.tree/drivers/usb/dwc2/core.c"), "utf8");
// Asked in this order, the first tree's index starts with one type and meets the others later; the next trees' start with all of them.
// Aliases (field_identifier is the grammar's identifier) and anonymous tokens ("return") are named as the binding names them.
const TYPES: (string | string[])[] = [
  "call_expression", "identifier", "if_statement", "compound_statement", ["assignment_expression", "call_expression", "field_expression"],
  ["init_declarator", "identifier"], ["field_identifier", "type_identifier"], "return",
];

function allNodes(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode) => {
    out.push(n);
    for (const c of n.children) visit(c);
  };
  visit(root);
  return out;
}

const ids = (nodes: SyntaxNode[]) => nodes.map((n) => n.id);

function sameAsNative(source: string, every = 1): number {
  const tree = parseC(source);
  let compared = 0;
  allNodes(tree.rootNode).forEach((node, i) => {
    if (i % every !== 0) return;
    for (const t of TYPES) {
      expect(ids(descendantsOfType(node, t)), `${node.type} at ${node.startIndex}, ${String(t)}`).toEqual(ids(node.descendantsOfType(t)));
      compared++;
    }
  });
  return compared;
}

describe("descendantsOfType", () => {
  it("gives tree-sitter's answer for nodes of a real kernel file", () => {
    expect(sameAsNative(CORE, 3)).toBeGreaterThan(10_000);
  });

  it("gives tree-sitter's answer around missing and error nodes", () => {
    const broken = "int f(void) { g(h(1); if (a) { x = ; } y = (z \n}\nstatic int k = ;\n";
    const tree = parseC(broken);
    expect(allNodes(tree.rootNode).some((n) => n.isMissing || n.type === "ERROR")).toBe(true);
    expect(sameAsNative(broken)).toBeGreaterThan(50);
  });

  it("includes the node itself when it has the type, and returns a fresh array each time", () => {
    const tree = parseC("void f(void) { g(h(1)); }");
    const call = descendantsOfType(tree.rootNode, "call_expression")[0]!;
    expect(descendantsOfType(call, "call_expression").map((n) => n.text)).toEqual(["g(h(1))", "h(1)"]);
    descendantsOfType(call, "call_expression").pop();
    expect(descendantsOfType(call, "call_expression")).toHaveLength(2);
  });
});

function byParents(node: SyntaxNode, type: string): SyntaxNode | null {
  for (let n: SyntaxNode | null = node; n; n = n.parent) if (n.type === type) return n;
  return null;
}

describe("enclosingOfType", () => {
  // function_definition does not nest; compound_statement and if_statement do, and most nodes have several of them above.
  const ENCLOSING = ["function_definition", "compound_statement", "if_statement", "struct_specifier"];

  function sameAsParents(source: string, every = 1): { compared: number; found: number } {
    const tree = parseC(source);
    let compared = 0;
    let found = 0;
    allNodes(tree.rootNode).forEach((node, i) => {
      if (i % every !== 0) return;
      for (const t of ENCLOSING) {
        const want = byParents(node, t);
        expect(enclosingOfType(node, t)?.id ?? null, `${node.type} at ${node.startIndex}, ${t}`).toBe(want?.id ?? null);
        compared++;
        if (want) found++;
      }
    });
    return { compared, found };
  }

  it("finds what a walk up the parents finds, in a real kernel file", () => {
    const { compared, found } = sameAsParents(CORE, 5);
    expect(compared).toBeGreaterThan(5_000);
    // most nodes are inside a function, and many are not (file scope, declarations)
    expect(found).toBeGreaterThan(compared / 4);
    expect(found).toBeLessThan(compared);
  });

  it("finds what a walk up the parents finds around missing and error nodes", () => {
    const broken = "int f(void) { if (a) { if (b) g(h(1); } x = ; }\nstruct s { int a; struct t { int b } c; };\nint k(void) { y = (z \n}\n";
    expect(sameAsParents(broken).found).toBeGreaterThan(20);
  });
});
