/**
 * `b4-review`: the JSON array `b4 review` reads from a per-patch check
 * command (`b4.review-perpatch-check-cmd`), in the form of b4's own
 * checkpatch handler, so kreview's column of b4's check matrix reads like
 * checkpatch's:
 *
 *   [{"tool": "kreview", "status": "fail", "summary": "2 errors, 1 warning",
 *     "details": "[{\"status\":\"fail\",\"description\":\"mm/foo.c:83: ERROR: ... [bitwise-or-in-condition]\"},...]"}]
 *
 *   [{"tool": "kreview", "status": "pass", "summary": "no review points"}]
 *
 * b4 runs the command once per patch, so there is normally one message and
 * one object. Every message gets one: a clean patch passes with a summary
 * that says so (an empty array would show as "nothing to report", which
 * reads as "did not run"), a message with no diff passes with "no diff to
 * review". With several messages (an mbox given by hand) the summaries name
 * the message.
 *
 * status: "fail" when a finding is error-level (or the message could not be
 * read), "warn" when there are only warnings and checks, else "pass", as b4
 * maps checkpatch's ERROR / WARNING and CHECK lines. summary: the counts,
 * only the levels present. details (only with something in it): a JSON text
 * of a list of `{status, description}`, one per finding, the description its
 * `--format terse` line; b4 shows each with its status. No `url`: there is
 * no page to link to for one run.
 */
import type { MessageResult } from "../engine/types.js";
import { terseLineList } from "./terse.js";
import { collected, type StreamFactory } from "./types.js";
import { messageTitle } from "./units.js";
import { oneLine } from "./util.js";

export interface B4Check {
  tool: "kreview";
  status: "pass" | "warn" | "fail";
  summary: string;
  /** JSON text of B4Detail[] (b4 parses it back and lists each). */
  details?: string;
}

/** One line of b4's detail view. */
export interface B4Detail {
  status: "pass" | "warn" | "fail";
  description: string;
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
    if (several) check.summary += ` in ${messageTitle(r)}`;
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

/** One message's entry. */
function checkOf(r: MessageResult): B4Check {
  if (r.kind === "unreadable") {
    const why = r.problems.length > 0 ? r.problems.map(oneLine) : ["the message could not be read"];
    return { tool: "kreview", status: "fail", summary: "could not be read", details: detailsText(why.map((description) => ({ status: "fail", description }))) };
  }
  if (r.findings.length === 0) {
    const summary = r.kind === "patch" ? "no review points" : r.kind === "reply" ? "no review points in the quoted code" : "no diff to review";
    return { tool: "kreview", status: "pass", summary };
  }
  const errors = r.findings.filter((f) => f.severity === "error").length;
  const warnings = r.findings.filter((f) => f.severity === "warning").length;
  const checks = r.findings.length - errors - warnings;
  const lines = terseLineList(r);
  return {
    tool: "kreview",
    status: errors > 0 ? "fail" : "warn",
    summary: counts([
      [errors, "error"],
      [warnings, "warning"],
      [checks, "check"],
    ]),
    details: detailsText(r.findings.map((f, i) => ({ status: f.severity === "error" ? "fail" : "warn", description: lines[i] }))),
  };
}

/** b4's details: the list as one JSON text, which b4 parses back into its list view. */
function detailsText(list: B4Detail[]): string {
  return JSON.stringify(list);
}

/** "2 errors, 1 warning": only the levels present, singular where one. */
function counts(parts: [number, string][]): string {
  return parts
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 ? "" : "s"}`)
    .join(", ");
}
