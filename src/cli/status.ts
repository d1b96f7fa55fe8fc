/**
 * The exit status of a run, shared by the command line and the send-email
 * hook: 2 when an input could not be read or kreview itself failed (said on
 * stderr, one line each), 1 on an error-level finding or more warnings than
 * allowed, 0 otherwise.
 *
 * That is ESLint's convention. checkpatch exits 1 on any message it prints,
 * warnings and (under --strict) checks included: `--fail-on warning` or
 * `--fail-on check` lowers the level that fails the run.
 */
import type { Writable } from "node:stream";
import type { MessageResult, Severity } from "../engine/index.js";

/** What the exit status needs of the results, kept as they stream by (an archive's results are not kept). */
export class Tally {
  errors = 0;
  warnings = 0;
  checks = 0;
  /** One line per message kreview failed on or gave up on. */
  readonly failed: string[] = [];

  add(r: MessageResult): void {
    for (const f of r.findings) {
      if (f.severity === "error") this.errors++;
      else if (f.severity === "warning") this.warnings++;
      else this.checks++;
    }
    if (r.internalError) {
      this.failed.push(`${r.source}, message ${r.index + 1}: ${r.problems.filter((p) => p.startsWith("internal error") || p.startsWith("gave up")).join("; ")}`);
    }
  }

  static of(results: readonly MessageResult[]): Tally {
    const t = new Tally();
    for (const r of results) t.add(r);
    return t;
  }
}

/**
 * `failOn`: the lowest level of a reported finding that makes the exit
 * status 1 (default `error`). Checks count only when reported (--strict).
 */
export function exitStatus(
  results: readonly MessageResult[] | Tally,
  failures: readonly string[],
  stderr: Writable,
  maxWarnings?: number,
  failOn: Severity = "error",
): number {
  const tally = results instanceof Tally ? results : Tally.of(results);
  for (const f of failures) stderr.write(`kreview: ${f}\n`);
  for (const line of tally.failed) stderr.write(`kreview: ${line}\n`);
  if (failures.length > 0 || tally.failed.length > 0) return 2;
  if (tally.errors > 0) return 1;
  if (failOn !== "error" && tally.warnings > 0) return 1;
  if (failOn === "check" && tally.checks > 0) return 1;
  if (maxWarnings !== undefined && tally.warnings > maxWarnings) return 1;
  return 0;
}
