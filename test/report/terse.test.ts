import { describe, expect, it } from "vitest";
import type { Finding, MessageResult, Severity } from "../../src/engine/types.js";
import { formatters, streams } from "../../src/report/index.js";
import { allResults, bitwiseError, commitResults, coverResult, meta, patchResult, replyResult, seriesResults, signOffResult, stdinResult } from "./data.js";

const terse = formatters.terse;
const lines = (...l: string[]) => l.join("\n") + "\n";

function one(f: Finding, source = "0001-x.patch"): MessageResult {
  return { ...patchResult(), source, findings: [f] };
}

/** b4's rule: a line containing `ERROR:` fails the check, any other non-empty line warns. */
function b4Reads(out: string) {
  const found = out.split("\n").filter((l) => l.trim() !== "");
  return { failures: found.filter((l) => l.includes("ERROR:")).length, warnings: found.filter((l) => !l.includes("ERROR:")).length };
}

describe("terse reporter", () => {
  it("prints one checkpatch --terse --showfile line per finding and nothing else", () => {
    expect(terse([patchResult()], meta)).toBe(
      lines(
        "drivers/net/foo.c:161: ERROR: '|' between two conditions, did you mean '||' [bitwise-or-in-condition]",
        "drivers/net/foo.c:172: WARNING: 'priv->lock' is still held at this return [lock-held-on-return]",
      ),
    );
  });

  it("names the input position when the post-image line is unknown", () => {
    expect(terse([replyResult()], meta)).toBe(
      lines("reply.eml:42: WARNING: 'priv->lock' is still held at this return (in drivers/net/foo.c) [lock-held-on-return]"),
    );
  });

  it("names the input for findings about the whole message", () => {
    expect(terse(seriesResults(), meta)).toBe(
      lines(
        "series.mbox:39: WARNING: 'Fixes:' tag should name at least 12 characters of the commit id [fixes-tag]",
        "drivers/net/foo.c:88: CHECK: comparison to NULL could be written '!priv' [comparison-to-null]",
      ),
    );
    expect(terse([signOffResult()], meta)).toBe(lines("0003-no-sob.patch: ERROR: missing 'Signed-off-by:' line from the author [missing-sign-off]"));
  });

  it("with several inputs, starts each line with the input and its line, as checkpatch --terse names the file it read", () => {
    expect(terse([...seriesResults(), stdinResult(), signOffResult(), patchResult()], meta)).toBe(
      lines(
        "series.mbox:39: WARNING: 'Fixes:' tag should name at least 12 characters of the commit id [fixes-tag]",
        "series.mbox:71: drivers/net/foo.c:88: CHECK: comparison to NULL could be written '!priv' [comparison-to-null]",
        "0003-no-sob.patch: ERROR: missing 'Signed-off-by:' line from the author [missing-sign-off]",
        "0001-net-foo-fix-bar.patch:49: drivers/net/foo.c:161: ERROR: '|' between two conditions, did you mean '||' [bitwise-or-in-condition]",
        "0001-net-foo-fix-bar.patch:60: drivers/net/foo.c:172: WARNING: 'priv->lock' is still held at this return [lock-held-on-return]",
      ),
    );
    // the streamed form knows the inputs from the caller
    const s = streams.terse({ ...meta, units: 2 });
    expect(s.message(patchResult())).toMatch(/^0001-net-foo-fix-bar\.patch:49: drivers\/net\/foo\.c:161: ERROR: /);
    expect(streams.terse({ ...meta, units: 1 }).message(patchResult())).toMatch(/^drivers\/net\/foo\.c:161: ERROR: /);
  });

  it("--git: commits are inputs, named by their short sha, lines counted within the commit", () => {
    expect(terse(commitResults(), meta)).toBe(
      lines("fedcba987654:18: drivers/net/foo.c:161: ERROR: '|' between two conditions, did you mean '||' [bitwise-or-in-condition]"),
    );
    const [, bad] = commitResults();
    bad!.findings = [{ ...bad!.findings[0]!, line: null }];
    expect(terse([bad!], meta)).toBe(lines("fedcba987654:18: ERROR: '|' between two conditions, did you mean '||' (in drivers/net/foo.c) [bitwise-or-in-condition]"));
  });

  it("prints nothing at all for clean, no-diff and unreadable messages, quiet or not", () => {
    const quiet = [coverResult(), stdinResult(), seriesResults()[2]!];
    expect(terse(quiet, meta)).toBe("");
    expect(terse(quiet, { ...meta, quiet: true, strict: true })).toBe("");
  });

  it("names stdin '-' as checkpatch does, so that b4 strips it", () => {
    const r = { ...replyResult(), source: "-" };
    expect(terse([r], meta)).toBe(
      lines("-:42: WARNING: 'priv->lock' is still held at this return (in drivers/net/foo.c) [lock-held-on-return]"),
    );
  });

  it("never lets a warning or a check read as ERROR: to b4", () => {
    const warning: Finding = { ...bitwiseError(), rule: "noisy-log", severity: "warning", message: "driver prints 'ERROR: bad frame' on every packet" };
    expect(terse([one(warning)], meta)).toBe(
      lines("drivers/net/foo.c:161: WARNING: driver prints 'ERROR : bad frame' on every packet [noisy-log]"),
    );

    // Every place text comes from, every case, hidden behind a line break, at every non-error level.
    const sneaky: Array<Partial<Finding>> = [
      { message: "ERROR: x" },
      { message: "error: x" },
      { message: "Error:x" },
      { message: "ends with ERROR:" },
      { message: "two ERROR:ERROR: in a row" },
      { message: "a\nERROR: on its own line" },
      { message: "a\u2028ERROR: after a Unicode line separator" },
      { file: "drivers/ERROR:/x.c" },
      { file: "drivers/ERROR:/x.c", line: null },
      { file: "", line: null },
      { rule: "ERROR:" },
    ];
    for (const severity of ["warning", "check"] as Severity[]) {
      for (const s of sneaky) {
        const f: Finding = { ...bitwiseError(), severity, ...s };
        const out = terse([one(f, "ERROR:.eml")], meta);
        expect(out.toUpperCase(), JSON.stringify(s)).not.toContain("ERROR:");
        expect(b4Reads(out), JSON.stringify(s)).toEqual({ failures: 0, warnings: 1 });
      }
    }
  });

  it("keeps ERROR: on error lines, so b4 counts exactly the errors as failures", () => {
    const out = terse(allResults(), meta);
    const errors = allResults().flatMap((r) => r.findings).filter((f) => f.severity === "error").length;
    const others = allResults().flatMap((r) => r.findings).length - errors;
    expect(b4Reads(out)).toEqual({ failures: errors, warnings: others });
    // An error's own text is left as it is.
    const e: Finding = { ...bitwiseError(), message: "error: as the compiler says" };
    expect(terse([one(e)], meta)).toBe(lines("drivers/net/foo.c:161: ERROR: error: as the compiler says [bitwise-or-in-condition]"));
  });
});
