/**
 * The exit status of a run, shared by the command line and the send-email
 * hook: 2 when an input could not be read or kreview itself failed (said on
 * stderr, one line each), 1 on an error-level finding or more warnings than
 * allowed, 0 otherwise.
 */
import type { Writable } from "node:stream";
import { summarize, type MessageResult } from "../engine/index.js";

export function exitStatus(results: readonly MessageResult[], failures: readonly string[], stderr: Writable, maxWarnings?: number): number {
  for (const f of failures) stderr.write(`kreview: ${f}\n`);
  const internal = results.filter((r) => r.internalError);
  for (const r of internal) {
    stderr.write(`kreview: ${r.source}, message ${r.index + 1}: ${r.problems.filter((p) => p.startsWith("internal error") || p.startsWith("gave up")).join("; ")}\n`);
  }
  if (failures.length > 0 || internal.length > 0) return 2;
  const s = summarize(results);
  if (s.errors > 0) return 1;
  if (maxWarnings !== undefined && s.warnings > maxWarnings) return 1;
  return 0;
}
