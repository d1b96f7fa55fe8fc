/**
 * The node memo (src/c/memo.ts) answers what the binding answers: checked
 * against a tree cursor, which walks the tree without going through the
 * memoized getters, on a real kernel file. Shared answers cannot be changed
 * by one caller for the others.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { descendantsOfType, encloses, enclosingOfType } from "../../src/c/descendants.js";
import { bindingGetters } from "../../src/c/memo.js";
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

  it("reads the start offset, start point and id from the node as the binding's own getters do", () => {
    // Text past one byte a character and past one UTF-16 unit (é, 💾), before nodes and inside them.
    const text = `/* caf\u00e9 \u{1F4BE} */\nint f(int a) { const char *s = "\u00e9\u{1F4BE}"; return g(a, s); }\n${CORE}`;
    const tree = parseC(text);
    const c = tree.rootNode.walk();
    const ask = (node: SyntaxNode, name: string) => bindingGetters.get(name)!.call(node);
    const ids = new Set<number>();
    let n = 0;
    for (;;) {
      const node = c.currentNode;
      expect(node.startIndex).toBe(ask(node, "startIndex"));
      expect(node.startIndex).toBe(c.startIndex);
      expect(node.startPosition).toEqual(ask(node, "startPosition"));
      expect(node.startPosition).toEqual(c.startPosition);
      expect(node.id).toBe(ask(node, "id"));
      ids.add(node.id);
      n++;
      if (c.gotoFirstChild()) continue;
      while (!c.gotoNextSibling()) if (!c.gotoParent()) break;
      if (c.currentNode.id === tree.rootNode.id) break;
    }
    expect(n).toBeGreaterThan(5_000);
    expect(ids.size).toBe(n);
    const call = tree.rootNode.descendantsOfType("call_expression")[0]!;
    expect([call.text, call.startPosition.column]).toEqual(["g(a, s)", text.split("\n")[1]!.indexOf("g(a, s)")]);
  });

  it("keeps no binding cache of node objects: a node reached two ways is two objects with one id", () => {
    const tree = parseC("int f(int a) { if (a) return g(a, 1); return 0; }");
    const viaIndex = descendantsOfType(tree.rootNode, "if_statement")[0]!;
    const call = descendantsOfType(tree.rootNode, "call_expression")[0]!;
    const viaParents = call.parent!.parent!;
    expect(viaParents.type).toBe("if_statement");
    // With the binding's cache, both would be one object: its weak handles are what this leaves out.
    expect(viaParents).not.toBe(viaIndex);
    expect(viaParents.id).toBe(viaIndex.id);
    // What kreview asks of nodes holds across the two objects.
    expect(encloses(viaIndex, call) && encloses(viaParents, call)).toBe(true);
    expect(descendantsOfType(viaParents, "call_expression").map((n) => n.id)).toEqual([call.id]);
    expect(enclosingOfType(call, "if_statement")?.id).toBe(viaParents.id);
    expect(encloses(call, viaParents)).toBe(false);
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
