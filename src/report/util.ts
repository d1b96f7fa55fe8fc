/**
 * Small helpers shared by the line-oriented reporters.
 */
import type { Severity } from "../engine/types.js";

/**
 * Everything a line-oriented reader may take for the end of a line: \n, \r,
 * and what Python's str.splitlines() also splits on (b4 reads our output with it).
 */
const LINE_BREAKS = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;

/** Makes a field safe to print inside one line of output. */
export function oneLine(s: string): string {
  return s.replace(LINE_BREAKS, " ");
}

/** checkpatch's level words. */
export function levelWord(severity: Severity): "ERROR" | "WARNING" | "CHECK" {
  return severity === "error" ? "ERROR" : severity === "warning" ? "WARNING" : "CHECK";
}

/** 1-based position of a message in its input, for people (the JSON `index` stays 0-based). */
export function messageNumber(index: number): number {
  return index + 1;
}

/**
 * The note a report gives when no kernel tree was found: the rules that had
 * less to go on (one line; the caller adds its `NOTE: ` or puts it where its
 * format keeps notes).
 */
export function noTreeNote(rules: readonly string[]): string {
  return `no kernel tree found: ${rules.join(", ")} saw the hunks only, not whole files; run inside the tree or give --tree DIR (--no-tree: hunks only, no note)`;
}
