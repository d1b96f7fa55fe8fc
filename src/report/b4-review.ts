/**
 * `b4-review`: the JSON array `b4 review` reads from a per-patch check
 * command (`b4.review-perpatch-check-cmd`):
 *
 *   [{"tool": "kreview", "status": "fail", "summary": "2 errors, 1 warning",
 *     "details": "mm/foo.c:83: ERROR: ... [bitwise-or-in-condition]\n..."}]
 *
 * b4 runs the command once per patch, so there is normally one message and
 * at most one object. With several messages (an mbox given by hand) there is
 * one object per message that has something to say, and the summary names
 * the message. `[]` means nothing to report: b4 shows a check with nothing to
 * say as passed, so clean messages, cover letters and replies add nothing.
 *
 * status: "fail" when a finding is error-level (or the message could not be
 * read), else "warn". details: the message's terse lines (as `--format
 * terse` prints them), one per finding. No `url`: there is no page to link
 * to for one run.
 */
import type { MessageResult } from "../engine/types.js";
import { terse } from "./terse.js";
import type { Formatter, ReportMeta } from "./types.js";
import { messageNumber, oneLine } from "./util.js";

export interface B4Check {
  tool: "kreview";
  status: "pass" | "warn" | "fail";
  summary: string;
  details: string;
}

export const b4Review: Formatter = (results, meta) => {
  const several = results.length > 1;
  const checks: B4Check[] = [];
  for (const r of results) {
    const check = checkOf(r, meta);
    if (!check) continue;
    if (several) check.summary += ` in ${oneLine(`${r.source}, message ${messageNumber(r.index)}: ${r.subject || "(no subject)"}`)}`;
    checks.push(check);
  }
  return JSON.stringify(checks, null, 2) + "\n";
};

/** One message's entry, or null when it has nothing to report. */
function checkOf(r: MessageResult, meta: ReportMeta): B4Check | null {
  if (r.kind === "unreadable") {
    const why = r.problems.length > 0 ? r.problems.map(oneLine).join("\n") : "the message could not be read";
    return { tool: "kreview", status: "fail", summary: "could not be read", details: why };
  }
  if (r.findings.length === 0) return null;
  const errors = r.findings.filter((f) => f.severity === "error").length;
  const warnings = r.findings.filter((f) => f.severity === "warning").length;
  const checks = r.findings.length - errors - warnings;
  return {
    tool: "kreview",
    status: errors > 0 ? "fail" : "warn",
    summary: counts([
      [errors, "error"],
      [warnings, "warning"],
      [checks, "check"],
    ]),
    details: terse([r], meta).trimEnd(),
  };
}

/** "2 errors, 1 warning": only the levels present, singular where one. */
function counts(parts: [number, string][]): string {
  return parts
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 ? "" : "s"}`)
    .join(", ");
}
