/**
 * The one tree-sitter C parser of the thread, made on first use (the native
 * modules are loaded then: src/c/native.ts). Parsing is synchronous.
 */
import type TreeSitter from "tree-sitter";
import { OverBudget, parseMicrosLeft } from "./budget.js";
import { loadNative } from "./native.js";

export type SyntaxNode = TreeSitter.SyntaxNode;
export type Tree = TreeSitter.Tree;
export type QueryMatch = TreeSitter.QueryMatch;

let parser: TreeSitter | null = null;

function theParser(): TreeSitter {
  if (!parser) {
    const { Parser, C } = loadNative();
    parser = new Parser();
    parser.setLanguage(C);
  }
  return parser;
}

/** Parse C source text. Large inputs are fed through a callback, never as one JS string copy per call. */
export function parseC(source: string): Tree {
  const parser = theParser();
  // Under a time budget (src/c/budget.ts) the parser stops by itself when the time is up.
  const micros = parseMicrosLeft();
  (parser as unknown as { setTimeoutMicros(n: number): void }).setTimeoutMicros(micros);
  // The binding's default buffer is 32 KiB; a bigger one parses large files in one pass.
  const tree = parser.parse(source, undefined, { bufferSize: Math.max(64 * 1024, source.length + 1) });
  if (!tree && micros > 0) {
    // A parse halted by its timeout is resumed by the next parse() call, whatever its text, unless
    // the parser is reset: the next message would pay for (and be given) this one's tree.
    parser.reset();
    throw new OverBudget("parsing took longer than the time budget");
  }
  return tree;
}

/** Compile a tree-sitter query against the C grammar; throws on a malformed query. */
export function compileQuery(source: string): TreeSitter.Query {
  const { Parser, C } = loadNative();
  return new Parser.Query(C, source);
}

let nodeTypes: Set<string> | undefined;

/** Every node type the C grammar can produce (named and anonymous), for validating visitor keys. */
export function cNodeTypes(): Set<string> {
  if (!nodeTypes) {
    nodeTypes = new Set<string>();
    const info = (loadNative().C as unknown as { nodeTypeInfo: { type: string; subtypes?: { type: string }[] }[] }).nodeTypeInfo;
    for (const t of info) {
      nodeTypes.add(t.type);
      for (const s of t.subtypes ?? []) nodeTypes.add(s.type);
    }
    nodeTypes.add("ERROR");
  }
  return nodeTypes;
}
