/**
 * Reporter contracts. A reporter is a pure function from the engine's
 * per-message results to the text to print: no I/O, no console, no exit.
 */
import type { MessageResult, Severity } from "../engine/types.js";
import { countUnits } from "./units.js";

export type FormatName = "text" | "terse" | "json" | "sarif" | "b4-review" | "email";

/** A rule as the reporters name it (SARIF's `tool.driver.rules`). */
export interface ReportRule {
  id: string;
  /** The rule's default severity (a finding's own severity may differ when configured). */
  severity: Severity;
  /** One line, as `kreview rules` prints it. */
  summary: string;
  /** Where the rule's documentation lives, when it has a public URL. */
  helpUri?: string;
}

export interface ReportMeta {
  /** kreview's version, for JSON `version` and SARIF `tool.driver.version`. */
  version: string;
  /** The rules that ran (SARIF lists them; other reporters ignore them). */
  rules: readonly ReportRule[];
  /** checkpatch --strict: the text reporter always prints the checks count in `total:`. */
  strict?: boolean;
  /** checkpatch -q: the text reporter leaves out input notes and the verdict. */
  quiet?: boolean;
  /** A baseline is in use (`--baseline`): the totals say how many findings it suppressed (`MessageResult.suppressed`). */
  baseline?: boolean;
  /** checkpatch --no-summary (false): the text reporter leaves out its `total:` line. */
  summary?: boolean;
  /** checkpatch --mailback: the text reporter says nothing at the end of a run with no error or warning. */
  mailback?: boolean;
  /** Notes about the run as a whole (not about one message), printed once by the text reporter unless quiet. */
  notes?: readonly string[];
  /** SARIF `tool.driver.informationUri`, when kreview has a home page to name. */
  informationUri?: string;
  /**
   * How many inputs the run reads, a `--git` series counting one per commit
   * (src/report/units.ts). With more than one, `text` heads each input's
   * report and `terse` names the input on each line, as checkpatch does with
   * several files. The whole-report functions count them from the results.
   */
  units?: number;
  /**
   * Set when no kernel tree was found (and --no-tree was not given): the ids
   * of the rules that ran and look past the hunks, which had less to go on.
   * The text, JSON and SARIF reports say so once (text not when quiet).
   */
  noTree?: readonly string[];
}

export type Formatter = (results: readonly MessageResult[], meta: ReportMeta) => string;

/**
 * A reporter fed one message at a time, so the CLI can write each
 * message's text as soon as it is done and keep nothing of it: `message`
 * returns what to write for that message (it may hold back the first until
 * it knows whether there are others), `end` the rest (totals, closing
 * brackets). Writing `message` for each result in order and then `end` gives
 * exactly the Formatter's text: the Formatters are made from these.
 */
export interface ReportStream {
  message(r: MessageResult): string;
  end(): string;
}

export type StreamFactory = (meta: ReportMeta) => ReportStream;

/** The whole-report Formatter of a stream. */
export function collected(factory: StreamFactory): Formatter {
  return (results, meta) => {
    const s = factory(meta.units === undefined ? { ...meta, units: countUnits(results) } : meta);
    let out = "";
    for (const r of results) out += s.message(r);
    return out + s.end();
  };
}
