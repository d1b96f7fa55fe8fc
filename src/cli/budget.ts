/**
 * The per-message time budget (`--timeout-per-message`), on whichever
 * thread lints the message: the main thread for a one-message run (which
 * must not pay for a worker pool), a worker of the pool otherwise. The stop
 * itself is cooperative, at tree-sitter calls (src/c/budget.ts explains why
 * it cannot be forced from outside).
 */
import { endBudget, OverBudget, overBudget, startBudget } from "../c/budget.js";

export { OverBudget };

/** Runs fn with a deadline `ms` from now (none when ms is 0); throws OverBudget when it was passed. */
export function withinBudget<T>(ms: number, fn: () => T): T {
  if (!(ms > 0) || !Number.isFinite(ms)) return fn();
  startBudget(ms);
  let value: T;
  try {
    value = fn();
  } finally {
    // The engine turns a rule's exception into a problem and goes on: the clock, not the exception, decides.
    if (overBudget()) {
      endBudget();
      // eslint-disable-next-line no-unsafe-finally
      throw new OverBudget(`over ${ms} ms`);
    }
    endBudget();
  }
  return value;
}

/** How a message kreview gave up on is named in its problems (and on stderr). */
export function gaveUpText(seconds: number): string {
  return `gave up after ${formatSeconds(seconds)} s: checking this message took longer than --timeout-per-message allows`;
}

export function formatSeconds(s: number): string {
  return Number.isInteger(s) ? String(s) : s.toFixed(s < 1 ? 2 : 1).replace(/0+$/, "").replace(/\.$/, "");
}
