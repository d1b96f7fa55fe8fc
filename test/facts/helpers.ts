/**
 * Facts of inline C, for the facts layer's tests: the code is one new file
 * of a patch, every line added.
 */
import { buildCFiles, type CFile } from "../../src/c/view.js";
import type { SyntaxNode } from "../../src/c/parser.js";
import { PatchFacts, type FunctionFacts } from "../../src/facts/index.js";
import { newCFile, patchOf } from "../helpers/model.js";

export function factsOf(...sources: string[]): { cfiles: CFile[]; facts: PatchFacts } {
  const cfiles = buildCFiles(patchOf(sources.map((s, i) => newCFile(`f${i}.c`, s))));
  return { cfiles, facts: new PatchFacts(cfiles, "post") };
}

/** Every call of `name()` in the files, in order. */
export function callsOf(cfiles: CFile[], name: string): SyntaxNode[] {
  return cfiles.flatMap((cf) => cf.post.root.descendantsOfType("call_expression").filter((c) => c.childForFieldName("function")?.text === name));
}

/** The facts of the function around a node. */
export function fnFacts(facts: PatchFacts, cfiles: CFile[], node: SyntaxNode): FunctionFacts {
  const cf = cfiles.find((c) => c.post.root.tree === node.tree)!;
  return facts.at(node, cf.post)!;
}

/** What is held at each `marker()` call, as sorted "key:must|may:source". */
export function heldAtMarkers(...sources: string[]): string[][] {
  const { cfiles, facts } = factsOf(...sources);
  return callsOf(cfiles, "marker").map((c) => {
    const st = fnFacts(facts, cfiles, c).locks.heldAt(c);
    if (st === null) return ["unreachable"];
    return [...st.values()].map((l) => `${l.key}:${l.must ? "must" : "may"}:${l.source}`).sort();
  });
}
