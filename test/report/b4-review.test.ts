/**
 * `--format b4-review` in the form b4's own checkpatch handler gives its
 * results (b4 src/b4/review/checks.py): every message an object, a clean one
 * "pass" with a summary that says so, the findings as a JSON list of
 * `{status, description}` in `details`, which b4's detail view parses back.
 */
import { describe, expect, it } from "vitest";
import { formatters } from "../../src/report/index.js";
import { commitResults, coverResult, meta, patchResult, replyResult, seriesResults, signOffResult } from "./data.js";

const b4 = (rs: Parameters<typeof formatters.json>[0]) => JSON.parse(formatters["b4-review"](rs, meta)) as Record<string, string>[];

describe("b4-review reporter", () => {
  it("a patch with findings: fail, the counts, and one {status, description} per finding in details", () => {
    const [c] = b4([patchResult()]);
    expect(c).toEqual({
      tool: "kreview",
      status: "fail",
      summary: "1 error, 1 warning",
      details: JSON.stringify([
        { status: "fail", description: "drivers/net/foo.c:161: ERROR: '|' between two conditions, did you mean '||' [bitwise-or-in-condition]" },
        { status: "warn", description: "drivers/net/foo.c:172: WARNING: 'priv->lock' is still held at this return [lock-held-on-return]" },
      ]),
    });
  });

  it("warnings and checks only: warn, as b4 maps checkpatch's WARNING and CHECK lines", () => {
    const [, patch] = seriesResults();
    const [c] = b4([patch!]);
    expect(c!.status).toBe("warn");
    expect(c!.summary).toBe("1 warning, 1 check");
    expect((JSON.parse(c!.details!) as { status: string }[]).map((d) => d.status)).toEqual(["warn", "warn"]);
  });

  it("a clean patch passes with a summary, so b4 shows a pass rather than nothing; so do a cover letter and a reply", () => {
    const clean = { ...patchResult(), findings: [] };
    expect(b4([clean])).toEqual([{ tool: "kreview", status: "pass", summary: "no review points" }]);
    expect(b4([coverResult()])).toEqual([{ tool: "kreview", status: "pass", summary: "no diff to review" }]);
    expect(b4([{ ...replyResult(), findings: [] }])).toEqual([{ tool: "kreview", status: "pass", summary: "no review points in the quoted code" }]);
  });

  it("an unreadable message fails with the reason in details", () => {
    const [c] = b4([{ ...seriesResults()[2]!, source: "junk.eml", index: 0 }]);
    expect(c).toEqual({ tool: "kreview", status: "fail", summary: "could not be read", details: JSON.stringify([{ status: "fail", description: "base64 body does not decode" }]) });
  });

  it("several messages: one object each, in order, the summary naming the message or the commit", () => {
    const checks = b4([...seriesResults(), signOffResult(), ...commitResults()]);
    expect(checks.map((c) => [c.status, c.summary])).toEqual([
      ["pass", "no diff to review in series.mbox, message 1: [PATCH 0/2] net: foo: two fixes"],
      ["warn", "1 warning, 1 check in series.mbox, message 2: [PATCH 1/2] net: foo: check the length"],
      ["fail", "could not be read in series.mbox, message 3: (no subject)"],
      ["fail", "1 error in 0003-no-sob.patch, message 1: [PATCH] mm: no sign-off"],
      ["pass", 'no review points in Commit 0123456789ab ("net: foo: comment the error return")'],
      ["fail", '1 error in Commit fedcba987654 ("net: foo: reject a zero length")'],
    ]);
  });

  it("no input at all: an empty array", () => {
    expect(formatters["b4-review"]([], meta)).toBe("[]\n");
  });
});
