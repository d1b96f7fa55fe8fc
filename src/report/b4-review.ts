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
import { terseLines } from "./terse.js";
import { collected, type StreamFactory } from "./types.js";
import { messageNumber, oneLine } from "./util.js";

export interface B4Check {
  tool: "kreview";
  status: "pass" | "warn" | "fail";
  summary: string;
  details: string;
}

/**
 * Streamed like the others: the first message is held until the second
 * shows whether there are several (the summaries name the message then).
 * The text is `JSON.stringify(checks, null, 2)` of the whole array.
 */
export const b4ReviewStream: StreamFactory = () => {
  let first: MessageResult | null = null;
  let seen = 0;
  let written = 0;
  const entry = (r: MessageResult, several: boolean): string => {
    const check = checkOf(r);
    if (!check) return "";
    if (several) check.summary += ` in ${oneLine(`${r.source}, message ${messageNumber(r.index)}: ${r.subject || "(no subject)"}`)}`;
    const text = "  " + JSON.stringify(check, null, 2).replace(/\n/g, "\n  ");
    return (written++ === 0 ? "[\n" : ",\n") + text;
  };
  return {
    message(r) {
      seen++;
      if (seen === 1) {
        first = r;
        return "";
      }
      const held = first ? entry(first, true) : "";
      first = null;
      return held + entry(r, true);
    },
    end() {
      const held = first ? entry(first, false) : "";
      first = null;
      return held + (written === 0 ? "[]\n" : "\n]\n");
    },
  };
};

export const b4Review = collected(b4ReviewStream);

/** One message's entry, or null when it has nothing to report. */
function checkOf(r: MessageResult): B4Check | null {
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
    details: terseLines(r).trimEnd(),
  };
}

/** "2 errors, 1 warning": only the levels present, singular where one. */
function counts(parts: [number, string][]): string {
  return parts
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 ? "" : "s"}`)
    .join(", ");
}
