import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it, expect } from "vitest";
import type { Mail, TextSegment } from "../../src/input/types.js";
import { parseMail } from "../../src/input/index.js";
import { parsePatch } from "../../src/patch/index.js";
import type { FileDiff, Hunk, Patch, PatchLine } from "../../src/patch/index.js";

// ---------------------------------------------------------------- helpers
//
// The input layer is built elsewhere; these tests make Mail objects by hand:
// simple 8bit .eml files are split at the first empty line (headers
// unfolded, no MIME), plain text is handed over with hasHeaders=false.

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (rel: string) => readFileSync(root + rel, "utf8");

function headersOf(lines: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  let last = "";
  for (const l of lines) {
    if ((l.startsWith(" ") || l.startsWith("\t")) && last) {
      h[last] += " " + l.trim();
      continue;
    }
    const c = l.indexOf(":");
    if (c <= 0) continue;
    last = l.slice(0, c).toLowerCase();
    if (!(last in h)) h[last] = l.slice(c + 1).trim();
    else last = "";
  }
  return h;
}

const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);
const ids = (s: string | undefined) => (s ? s.split(/\s+/).filter(Boolean) : []);

/** A Mail from an 8bit .eml (or a format-patch file with its `From <sha>` line). */
function emlMail(rel: string, text = read(rel)): Mail {
  const lines = text.split("\n");
  let first = 0;
  if (lines[0]!.startsWith("From ") && !lines[0]!.includes(":")) first = 1;
  let k = first;
  while (k < lines.length && lines[k] !== "") k++;
  const h = headersOf(lines.slice(first, k));
  const body = lines.slice(k + 1).join("\n");
  const bodyLine = k + 2; // 1-based line of the first body line
  const from = h["from"] ?? "";
  return {
    source: rel,
    index: 0,
    headers: {
      subject: h["subject"] ?? "",
      from,
      fromAddress: /<([^>]+)>/.exec(from)?.[1] ?? from,
      to: list(h["to"]),
      cc: list(h["cc"]),
      date: h["date"] ?? "",
      messageId: h["message-id"] ?? "",
      inReplyTo: h["in-reply-to"] ?? "",
      references: ids(h["references"]),
    },
    segments: [{ text: body, inputLine: bodyLine, lineBase: bodyLine - 1, contentType: "text/plain" }],
    hasHeaders: true,
    problems: [],
  };
}

/** A Mail from plain text (a bare diff, or a web-archive page whose first line is the subject). */
function textMail(rel: string, text = read(rel), subject = ""): Mail {
  return {
    source: rel,
    index: 0,
    headers: { subject, from: "", fromAddress: "", to: [], cc: [], date: "", messageId: "", inReplyTo: "", references: [] },
    segments: [{ text, inputLine: 1, lineBase: 0, contentType: "text/plain" }],
    hasHeaders: false,
    problems: [],
  };
}

/** A web-archive seed: its first line is the subject. */
function seedMail(rel: string): Mail {
  const text = read(rel);
  return textMail(rel, text, text.split("\n")[0]!);
}

function file(p: Patch, path: string, fragment?: boolean): FileDiff {
  const f = p.files.find((x) => x.path === path && (fragment === undefined || x.fragment === fragment));
  if (!f) throw new Error(`no file ${path} in ${p.files.map((x) => x.path).join(", ")}`);
  return f;
}

const allLines = (f: FileDiff): PatchLine[] => f.hunks.flatMap((h) => h.lines);

function lineWithText(f: FileDiff, text: string): PatchLine {
  const l = allLines(f).find((x) => x.text === text);
  if (!l) throw new Error(`no line ${JSON.stringify(text)} in ${f.path}`);
  return l;
}

/** 1-based line numbers of the raw file where `needle` stands (whole line). */
function linesOf(rel: string, needle: string): number[] {
  return read(rel)
    .split("\n")
    .flatMap((l, i) => (l === needle ? [i + 1] : []));
}

/** Every hunk's lines must agree with its header when positions are known and it is complete. */
function checkHunkArithmetic(h: Hunk) {
  if (!h.positionsKnown || !h.complete) return;
  const old = h.lines.filter((l) => l.kind !== "+").length;
  const neu = h.lines.filter((l) => l.kind !== "-").length;
  expect(old).toBe(h.oldCount);
  expect(neu).toBe(h.newCount);
  let o = h.oldStart;
  let n = h.newStart;
  for (const l of h.lines) {
    if (l.kind !== "+") expect(l.oldNo).toBe(o++);
    else expect(l.oldNo).toBeNull();
    if (l.kind !== "-") expect(l.newNo).toBe(n++);
    else expect(l.newNo).toBeNull();
  }
}

// ------------------------------------------------------ format-patch mail

describe("git format-patch email (memfile-notifier v5 02/13)", () => {
  const rel = "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml";
  const p = parsePatch(emlMail(rel));

  it("is a patch with the mail's headers", () => {
    expect(p.kind).toBe("patch");
    expect(p.subject).toBe("[PATCH v5 02/13] mm: Introduce memfile_notifier");
    expect(p.from).toBe("Chao Peng <chao.p.peng@linux.intel.com>");
    expect(p.fromAddress).toBe("chao.p.peng@linux.intel.com");
    expect(p.messageId).toBe("<20220310140911.50924-3-chao.p.peng@linux.intel.com>");
    expect(p.inReplyTo).toBe("<20220310140911.50924-1-chao.p.peng@linux.intel.com>");
    expect(p.references).toEqual(["<20220310140911.50924-1-chao.p.peng@linux.intel.com>"]);
    expect(p.to).toContain("kvm@vger.kernel.org");
    expect(p.cc).toContain("Sean Christopherson <seanjc@google.com>");
    expect(p.problems).toEqual([]);
    // the body has lines 84..340 of the file (the last newline opens no line)
    expect(p.lineCount).toBe(257);
  });

  it("lists the files with their status", () => {
    expect(p.files.map((f) => [f.path, f.status, f.fragment])).toEqual([
      ["include/linux/memfile_notifier.h", "added", false],
      ["mm/Kconfig", "modified", false],
      ["mm/Makefile", "modified", false],
      ["mm/memfile_notifier.c", "added", false],
    ]);
    const c = file(p, "mm/memfile_notifier.c");
    expect(c.oldPath).toBeNull();
    expect(c.newPath).toBe("mm/memfile_notifier.c");
    expect(c.inputLine).toBe(218);
    expect(c.binary).toBe(false);
  });

  it("reads the hunks by their counts", () => {
    expect(p.files.map((f) => f.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount]))).toEqual([
      [[0, 0, 1, 64]],
      [[892, 6, 892, 10]],
      [[132, 3, 132, 4]],
      [[0, 0, 1, 114]],
    ]);
    const k = file(p, "mm/Kconfig").hunks[0]!;
    expect(k.section).toBe("config ANON_VMA_NAME");
    expect(k.inputLine).toBe(198);
    for (const f of p.files) for (const h of f.hunks) {
      expect(h.complete).toBe(true);
      expect(h.positionsKnown).toBe(true);
      checkHunkArithmetic(h);
    }
  });

  it("gives the bitwise-or line its post-image line and its line in the mail", () => {
    const l = lineWithText(file(p, "mm/memfile_notifier.c"), "\tif (!inode || !notifier | !pfn_ops)");
    expect(l.kind).toBe("+");
    expect(l.newNo).toBe(83);
    expect(l.oldNo).toBeNull();
    expect([l.inputLine]).toEqual(linesOf(rel, "+\tif (!inode || !notifier | !pfn_ops)"));
    expect(l.inputLine).toBe(306);
  });

  it("stops at the signature", () => {
    const last = allLines(file(p, "mm/memfile_notifier.c")).at(-1)!;
    expect(last.text).toBe("EXPORT_SYMBOL_GPL(memfile_unregister_notifier);");
    expect(last.inputLine).toBe(337);
  });

  it("reads the commit message and its trailers", () => {
    expect(p.commitMessage.startsWith("This patch introduces memfile_notifier facility")).toBe(true);
    expect(p.commitMessage.endsWith("Signed-off-by: Chao Peng <chao.p.peng@linux.intel.com>")).toBe(true);
    expect(p.commitMessage).not.toContain("memfile_notifier.h |");
    expect(p.trailers).toEqual([
      { key: "Co-developed-by", value: "Kirill A. Shutemov <kirill.shutemov@linux.intel.com>", inputLine: 112 },
      { key: "Signed-off-by", value: "Kirill A. Shutemov <kirill.shutemov@linux.intel.com>", inputLine: 113 },
      { key: "Signed-off-by", value: "Chao Peng <chao.p.peng@linux.intel.com>", inputLine: 114 },
    ]);
  });
});

// ------------------------------------------------------- web-archive form

describe("web-archive form (seed 002: the v4 patch, tabs collapsed)", () => {
  const rel = "fixtures/seeds/002_b279c3b872f54bd8.txt";
  const p = parsePatch(seedMail(rel));

  it("is a patch of four files read to their counts", () => {
    expect(p.kind).toBe("patch");
    expect(p.problems).toEqual([]);
    expect(p.files.map((f) => [f.path, f.status, f.hunks.length])).toEqual([
      ["include/linux/memfile_notifier.h", "added", 1],
      ["mm/Kconfig", "modified", 1],
      ["mm/Makefile", "modified", 1],
      ["mm/memfile_notifier.c", "added", 1],
    ]);
    for (const f of p.files) for (const h of f.hunks) {
      expect(h.complete).toBe(true);
      checkHunkArithmetic(h);
    }
  });

  it("takes lines that lost their leading space as context lines", () => {
    const k = file(p, "mm/Kconfig").hunks[0]!;
    expect(k.lines.slice(0, 4).map((l) => [l.kind, l.text, l.oldNo, l.newNo, l.inputLine])).toEqual([
      [" ", "config SECRETMEM", 900, 900, 110],
      [" ", "def_bool ARCH_HAS_SET_DIRECT_MAP && !EMBEDDED", 901, 901, 111],
      [" ", "", 902, 902, 112],
      ["+", "config MEMFILE_NOTIFIER", null, 903, 113],
    ]);
  });

  it("keeps `+` then the collapsed tab as the line's text", () => {
    const l = lineWithText(file(p, "mm/memfile_notifier.c"), " if (!inode || !notifier | !pfn_ops)");
    expect([l.kind, l.newNo, l.inputLine]).toEqual(["+", 58, 192]);
  });

  it("reads the commit message and trailers of the web page", () => {
    expect(p.trailers.map((t) => [t.key, t.inputLine])).toEqual([
      ["Signed-off-by", 35],
      ["Signed-off-by", 36],
    ]);
  });
});

// ------------------------------------------------------------ quoted diffs

describe("quoted reply with a header that names another file (seed 000)", () => {
  const rel = "fixtures/seeds/000_554857a8669a2fc2.txt";
  const p = parsePatch(seedMail(rel));

  it("is a reply with one fragment whose path is not known", () => {
    expect(p.kind).toBe("reply");
    expect(p.problems).toEqual([]);
    expect(p.files).toHaveLength(1);
    const f = p.files[0]!;
    expect(f.fragment).toBe(true);
    expect(f.pathKnown).toBe(false);
    expect(f.path).toBe("");
    expect(f.oldPath).toBe("mm/Makefile");
    expect(f.newPath).toBe("mm/Makefile");
    expect(f.inputLine).toBe(8);
  });

  it("keeps one positionless hunk running across the reviewer's comments", () => {
    const f = p.files[0]!;
    expect(f.hunks).toHaveLength(1);
    const h = f.hunks[0]!;
    expect(h.positionsKnown).toBe(false);
    expect(h.inputLine).toBe(10);
    expect(h.lines.every((l) => l.oldNo === null && l.newNo === null)).toBe(true);
    // the comment (lines 20-22) is not in the hunk; the quote goes on at line 23
    const i = h.lines.findIndex((l) => l.inputLine === 19);
    expect(h.lines[i + 1]!.inputLine).toBe(23);
    expect(h.lines[i + 1]!.text).toBe(" notifier->ops->invalidate(notifier, start, end);");
    expect(h.lines.some((l) => l.text.includes("Any reason"))).toBe(false);
    expect(h.lines.some((l) => l.text.includes("Bitwise"))).toBe(false);
    // the reviewer's own code at the end is not quoted, so not part of it
    expect(h.lines.some((l) => l.text.includes("notifier->bs = bs;"))).toBe(false);
  });

  it("reads the quoted `+ if (!inode || !notifier | !pfn_ops)` as an added line at its line", () => {
    const l = lineWithText(p.files[0]!, " if (!inode || !notifier | !pfn_ops)");
    expect(l.kind).toBe("+");
    expect([l.inputLine]).toEqual(linesOf(rel, "> + if (!inode || !notifier | !pfn_ops)"));
    expect(l.inputLine).toBe(100);
    expect(l.newNo).toBeNull();
  });
});

describe("quoted reply with `@@` lines and interleaved comments (seed 003)", () => {
  const rel = "fixtures/seeds/003_7cecb283207b84da.txt";
  const p = parsePatch(seedMail(rel));

  it("finds both quoted files with known paths", () => {
    expect(p.kind).toBe("reply");
    expect(p.problems).toEqual([]);
    expect(p.files.map((f) => [f.path, f.fragment, f.pathKnown, f.inputLine])).toEqual([
      ["drivers/dax/super.c", true, true, 21],
      ["include/linux/dax.h", true, true, 132],
    ]);
    expect(file(p, "drivers/dax/super.c").hunks.map((h) => [h.oldStart, h.newStart, h.inputLine, h.complete])).toEqual([
      [23, 23, 25, true],
      [31, 34, 36, true],
      [374, 379, 47, true],
      [618, 646, 91, true],
    ]);
  });

  it("counts positions from the `@@` line across a comment", () => {
    const super_ = file(p, "drivers/dax/super.c");
    for (const h of super_.hunks) checkHunkArithmetic(h);
    const call = lineWithText(super_, " rc = dax_dev->holder_ops->notify_failure(dax_dev, offset, size, flags);");
    // 398, as in the real v7 patch: the archive wrapped the `@@` line, and
    // `> pgoff_t pgoff,` after it is the rest of the section, not a context line
    expect([call.kind, call.newNo, call.inputLine]).toEqual(["+", 398, 68]);
    expect(super_.hunks[2]!.section).toBe("int dax_zero_page_range(struct dax_device *dax_dev, pgoff_t pgoff,");
    const out = lineWithText(super_, "out:");
    expect([out.kind, out.newNo, out.inputLine]).toEqual(["+", 399, 82]);
    // web form: `> * @cdev ...` is a context line
    const cdev = super_.hunks[0]!.lines[0]!;
    expect([cdev.kind, cdev.oldNo, cdev.newNo, cdev.inputLine]).toEqual([" ", 23, 23, 26]);
  });

  it("keeps quoted prose and the quoted diffstat out of the diff", () => {
    const texts = p.files.flatMap(allLines).map((l) => l.text);
    expect(texts.some((t) => t.includes("When it is the backend"))).toBe(false);
    expect(texts.some((t) => t.includes("59 +"))).toBe(false);
    expect(texts.some((t) => t.includes("Shouldn't this check"))).toBe(false);
  });

  it("does not call a trimmed quote a patch-format problem", () => {
    const h = file(p, "include/linux/dax.h").hunks[0]!;
    expect(h.complete).toBe(false);
    expect(h.lines).toHaveLength(1);
    expect(p.problems).toEqual([]);
  });
});

describe("quoted hunks trimmed around comments (seed 004)", () => {
  const p = parsePatch(seedMail("fixtures/seeds/004_72906360a913a336.txt"));

  it("continues a counted hunk across a comment while the quote fits its counts", () => {
    expect(p.kind).toBe("reply");
    expect(p.files).toHaveLength(1);
    const f = p.files[0]!;
    expect([f.path, f.pathKnown]).toEqual(["include/linux/mmu_notifier.h", true]);
    const [h1, h2, h3] = f.hunks;
    expect([h1!.oldStart, h1!.newStart, h1!.complete, h1!.lines.length]).toEqual([233, 233, true, 18]);
    checkHunkArithmetic(h1!);
    // `> */` after the comment (line 50) goes on in the same hunk
    expect(h1!.lines[9]).toMatchObject({ kind: " ", text: "*/", oldNo: 236, newNo: 242, inputLine: 50 });
    // the second hunk stops where the reviewer cut it ...
    expect([h2!.oldStart, h2!.newStart, h2!.complete, h2!.lines.length]).toEqual([246, 253, false, 5]);
    // ... and the next quoted run (13 added lines, more than the hunk has left) has no position
    expect([h3!.positionsKnown, h3!.inputLine, h3!.lines.length]).toEqual([false, 69, 13]);
    expect(h3!.lines.every((l) => l.kind === "+" && l.newNo === null)).toBe(true);
    expect(p.problems).toEqual([]);
  });
});

describe("a quoted `@@` line three levels deep with no file header (seed 001)", () => {
  it("makes a fragment with positions but no path", () => {
    const p = parsePatch(seedMail("fixtures/seeds/001_d4f278cef7f8d2ae.txt"));
    expect(p.kind).toBe("reply");
    expect(p.files).toHaveLength(1);
    const f = p.files[0]!;
    expect([f.path, f.pathKnown, f.fragment]).toEqual(["", false, true]);
    expect(f.hunks[0]!.lines).toEqual([
      { kind: " ", text: "struct kernfs_open_file *of)", oldNo: 570, newNo: 571, inputLine: 14 },
    ]);
    // the reviewer's own code further down is not quoted
    expect(p.files.flatMap(allLines).some((l) => l.text.includes("mutex_lock"))).toBe(false);
  });
});

describe("nested quote from the nvdimm list (`> > -`, `> > diff --git`)", () => {
  const rel = "fixtures/patch/nested-quote.eml";
  const p = parsePatch(emlMail(rel));

  it("is a reply even after a list tag in the subject", () => {
    expect(p.kind).toBe("reply");
    expect(p.problems).toEqual([]);
  });

  it("reads the trimmed run of removed lines as a fragment with no header", () => {
    const f = p.files[0]!;
    expect([f.fragment, f.pathKnown, f.path, f.inputLine]).toEqual([true, false, "", 16]);
    const h = f.hunks[0]!;
    expect(h.positionsKnown).toBe(false);
    expect(h.lines.map((l) => [l.kind, l.inputLine])).toEqual([
      ["-", 16],
      ["-", 17],
      ["-", 18],
      ["-", 19],
      ["-", 20],
      ["-", 21],
    ]);
    expect(h.lines[0]!.text).toBe("\t/* in consecutive minor range? */");
  });

  it("reads the nested `diff --git` fragment with its positions", () => {
    const f = file(p, "block/partitions/core.c");
    expect([f.fragment, f.pathKnown, f.inputLine]).toEqual([true, true, 26]);
    const h = f.hunks[0]!;
    expect([h.oldStart, h.oldCount, h.newStart, h.newCount, h.complete]).toEqual([379, 9, 380, 15, true]);
    checkHunkArithmetic(h);
    const l = lineWithText(f, "\t\terr = blk_alloc_ext_minor();");
    expect([l.kind, l.newNo, l.inputLine]).toEqual(["+", 387, 41]);
    // `> >  ` (a context line that is empty)
    expect(h.lines[2]).toMatchObject({ kind: " ", text: "", oldNo: 381, newNo: 382, inputLine: 33 });
  });
});

// ------------------------------------------------------ truncated / broken

describe("truncated and miscounted hunks", () => {
  const rel = "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml";
  const raw = read(rel).split("\n");

  it("reports a hunk cut short in the middle and parses the rest", () => {
    // drop the last 10 lines of the first hunk (file lines 184..193)
    const text = [...raw.slice(0, 183), ...raw.slice(193)].join("\n");
    const p = parsePatch(emlMail(rel, text));
    expect(p.kind).toBe("patch");
    expect(p.problems).toEqual([
      {
        kind: "patch-format",
        message: "hunk ends after 54 of 64 lines: the mail may be truncated or the counts are wrong",
        file: "include/linux/memfile_notifier.h",
        inputLine: 184, // the `diff --git` line of mm/Kconfig, moved up by 10
      },
    ]);
    const h = file(p, "include/linux/memfile_notifier.h").hunks[0]!;
    expect(h.complete).toBe(false);
    expect(h.lines).toHaveLength(54);
    expect(p.files.map((f) => f.path)).toEqual([
      "include/linux/memfile_notifier.h",
      "mm/Kconfig",
      "mm/Makefile",
      "mm/memfile_notifier.c",
    ]);
    for (const f of p.files.slice(1)) for (const h2 of f.hunks) {
      expect(h2.complete).toBe(true);
      checkHunkArithmetic(h2);
    }
    expect(lineWithText(file(p, "mm/memfile_notifier.c"), "\tif (!inode || !notifier | !pfn_ops)").inputLine).toBe(296);
  });

  it("reports a mail cut off inside its last hunk at the last line read", () => {
    const text = raw.slice(0, 310).join("\n") + "\n"; // ends with file line 310
    const p = parsePatch(emlMail(rel, text));
    expect(p.kind).toBe("patch");
    expect(p.problems).toHaveLength(1);
    expect(p.problems[0]).toMatchObject({ kind: "patch-format", file: "mm/memfile_notifier.c", inputLine: 310 });
    expect(p.problems[0]!.message).toMatch(/^hunk ends after 87 of 114 lines: /);
    const h = file(p, "mm/memfile_notifier.c").hunks[0]!;
    expect(h.complete).toBe(false);
    expect(h.lines.at(-1)!.inputLine).toBe(310);
    expect(file(p, "mm/Makefile").hunks[0]!.complete).toBe(true);
  });

  it("reports lines past the counts", () => {
    const text = [
      "diff --git a/x.c b/x.c",
      "--- a/x.c",
      "+++ b/x.c",
      "@@ -1,2 +1,2 @@",
      " a",
      "-b",
      "+c",
      "+d",
      "",
    ].join("\n");
    const p = parsePatch(textMail("inline", text));
    expect(p.problems).toEqual([
      {
        kind: "patch-format",
        message: "hunk @@ -1,2 +1,2 @@ has more lines than its counts: the counts are wrong",
        file: "x.c",
        inputLine: 8,
      },
    ]);
    expect(p.files[0]!.hunks[0]!.lines.map((l) => [l.kind, l.newNo])).toEqual([
      [" ", 1],
      ["-", null],
      ["+", 2],
      ["+", 3],
    ]);
  });
});

// ----------------------------------------------------- renames and binaries

describe("rename from the nvdimm list", () => {
  const p = parsePatch(emlMail("fixtures/patch/rename-iomap.eml"));

  it("reads a pure rename with no hunk", () => {
    expect(p.kind).toBe("patch");
    expect(p.problems).toEqual([]);
    expect(p.files.map((f) => [f.path, f.oldPath, f.newPath, f.status, f.hunks.length, f.inputLine])).toEqual([
      ["fs/iomap/Makefile", "fs/iomap/Makefile", "fs/iomap/Makefile", "modified", 1, 30],
      ["fs/iomap/iter.c", "fs/iomap/apply.c", "fs/iomap/iter.c", "renamed", 0, 45],
    ]);
  });

  it("drops the in-body From: line from the commit message", () => {
    expect(p.commitMessage.startsWith("Now that we've moved iomap")).toBe(true);
    expect(p.trailers).toEqual([{ key: "Signed-off-by", value: "Darrick J. Wong <djwong@kernel.org>", inputLine: 23 }]);
  });
});

describe("binary diffs", () => {
  it("skips GIT binary patch data (git format-patch --binary)", () => {
    const p = parsePatch(emlMail("fixtures/patch/binary-format-patch.patch"));
    expect(p.kind).toBe("patch");
    expect(p.problems).toEqual([]);
    expect(p.subject).toBe("[PATCH] dax: take the write lock when clearing the holder");
    expect(p.files.map((f) => [f.path, f.status, f.binary, f.hunks.length])).toEqual([
      ["drivers/dax/holder.c", "modified", false, 2],
      ["firmware/blob.bin", "modified", true, 0],
      ["firmware/new.bin", "added", true, 0],
    ]);
    expect(p.trailers.map((t) => t.key)).toEqual(["Signed-off-by"]);
  });

  it("reads `Binary files ... differ` (git diff)", () => {
    const p = parsePatch(textMail("fixtures/patch/git-diff.txt"));
    expect(p.kind).toBe("patch");
    expect(p.files.map((f) => [f.path, f.oldPath, f.status, f.binary, f.inputLine])).toEqual([
      ["drivers/dax/holder.c", "drivers/dax/holder.c", "modified", false, 1],
      ["firmware/blob.bin", "firmware/blob.bin", "modified", true, 23],
      ["firmware/new.bin", null, "added", true, 26],
    ]);
  });
});

// -------------------------------------------------- other unified diff forms

describe("plain git diff and diff -u text", () => {
  it("reads a bare git diff", () => {
    const p = parsePatch(textMail("fixtures/patch/git-diff.txt"));
    const f = file(p, "drivers/dax/holder.c");
    expect(f.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount, h.section])).toEqual([
      [5, 7, 5, 7, "static int dax_holder_count(struct dax_device *dax_dev)"],
      [14, 6, 14, 8, "static int dax_holder_count(struct dax_device *dax_dev)"],
    ]);
    const l = lineWithText(f, "\tif (!dax_dev || !dax_dev->holder_ops)");
    expect([l.kind, l.newNo, l.inputLine]).toEqual(["+", 8, 10]);
    expect(p.commitMessage).toBe("");
    expect(p.lineCount).toBe(29);
  });

  it("reads diff -urN output: -p1 paths, timestamps cut off", () => {
    const p = parsePatch(textMail("fixtures/patch/diff-u.txt"));
    expect(p.kind).toBe("patch");
    expect(p.problems).toEqual([]);
    expect(p.files.map((f) => [f.path, f.oldPath, f.newPath, f.status, f.inputLine])).toEqual([
      ["drivers/dax/holder.c", "drivers/dax/holder.c", "drivers/dax/holder.c", "modified", 1],
    ]);
    const h = p.files[0]!.hunks;
    expect(h.map((x) => [x.oldStart, x.newStart, x.section, x.complete])).toEqual([
      [5, 5, "", true],
      [14, 14, "", true],
    ]);
    expect(lineWithText(p.files[0]!, "\tdax_write_unlock();")).toMatchObject({ kind: "+", newNo: 20, inputLine: 20 });
  });

  it("reads a diff -u pasted in a patch's notes as a file diff of its own, -p1 with a doubled slash", async () => {
    // fixtures/patch/notes-diff-u.eml (quoted-printable): `--- tests/generic/593.out`, `+++ results//generic/593.out.bad`, then three git file diffs
    const file = root + "fixtures/patch/notes-diff-u.eml";
    const p = parsePatch(await parseMail({ source: file, index: 0, startLine: 1, hasHeaders: true, bytes: readFileSync(file) }));
    expect(p.kind).toBe("patch");
    expect(p.files.map((f) => [f.path, f.oldPath, f.status])).toEqual([
      ["generic/593.out.bad", "generic/593.out", "modified"],
      ["tests/generic/593", null, "added"],
      ["tests/generic/593.out", null, "added"],
      ["tests/generic/group", "tests/generic/group", "modified"],
    ]);
    expect(p.problems).toEqual([]);
    expect(p.files[0]!.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount, h.lines.length, h.complete])).toEqual([[5, 28, 5, 28, 35, true]]);
    expect(p.files.slice(1).every((f) => f.hunks.every((h) => h.complete))).toBe(true);
  });

  it("reads a quilt patch (Index: lines) sent as a counter-patch in a reply", () => {
    const p = parsePatch(emlMail("fixtures/patch/quilt-index.eml"));
    expect(p.kind).toBe("reply");
    const own = p.files.filter((f) => !f.fragment);
    expect(own.map((f) => [f.path, f.oldPath, f.inputLine, f.hunks.length])).toEqual([
      ["drivers/acpi/tiny-power-button.c", "drivers/acpi/tiny-power-button.c", 179, 2],
      ["drivers/acpi/button.c", "drivers/acpi/button.c", 253, 8],
      ["drivers/acpi/bus.c", "drivers/acpi/bus.c", 380, 1],
    ]);
    for (const f of own) for (const h of f.hunks) {
      expect(h.complete).toBe(true);
      checkHunkArithmetic(h);
    }
    // the quoted patch above it is a fragment
    expect(p.files.filter((f) => f.fragment).map((f) => f.path)).toEqual(["drivers/acpi/bus.c", "include/acpi/acpi_bus.h"]);
    expect(p.problems).toEqual([]);
  });

  it("keeps a counter-diff in a Re: message as unquoted code, mended where the mailer wrapped it", () => {
    const p = parsePatch(emlMail("fixtures/patch/reply-counter-diff.eml"));
    expect(p.kind).toBe("reply");
    expect(p.problems).toEqual([]);
    expect(p.files).toHaveLength(1);
    const f = p.files[0]!;
    expect([f.path, f.fragment, f.inputLine]).toEqual(["arch/x86/include/asm/set_memory.h", false, 80]);
    const h = f.hunks[0]!;
    expect(h.section).toBe("static inline int set_mce_nospec(unsigned long pfn, bool unmap)");
    expect(h.complete).toBe(true);
    checkHunkArithmetic(h);
  });
});

// ---------------------------------------------------------- classification

describe("classification", () => {
  it("calls a cover letter no-diff", () => {
    const p = parsePatch(emlMail("fixtures/patch/cover-letter.eml"));
    expect(p.kind).toBe("no-diff");
    expect(p.reason).toBe("cover letter");
    expect(p.files).toEqual([]);
    expect(p.commitMessage.startsWith("CXL Memory Expander devices")).toBe(true);
  });

  it("calls a discussion with no diff no-diff", () => {
    const p = parsePatch(textMail("inline", "On Mon, X wrote:\n> Is this right?\n\nYes.\n", "Re: question"));
    expect([p.kind, p.reason]).toEqual(["no-diff", "no diff in message"]);
  });

  it("knows cover letter subjects and reply prefixes", () => {
    const kindOf = (subject: string, text: string) => parsePatch(textMail("inline", text, subject)).kind;
    const diff = "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-x\n+y\n";
    expect(kindOf("[PATCH v3 00/12] foo", "blurb\n")).toBe("no-diff");
    expect(parsePatch(textMail("inline", "blurb\n", "[RFC PATCH v3 00/12] foo")).reason).toBe("cover letter");
    expect(parsePatch(textMail("inline", "Thanks!\n", "Re: [PATCH 0/5] foo")).reason).toBe("no diff in message");
    expect(kindOf("AW: [PATCH] foo", diff)).toBe("reply");
    expect(kindOf("Sv: [PATCH] foo", diff)).toBe("reply");
    expect(kindOf("RE: [PATCH] foo", diff)).toBe("reply");
    expect(kindOf("[PATCH] Re-add foo", diff)).toBe("patch");
  });

  it("reports an unreadable mail", () => {
    const m = textMail("inline", "");
    m.unreadable = "binary content";
    m.problems = ["unknown charset x-foo"];
    const p = parsePatch(m);
    expect([p.kind, p.reason]).toEqual(["unreadable", "binary content"]);
    expect(p.problems).toEqual([{ kind: "input", message: "unknown charset x-foo" }]);
  });
});

// ------------------------------------------------------------- small cases

describe("hunk details", () => {
  it("defaults omitted counts to 1 and skips `\\ No newline at end of file`", () => {
    const text = ["--- a/VERSION", "+++ b/VERSION", "@@ -1 +1 @@", "-1.0", "\\ No newline at end of file", "+1.1", "\\ No newline at end of file", ""].join("\n");
    const p = parsePatch(textMail("inline", text));
    expect(p.problems).toEqual([]);
    const h = p.files[0]!.hunks[0]!;
    expect([h.oldStart, h.oldCount, h.newStart, h.newCount, h.complete]).toEqual([1, 1, 1, 1, true]);
    expect(h.lines.map((l) => [l.kind, l.text, l.oldNo, l.newNo, l.inputLine])).toEqual([
      ["-", "1.0", 1, null, 4],
      ["+", "1.1", null, 1, 6],
    ]);
    expect(p.files[0]!.inputLine).toBe(1);
  });

  it("maps lines of a transfer-encoded segment and of a second segment", () => {
    const diff = "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,1 +1,2 @@\n x\n+y\n";
    const segs: TextSegment[] = [
      { text: "Body text.\n\nSigned-off-by: A <a@b>\n---\n" + diff, inputLine: null, lineBase: 40, contentType: "text/plain" },
      { text: diff.replace(/a\.c/g, "b.c"), inputLine: 120, lineBase: 119, contentType: "text/x-patch", filename: "b.patch" },
    ];
    const m = textMail("inline", "", "[PATCH] two");
    m.segments = segs;
    const p = parsePatch(m);
    expect(p.kind).toBe("patch");
    expect(p.files.map((f) => [f.path, f.inputLine])).toEqual([
      ["a.c", 45],
      ["b.c", 120],
    ]);
    expect(allLines(p.files[0]!).map((l) => l.inputLine)).toEqual([49, 50]);
    expect(allLines(p.files[1]!).map((l) => l.inputLine)).toEqual([124, 125]);
    expect(p.trailers).toEqual([{ key: "Signed-off-by", value: "A <a@b>", inputLine: 43 }]);
    expect(p.lineCount).toBe(10 + 6);
  });

  it("reads `>+` and `>> +` quotes and a quoted hunk with no `@@` after `---`/`+++`", () => {
    const text = [
      "On X, Y wrote:",
      ">> --- a/drivers/x.c",
      ">> +++ b/drivers/x.c",
      ">> -\told();",
      ">> +\tnew();",
      "",
      "Why?",
      "",
      ">+\tmore_code(x);",
      ">+\treturn 0;",
      "",
    ].join("\n");
    const p = parsePatch(textMail("inline", text, "Re: [PATCH] x"));
    expect(p.kind).toBe("reply");
    expect(p.files.map((f) => [f.path, f.pathKnown, f.hunks.length])).toEqual([
      ["drivers/x.c", true, 1],
      ["", false, 1],
    ]);
    expect(p.files[0]!.hunks[0]!.lines.map((l) => [l.kind, l.text, l.inputLine])).toEqual([
      ["-", "\told();", 4],
      ["+", "\tnew();", 5],
    ]);
    expect(p.files[1]!.hunks[0]!.lines.map((l) => [l.kind, l.inputLine])).toEqual([
      ["+", 9],
      ["+", 10],
    ]);
  });

  it("does not take quoted prose bullets or a `+1` for diff lines", () => {
    const text = ["> Changes since v1:", "> - Move the check into the helper", "> - Rename the flag", "", "+1, looks good", ""].join("\n");
    const p = parsePatch(textMail("inline", text, "Re: [PATCH v2] x"));
    expect([p.kind, p.files]).toEqual(["no-diff", []]);
  });

  it("never throws on odd input", () => {
    const odd = ["@@ -1,3 +1,3 @@", "diff --git", "--- ", "+++ ", "> @@ -x +y @@", ">>>>>", "\\", "-- ", "@@ -99999999999999999999,1 +1 @@"];
    const p = parsePatch(textMail("inline", odd.join("\n")));
    expect(["patch", "reply", "no-diff"]).toContain(p.kind);
    const broken = { source: "x", index: 0 } as unknown as Mail;
    expect(() => parsePatch(broken)).not.toThrow();
  });
});
