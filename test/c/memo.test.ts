/**
 * The node memo (src/c/memo.ts) answers what the binding answers: checked
 * against a tree cursor, which walks the tree without going through the
 * memoized getters, on a real kernel file. Shared answers cannot be changed
 * by one caller for the others.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseC, type SyntaxNode } from "../../src/c/parser.js";

const CORE = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/sleep-in-atomic/bad-devset-callee-sleeps.tree/drivers/usb/dwc2/core.c"), "utf8");

interface Seen {
  type: string;
  start: number;
  end: number;
  field: string | null;
  children: Seen[];
}

/** The tree as a cursor sees it. */
function cursorTree(root: SyntaxNode): Seen {
  const c = root.walk();
  const visit = (): Seen => {
    const s: Seen = { type: c.nodeType, start: c.startIndex, end: c.endIndex, field: c.currentFieldName ?? null, children: [] };
    if (c.gotoFirstChild()) {
      do s.children.push(visit());
      while (c.gotoNextSibling());
      c.gotoParent();
    }
    return s;
  };
  return visit();
}

/** Compares a node's memoized answers with the cursor's view, asking each twice. */
function compare(node: SyntaxNode, seen: Seen, parent: SyntaxNode | null): number {
  let n = 0;
  for (let round = 0; round < 2; round++) {
    expect(node.type).toBe(seen.type);
    expect([node.startIndex, node.endIndex]).toEqual([seen.start, seen.end]);
    expect(node.text).toBe(CORE.slice(seen.start, seen.end));
    expect(node.parent?.id ?? null).toBe(parent?.id ?? null);
    expect(node.childCount).toBe(seen.children.length);
    expect(node.children.map((c) => c.type)).toEqual(seen.children.map((c) => c.type));
    expect(node.namedChildren.map((c) => c.id)).toEqual(node.children.filter((c) => c.isNamed).map((c) => c.id));
    for (const [i, c] of seen.children.entries()) {
      if (c.field) expect(node.childForFieldName(c.field)?.startIndex, `${seen.type}.${c.field}`).toBe(seen.children.find((d) => d.field === c.field)!.start);
      if (i > 0) expect(node.children[i]!.previousSibling?.id).toBe(node.children[i - 1]!.id);
    }
    expect(node.childForFieldName("no_such_field")).toBeNull();
  }
  n++;
  node.children.forEach((c, i) => (n += compare(c, seen.children[i]!, node)));
  return n;
}

describe("node memo", () => {
  it("answers as the binding does, the first time and the next, for every node of a real file", () => {
    const tree = parseC(CORE);
    expect(compare(tree.rootNode, cursorTree(tree.rootNode), null)).toBeGreaterThan(5_000);
  });

  it("hands out one answer, which no caller can change", () => {
    const tree = parseC("int f(int a) { return g(a, 1); }");
    const call = tree.rootNode.descendantsOfType("call_expression")[0]!;
    const args = call.childForFieldName("arguments")!;
    expect(args.namedChildren).toBe(args.namedChildren);
    expect(() => (args.namedChildren as SyntaxNode[]).pop()).toThrow(TypeError);
    expect(() => ((args.startPosition as { row: number }).row = 9)).toThrow(TypeError);
    expect(args.namedChildren.map((n) => n.text)).toEqual(["a", "1"]);
    expect(call.parent!.type).toBe("return_statement");
  });
});
