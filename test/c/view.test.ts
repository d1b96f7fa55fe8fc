import { describe, expect, it } from "vitest";
import { buildCFiles } from "../../src/c/view.js";
import { headFromSection, scanBraces } from "../../src/c/layout.js";
import { blankAnnotations } from "../../src/c/blank.js";
import { fileDiff, hunk, newCFile, patchOf } from "../helpers/model.js";

describe("C view layout", () => {
  it("puts post-image line N on tree-sitter row N-1 and leaves unknown lines blank", () => {
    const h = hunk(" int a;\n+int b;\n int c;", { oldStart: 40, newStart: 41 });
    const [cf] = buildCFiles(patchOf([fileDiff("x.c", [h])]));
    const decl = cf.post.root.descendantsOfType("declaration").find((d) => d.text === "int b;")!;
    expect(decl.startPosition.row).toBe(41);
    expect(cf.post.lineOf(decl)?.newNo).toBe(42);
    expect(cf.post.isAdded(decl)).toBe(true);
    expect(cf.post.source.split("\n").slice(0, 40).every((r) => r === "")).toBe(true);
  });

  it("wraps a hunk that starts mid-function in a head taken from the @@ section", () => {
    const h = hunk(" \tif (!x)\n+\t\treturn -EINVAL;\n \tfoo(x);\n }", {
      oldStart: 10, newStart: 10, section: "static int bar(struct x *x,",
    });
    const [cf] = buildCFiles(patchOf([fileDiff("x.c", [h])]));
    const ret = cf.post.root.descendantsOfType("return_statement")[0];
    const fn = cf.post.enclosingFunction(ret)!;
    expect(fn).not.toBeNull();
    expect(fn.name).toBe("bar");
    expect(fn.headVisible).toBe(false);
    expect(cf.post.root.hasError).toBe(false);
    // The made-up head stands on a row no finding can point at.
    expect(cf.post.lineOf(fn.node)).toBeNull();
  });

  it("wraps a mid-function hunk that starts at a goto label: the label's column 0 says nothing of the depth", () => {
    const h = hunk(" \n clean:\n \tspin_lock(&l);\n+\tlist_del_rcu(&h->node);\n \tspin_unlock(&l);\n \n failed:\n \tkfree(h);", {
      oldStart: 762, newStart: 762, section: "static int rdac_bus_attach(struct scsi_device *sdev)",
    });
    const [cf] = buildCFiles(patchOf([fileDiff("x.c", [h])]));
    const call = cf.post.root.descendantsOfType("call_expression").find((c) => c.text.startsWith("list_del_rcu"))!;
    expect(cf.post.enclosingFunction(call)?.name).toBe("rdac_bus_attach");
    expect(cf.post.root.hasError).toBe(false);
  });

  it("sees the real head, its annotations and return type when the hunk shows them", () => {
    const f = newCFile("x.c", "static bool __init foo(void)\n{\n\treturn true;\n}\n");
    const [cf] = buildCFiles(patchOf([f]));
    const ret = cf.post.root.descendantsOfType("return_statement")[0];
    const fn = cf.post.enclosingFunction(ret)!;
    expect(fn.headVisible).toBe(true);
    expect(fn.name).toBe("foo");
    expect(fn.annotations).toContain("__init");
    expect(fn.returnType).toBe("bool");
  });

  it("lays out fragments without positions one after another, with no post-image line", () => {
    const a = hunk("+int a(void)\n+{\n+\treturn 0;\n+}", { positionsKnown: false, inputLine: 100 });
    const b = hunk("+\tif (!x | !y)\n+\t\treturn 1;", { positionsKnown: false, inputLine: 200 });
    const f = fileDiff("", [a, b], { fragment: true, pathKnown: false });
    const [cf] = buildCFiles(patchOf([f], { kind: "reply" }));
    const ifs = cf.post.root.descendantsOfType("if_statement");
    expect(ifs).toHaveLength(1);
    const line = cf.post.lineOf(ifs[0])!;
    expect(line.newNo).toBeNull();
    expect(line.inputLine).toBe(201);
    expect(cf.post.enclosingFunction(ifs[0])?.headVisible).toBe(false);
  });

  it("builds the pre-image from removed and context lines and finds the same node there", () => {
    const h = hunk(" int f(void)\n {\n-\tif (ops && ops->fn)\n+\tif (ops)\n \t\tops->fn();\n }", { oldStart: 1, newStart: 1 });
    const [cf] = buildCFiles(patchOf([fileDiff("x.c", [h])]));
    expect(cf.pre).not.toBeNull();
    expect(cf.pre!.root.descendantsOfType("if_statement")[0].childForFieldName("condition")!.text).toBe("(ops && ops->fn)");
    const call = cf.post.root.descendantsOfType("call_expression")[0];
    const same = cf.preImageOf(call)!;
    expect(same.text).toBe("ops->fn()");
    expect(same.startPosition.row).toBe(3);
  });

  it("does not take a C view of non-C files, and takes one of an unnamed fragment that reads as C", () => {
    const mk = fileDiff("mm/Makefile", [hunk("+obj-y += foo.o")]);
    const frag = fileDiff("", [hunk("+\tif (a | b)\n+\t\treturn;", { positionsKnown: false })], { fragment: true, pathKnown: false });
    const views = buildCFiles(patchOf([mk, frag]));
    expect(views.map((v) => v.file)).toEqual([frag]);
  });
});

describe("layout helpers", () => {
  it("counts braces outside strings, comments and preprocessor lines", () => {
    expect(scanBraces(['\tputs("{");', "\t/* { */", "#define X {", "\t}", "}"])).toMatchObject({ minDepth: -2, net: -2 });
    expect(scanBraces([" * @ops: operations", " */", "struct x {"])).toMatchObject({ startsInComment: true, net: 1 });
  });

  it("reads function heads out of @@ sections, and refuses what is not one", () => {
    expect(headFromSection("static int __init foo(struct a *a, int b)")).toMatchObject({ name: "foo", kind: "function" });
    expect(headFromSection("int dax_zero_page_range(struct dax_device *dax_dev, pgoff_t pgoff,")).toEqual({
      text: "int dax_zero_page_range()", name: "dax_zero_page_range", kind: "function", cut: true,
    });
    expect(headFromSection("xfs_defer_cancel_list(")).toEqual({ text: "int xfs_defer_cancel_list()", name: "xfs_defer_cancel_list", kind: "function", cut: true });
    expect(headFromSection("static void foo(int a)")).toEqual({ text: "static void foo(int a)", name: "foo", kind: "function", cut: false });
    expect(headFromSection("struct dax_device {")).toMatchObject({ kind: "aggregate" });
    expect(headFromSection("EXPORT_SYMBOL_GPL(put_dax);")).toBeNull();
    expect(headFromSection("out_unlock:")).toBeNull();
    expect(headFromSection("")).toBeNull();
  });

  it("blanks kernel annotations without moving columns", () => {
    const line = "static int __init __must_check foo(void) __acquires(&l)";
    const out = blankAnnotations(line);
    expect(out).toHaveLength(line.length);
    expect(out).not.toMatch(/__init|__must_check|__acquires/);
    expect(out.indexOf("foo")).toBe(line.indexOf("foo"));
  });
});
