import { describe, expect, it } from "vitest";
import { formatters } from "../../src/report/index.js";
import { coverResult, meta, patchResult, replyResult, seriesResults, signOffResult, stdinResult } from "./data.js";

const text = formatters.text;

/** Joins expected lines; every report ends with a newline. */
const lines = (...l: string[]) => l.join("\n") + "\n";

describe("text reporter", () => {
  it("prints checkpatch's blocks, notes, the fix, total and verdict for one patch", () => {
    expect(text([patchResult()], meta)).toBe(
      lines(
        "ERROR:bitwise-or-in-condition: '|' between two conditions, did you mean '||'",
        "#49: FILE: drivers/net/foo.c:161:",
        "+\tif (!a | !b)",
        "",
        "WARNING:lock-held-on-return: 'priv->lock' is still held at this return",
        "#60: FILE: drivers/net/foo.c:172:",
        "+\t\treturn -EINVAL;",
        "  note: drivers/net/foo.c:165: 'priv->lock' taken here",
        '  fix: release \'priv->lock\' before returning: replace with "spin_unlock(&priv->lock);\\n\\t\\treturn -EINVAL;"',
        "",
        "total: 1 errors, 1 warnings, 120 lines checked",
        "",
        "0001-net-foo-fix-bar.patch has review points, please check them.",
      ),
    );
  });

  it("names the input position when the post-image line is unknown", () => {
    expect(text([replyResult()], meta)).toBe(
      lines(
        "WARNING:lock-held-on-return: 'priv->lock' is still held at this return",
        "#42: FILE: reply.eml:42 (drivers/net/foo.c, line unknown):",
        "+\t\treturn ret;",
        "  note: reply.eml:38 (drivers/net/foo.c, line unknown): 'priv->lock' taken here",
        "",
        "total: 0 errors, 1 warnings, 80 lines checked",
        "",
        "reply.eml has review points, please check them.",
      ),
    );
  });

  it("prints no location line for a finding about the whole message at no line", () => {
    expect(text([signOffResult()], meta)).toBe(
      lines(
        "ERROR:missing-sign-off: missing 'Signed-off-by:' line from the author",
        "",
        "total: 1 errors, 0 warnings, 20 lines checked",
        "",
        "0003-no-sob.patch has review points, please check them.",
      ),
    );
  });

  it("heads each message that prints something when there are several, and gives one verdict per input", () => {
    expect(text([...seriesResults(), stdinResult()], meta)).toBe(
      lines(
        "--------------------------------------------------------------",
        "series.mbox, message 2: [PATCH 1/2] net: foo: check the length",
        "--------------------------------------------------------------",
        "WARNING:fixes-tag: 'Fixes:' tag should name at least 12 characters of the commit id",
        "#39: FILE: series.mbox:39:",
        'Fixes: 1234abcd ("net: foo: add bar")',
        "",
        "CHECK:comparison-to-null: comparison to NULL could be written '!priv'",
        "#71: FILE: drivers/net/foo.c:88:",
        "+\tif (priv == NULL)",
        "",
        "------------------------------------",
        "series.mbox, message 3: (no subject)",
        "------------------------------------",
        "UNREADABLE: series.mbox, message 3 could not be read: base64 body does not decode",
        "",
        "---------------------------------",
        "-, message 1: [PATCH] mm: tidy up",
        "---------------------------------",
        "NOTE: unknown charset 'x-foo', read as latin-1",
        "",
        "total: 0 errors, 1 warnings, 1 checks, 142 lines checked",
        "",
        "series.mbox has review points, please check them.",
        "",
        "Your patch has no obvious review points and is ready for submission.",
      ),
    );
  });

  it("leaves out input notes and verdicts when quiet, but not unreadable messages", () => {
    expect(text([...seriesResults(), stdinResult()], { ...meta, quiet: true })).toBe(
      lines(
        "--------------------------------------------------------------",
        "series.mbox, message 2: [PATCH 1/2] net: foo: check the length",
        "--------------------------------------------------------------",
        "WARNING:fixes-tag: 'Fixes:' tag should name at least 12 characters of the commit id",
        "#39: FILE: series.mbox:39:",
        'Fixes: 1234abcd ("net: foo: add bar")',
        "",
        "CHECK:comparison-to-null: comparison to NULL could be written '!priv'",
        "#71: FILE: drivers/net/foo.c:88:",
        "+\tif (priv == NULL)",
        "",
        "------------------------------------",
        "series.mbox, message 3: (no subject)",
        "------------------------------------",
        "UNREADABLE: series.mbox, message 3 could not be read: base64 body does not decode",
        "",
        "total: 0 errors, 1 warnings, 1 checks, 142 lines checked",
      ),
    );
  });

  it("keeps related notes and fixes when quiet (they belong to the finding)", () => {
    const out = text([patchResult()], { ...meta, quiet: true });
    expect(out).toContain("  note: drivers/net/foo.c:165: 'priv->lock' taken here\n");
    expect(out).toContain("  fix: release 'priv->lock' before returning: replace with ");
    expect(out.endsWith("total: 1 errors, 1 warnings, 120 lines checked\n")).toBe(true);
  });

  it("prints a note about the run once, before the total, unless quiet", () => {
    const notes = ["one thing about the whole run"];
    expect(text([coverResult(), coverResult()], { ...meta, notes })).toBe(
      lines("NOTE: one thing about the whole run", "", "total: 0 errors, 0 warnings, 60 lines checked", "", "cover.eml has no diff to review."),
    );
    expect(text([coverResult()], { ...meta, notes, quiet: true })).toBe(lines("total: 0 errors, 0 warnings, 30 lines checked"));
  });

  it("leaves out the total with summary false, and everything at the end with mailback and no error or warning", () => {
    expect(text([coverResult()], { ...meta, summary: false })).toBe(lines("cover.eml has no diff to review."));
    expect(text([coverResult()], { ...meta, mailback: true, notes: ["n"] })).toBe("");
    expect(text([patchResult()], { ...meta, mailback: true })).toBe(text([patchResult()], meta));
  });

  it("says when a clean input has no diff, and when it could not be read", () => {
    expect(text([coverResult()], meta)).toBe(
      lines("total: 0 errors, 0 warnings, 30 lines checked", "", "cover.eml has no diff to review."),
    );
    const junk = { ...seriesResults()[2], source: "junk.bin", index: 0, lineCount: 3 };
    expect(text([junk], meta)).toBe(
      lines(
        "UNREADABLE: junk.bin, message 1 could not be read: base64 body does not decode",
        "",
        "total: 0 errors, 0 warnings, 3 lines checked",
        "",
        "junk.bin could not be read, see above.",
      ),
    );
  });

  it("counts checks under --strict even when there are none, and prints a total for no input", () => {
    expect(text([], meta)).toBe(lines("total: 0 errors, 0 warnings, 0 lines checked"));
    expect(text([coverResult()], { ...meta, strict: true, quiet: true })).toBe(
      lines("total: 0 errors, 0 warnings, 0 checks, 30 lines checked"),
    );
  });

  it("keeps every field on its line", () => {
    const r = patchResult();
    r.findings = [{ ...r.findings[0]!, message: "first\nsecond\r\nthird" }];
    r.problems = ["a\nb"];
    expect(text([r], meta).split("\n").slice(0, 2)).toEqual([
      "ERROR:bitwise-or-in-condition: first second third",
      "#49: FILE: drivers/net/foo.c:161:",
    ]);
    expect(text([r], meta)).toContain("NOTE: a b\n");
  });
});
