/**
 * The C view costs what the patch shows, never what its line numbers say: a
 * hunk header claiming line 50,000,000 (or 2^32) must not lay out fifty
 * million blank rows.
 */
import { describe, expect, it } from "vitest";
import { buildCFiles } from "../../src/c/view.js";
import { MAX_GAP } from "../../src/c/layout.js";
import { fileDiff, hunk, patchOf } from "../helpers/model.js";
import { lintFile } from "../helpers/pipeline.js";

function mail(start: number, start2: number): Buffer {
  return Buffer.from(`From: A <a@example.org>
Subject: [PATCH] foo: bar

Signed-off-by: A <a@example.org>
---
diff --git a/drivers/foo.c b/drivers/foo.c
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -${start},4 +${start},5 @@ static int foo(struct bar *b, int *c)
 	int x;
 
+	if (!b | !c)
+		return 1;
 	return 0;
@@ -${start2},3 +${start2 + 1},4 @@ static int baz(struct bar *b, int *c)
 	int y;
+	if (!b | !c)
+		return 2;
 	return 0;
`);
}

describe("C view over huge line numbers", () => {
  for (const [start, start2] of [[50_000_000, 50_000_100], [4294967296, 4294967296 * 2], [50_000_000, 50_000_010]]) {
    it(`lays out hunks at ${start} and ${start2} in rows proportional to the lines shown, and reports the real lines`, async () => {
      const t0 = Date.now();
      const [r] = await lintFile("huge.patch", {}, mail(start, start2));
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(r.problems).toEqual([]);
      const hits = r.findings.filter((f) => f.rule === "bitwise-or-in-condition");
      expect(hits.map((f) => f.line)).toEqual([start + 2, start2 + 2]);
    });
  }

  it("keeps line N on row N-1 below MAX_GAP, and squeezes longer runs of unknown lines", () => {
    const near = hunk(" int a;\n+int b;", { oldStart: MAX_GAP, newStart: MAX_GAP });
    const far = hunk(" int c;\n+int d;", { oldStart: 9_000_000, newStart: 9_000_001 });
    const [cf] = buildCFiles(patchOf([fileDiff("x.c", [near, far])]));
    const rows = cf.post.source.split("\n");
    expect(rows.length).toBeLessThan(4 * MAX_GAP);
    const decl = (text: string) => cf.post.root.descendantsOfType("declaration").find((d) => d.text === text)!;
    expect(decl("int b;").startPosition.row).toBe(MAX_GAP);
    expect(cf.post.lineOf(decl("int d;"))?.newNo).toBe(9_000_002);
    expect(cf.post.lineAt(decl("int d;").startPosition.row)?.text).toBe("int d;");
    expect(cf.post.rowOf(cf.post.lineOf(decl("int d;"))!)).toBe(decl("int d;").startPosition.row);
    expect(cf.pre!.lineOf(cf.pre!.root.descendantsOfType("declaration").find((d) => d.text === "int c;")!)?.oldNo).toBe(9_000_000);
  });
});
