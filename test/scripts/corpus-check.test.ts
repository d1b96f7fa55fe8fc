/**
 * The corpus script's check that no file diff was lost (scripts/corpus-run.ts):
 * every `diff --git` header must open a file diff on its line. On a real
 * linux-xfs patch whose notes paste a `diff -u` (fixtures/patch/notes-diff-u.eml),
 * the pasted diff is a fourth file diff beside the three headers, and no loss;
 * the same patch with one of its file diffs dropped is one.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lostFileDiffs } from "../../scripts/corpus-run.js";
import { parseMail } from "../../src/input/index.js";
import { parsePatch } from "../../src/patch/index.js";

const FILE = path.resolve(import.meta.dirname, "../../fixtures/patch/notes-diff-u.eml");

async function load() {
  const bytes = readFileSync(FILE);
  const mail = await parseMail({ source: FILE, index: 0, startLine: 1, hasHeaders: true, bytes });
  return { mail, patch: parsePatch(mail) };
}

describe("lostFileDiffs", () => {
  it("counts a diff pasted in the notes as no loss", async () => {
    const { mail, patch } = await load();
    expect(patch.kind).toBe("patch");
    expect(patch.files.map((f) => f.path)).toEqual(["generic/593.out.bad", "tests/generic/593", "tests/generic/593.out", "tests/generic/group"]);
    expect(lostFileDiffs(mail, patch)).toEqual({ headers: 3, lost: 0 });
  });

  it("counts a header whose file diff is missing", async () => {
    const { mail, patch } = await load();
    const dropped = { ...patch, files: patch.files.filter((f) => f.path !== "tests/generic/593.out") };
    expect(lostFileDiffs(mail, dropped)).toEqual({ headers: 3, lost: 1 });
    // the pasted diff does not make up for it
    expect(dropped.files).toHaveLength(3);
  });
});
