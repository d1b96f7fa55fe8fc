import { describe, expect, it } from "vitest";
import { formatters } from "../../src/report/index.js";
import { bitwiseError, commitResults, coverResult, meta, patchResult, replyResult, seriesResults, signOffResult, stdinResult } from "./data.js";

const text = formatters.text;

/** Joins expected lines; every report ends with a newline. */
const lines = (...l: string[]) => l.join("\n") + "\n";
/** checkpatch's header: the title between dashed rules of its length. */
const dashed = (title: string) => ["-".repeat(title.length), title, "-".repeat(title.length)];

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

  it("gives each input its own report under its name, as checkpatch does with several files, and heads messages only in an mbox", () => {
    expect(text([...seriesResults(), stdinResult(), signOffResult()], meta)).toBe(
      lines(
        "-----------",
        "series.mbox",
        "-----------",
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
        "total: 0 errors, 1 warnings, 1 checks, 102 lines checked",
        "",
        "series.mbox has review points, please check them.",
        "----------",
        "Your patch",
        "----------",
        "NOTE: unknown charset 'x-foo', read as latin-1",
        "",
        "total: 0 errors, 0 warnings, 40 lines checked",
        "",
        "Your patch has no obvious review points and is ready for submission.",
        "-----------------",
        "0003-no-sob.patch",
        "-----------------",
        "ERROR:missing-sign-off: missing 'Signed-off-by:' line from the author",
        "",
        "total: 1 errors, 0 warnings, 20 lines checked",
        "",
        "0003-no-sob.patch has review points, please check them.",
      ),
    );
  });

  it("an mbox alone: its messages headed, one total and one verdict, no input header", () => {
    const out = text(seriesResults(), meta);
    expect(out.startsWith(dashed("series.mbox, message 2: [PATCH 1/2] net: foo: check the length").join("\n"))).toBe(true);
    expect(out.match(/^total: /gm)).toHaveLength(1);
    expect(out.endsWith("total: 0 errors, 1 warnings, 1 checks, 102 lines checked\n\nseries.mbox has review points, please check them.\n")).toBe(true);
  });

  it("--git: each commit is headed as checkpatch heads it, with its own total and verdict, positions naming the commit", () => {
    const [clean, bad] = commitResults();
    bad!.findings.push({ ...bitwiseError(), rule: "missing-sign-off", file: "", line: null, patchLine: 4, sourceLine: undefined });
    expect(text([clean!, bad!], meta)).toBe(
      lines(
        ...dashed('Commit 0123456789ab ("net: foo: comment the error return")'),
        "total: 0 errors, 0 warnings, 22 lines checked",
        "",
        'Commit 0123456789ab ("net: foo: comment the error return") has no obvious review points and is ready for submission.',
        ...dashed('Commit fedcba987654 ("net: foo: reject a zero length")'),
        "ERROR:bitwise-or-in-condition: '|' between two conditions, did you mean '||'",
        "#18: FILE: drivers/net/foo.c:161:",
        "+\tif (!a | !b)",
        "",
        "ERROR:missing-sign-off: '|' between two conditions, did you mean '||'",
        "#4: FILE: fedcba987654:4:",
        "",
        "total: 2 errors, 0 warnings, 23 lines checked",
        "",
        'Commit fedcba987654 ("net: foo: reject a zero length") has review points, please check them.',
      ),
    );
    // one commit alone: no header, the verdict still names it
    expect(text([bad!], meta)).not.toMatch(/^-+$/m);
    expect(text([bad!], meta)).toContain('\nCommit fedcba987654 ("net: foo: reject a zero length") has review points, please check them.\n');
  });

  it("quiet is checkpatch's -q: a clean input prints nothing, the others their findings and total under their header, and no notes or verdicts", () => {
    expect(text([...seriesResults(), stdinResult(), coverResult()], { ...meta, quiet: true })).toBe(
      lines(
        "-----------",
        "series.mbox",
        "-----------",
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
        "total: 0 errors, 1 warnings, 1 checks, 102 lines checked",
      ),
    );
    expect(text([stdinResult()], { ...meta, quiet: true })).toBe("");
    expect(text([coverResult(), stdinResult()], { ...meta, quiet: true })).toBe("");
  });

  it("says once, at the end, which rules had less to go on when no kernel tree was found; not when quiet, nor for no patch", () => {
    const noTree = ["list-mutation-unlocked", "sleep-in-atomic"];
    const out = text([patchResult(), coverResult()], { ...meta, noTree });
    expect(out.match(/^NOTE: no kernel tree/gm)).toHaveLength(1);
    expect(out.endsWith("\n\nNOTE: no kernel tree found: list-mutation-unlocked, sleep-in-atomic saw the hunks only, not whole files; run inside the tree or give --tree DIR (--no-tree: hunks only, no note)\n")).toBe(true);
    expect(text([patchResult()], { ...meta, noTree, quiet: true })).not.toContain("kernel tree");
    expect(text([coverResult()], { ...meta, noTree })).not.toContain("kernel tree");
    expect(text([patchResult()], { ...meta, noTree: [] })).not.toContain("kernel tree");
  });

  it("keeps related notes and fixes when quiet (they belong to the finding)", () => {
    const out = text([patchResult()], { ...meta, quiet: true });
    expect(out).toContain("  note: drivers/net/foo.c:165: 'priv->lock' taken here\n");
    expect(out).toContain("  fix: release 'priv->lock' before returning: replace with ");
    expect(out.endsWith("total: 1 errors, 1 warnings, 120 lines checked\n")).toBe(true);
  });

  it("prints a note about the run once, at the end, unless quiet", () => {
    const notes = ["one thing about the whole run"];
    expect(text([coverResult(), coverResult()], { ...meta, notes })).toBe(
      lines("total: 0 errors, 0 warnings, 60 lines checked", "", "cover.eml has no diff to review.", "", "NOTE: one thing about the whole run"),
    );
    // quiet is checkpatch's -q: an input with nothing to say prints nothing, and no notes
    expect(text([coverResult()], { ...meta, notes, quiet: true })).toBe("");
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

  it("with a baseline, each input's total says how many findings the baseline took out of that input", () => {
    const [clean, bad] = commitResults();
    clean!.suppressed = 2;
    const stdin = { ...stdinResult(), suppressed: 1 };
    const out = text([clean!, bad!, stdin], { ...meta, baseline: true });
    expect(out.match(/^total: .*$/gm)).toEqual([
      "total: 0 errors, 0 warnings, 22 lines checked, 2 suppressed by the baseline",
      "total: 1 errors, 0 warnings, 23 lines checked, 0 suppressed by the baseline",
      "total: 0 errors, 0 warnings, 40 lines checked, 1 suppressed by the baseline",
    ]);
    // a clean commit whose findings the baseline took out is still ready
    expect(out).toContain('Commit 0123456789ab ("net: foo: comment the error return") has no obvious review points and is ready for submission.');
    expect(text([], { ...meta, baseline: true })).toBe(lines("total: 0 errors, 0 warnings, 0 lines checked, 0 suppressed by the baseline"));
    // without a baseline the count is not said, even when a result carries one
    expect(text([clean!], meta)).toMatch(/^total: 0 errors, 0 warnings, 22 lines checked$/m);
  });

  it("counts checks under --strict even when there are none, and prints a total for no input", () => {
    expect(text([], meta)).toBe(lines("total: 0 errors, 0 warnings, 0 lines checked"));
    expect(text([], { ...meta, quiet: true })).toBe("");
    expect(text([coverResult()], { ...meta, strict: true })).toBe(
      lines("total: 0 errors, 0 warnings, 0 checks, 30 lines checked", "", "cover.eml has no diff to review."),
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
