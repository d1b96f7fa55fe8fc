/**
 * A whole source file as the patch that adds it (`kreview -f`): one file,
 * named as given, every line added, post-image line and input line both the
 * file's own line number.
 */
import { describe, expect, it } from "vitest";
import { sourcePatch } from "../../src/patch/index.js";

describe("sourcePatch", () => {
  it("adds every line of the file at its own number", () => {
    const p = sourcePatch("drivers/foo/foo.c", "int a;\r\n\r\nint b;\n");
    expect(p).toMatchObject({ source: "drivers/foo/foo.c", kind: "patch", subject: "", messageId: "", lineCount: 3, problems: [] });
    expect(p.files).toHaveLength(1);
    const [file] = p.files;
    expect(file).toMatchObject({ oldPath: null, newPath: "drivers/foo/foo.c", path: "drivers/foo/foo.c", status: "added", fragment: false });
    expect(file!.hunks).toHaveLength(1);
    expect(file!.hunks[0]).toMatchObject({ oldStart: 0, oldCount: 0, newStart: 1, newCount: 3, positionsKnown: true, complete: true });
    expect(file!.hunks[0]!.lines).toEqual([
      { kind: "+", text: "int a;", oldNo: null, newNo: 1, inputLine: 1 },
      { kind: "+", text: "", oldNo: null, newNo: 2, inputLine: 2 },
      { kind: "+", text: "int b;", oldNo: null, newNo: 3, inputLine: 3 },
    ]);
  });

  it("keeps a last line with no newline, and gives an empty file no hunk", () => {
    expect(sourcePatch("a.c", "x;\ny;").files[0]!.hunks[0]!.lines.map((l) => l.text)).toEqual(["x;", "y;"]);
    const empty = sourcePatch("empty.c", "");
    expect(empty.lineCount).toBe(0);
    expect(empty.files[0]!.hunks).toEqual([]);
  });
});
