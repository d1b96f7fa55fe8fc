import { describe, expect, it } from "vitest";
import { wholeFile } from "../../src/c/whole.js";
import { PatchFacts } from "../../src/facts/index.js";
import { buildCFiles } from "../../src/c/view.js";
import { fileDiff, hunk, patchOf } from "../helpers/model.js";

const PRE = ["int a;", "void f(void)", "{", "\tspin_lock(&l);", "\tx = 1;", "\ty = 2;", "\tspin_unlock(&l);", "}", ""].join("\n");
const file = () => fileDiff("x.c", [hunk(" \tx = 1;\n+\tlist_add(&e->n, &h);\n \ty = 2;", { oldStart: 5, newStart: 5 })]);

describe("whole files from the tree", () => {
  it("applies the hunks to the tree's pre-image, keeping patch lines where the patch shows them", () => {
    const w = wholeFile(file(), PRE)!;
    expect(w.treeHeld).toBe("pre-image");
    expect(w.post.rows).toEqual(["int a;", "void f(void)", "{", "\tspin_lock(&l);", "\tx = 1;", "\tlist_add(&e->n, &h);", "\ty = 2;", "\tspin_unlock(&l);", "}"]);
    expect(w.post.lines.map((l) => l?.kind ?? null)).toEqual([null, null, null, null, " ", "+", " ", null, null]);
    expect(w.pre.rows).toEqual(PRE.split("\n").slice(0, -1));
  });

  it("recognises a tree that already holds the post-image", () => {
    const post = PRE.replace("\tx = 1;\n", "\tx = 1;\n\tlist_add(&e->n, &h);\n");
    const w = wholeFile(file(), post)!;
    expect(w.treeHeld).toBe("post-image");
    expect(w.post.lines[5]?.kind).toBe("+");
    expect(w.pre.rows).toEqual(PRE.split("\n").slice(0, -1));
  });

  it("refuses a file the hunks do not match", () => {
    expect(wholeFile(file(), PRE.replace("x = 1", "x = 3"))).toBeNull();
  });

  it("gives rules the real head and the lock above the hunk", () => {
    const problems: string[] = [];
    const [cf] = buildCFiles(patchOf([file()]), { tree: { read: () => ({ text: PRE }) }, problems });
    const call = cf.post.root.descendantsOfType("call_expression").find((c) => c.text.startsWith("list_add"))!;
    const fn = cf.post.enclosingFunction(call)!;
    expect([fn.name, fn.headVisible]).toEqual(["f", true]);
    expect([...new PatchFacts([cf], "post").heldAt(call, cf.post)!.keys()]).toEqual(["l"]);
    expect(cf.post.lineOf(call)?.newNo).toBe(6);
    expect(problems).toEqual([]);
  });
});
