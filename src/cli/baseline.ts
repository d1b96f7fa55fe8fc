/**
 * Baselines: the findings a maintainer has judged and does not want to see
 * again (`--baseline FILE`), and writing one from a run (`--write-baseline
 * FILE`). Kernel source cannot carry lint comments, so the judgement lives
 * beside it, in a file, as ESLint's suppressions and SARIF baselines do.
 *
 * A finding is matched by its rule, its file, the function it stands in and
 * the text of its line with the white space squeezed, never by a line
 * number: the same finding in the next version of a series, rebased onto
 * another tree, is still matched. Each entry suppresses one finding, so two
 * identical lines in one function need two entries.
 *
 *   {
 *     "kreview-baseline": 1,
 *     "findings": [
 *       {
 *         "rule": "bug-on",
 *         "file": "mm/memfile_notifier.c",
 *         "function": "memfile_register_backing_store",
 *         "text": "BUG_ON(!bs || !bs->get_notifier_list);",
 *         "message": "a BUG_ON() to validate the argument 'bs': ..."
 *       }
 *     ]
 *   }
 *
 * `message` is there for the person who reads or edits the file; it is not
 * matched (the wording may change between versions). Members kreview does
 * not know are ignored.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Finding, MessageResult } from "../engine/index.js";
import { clip } from "./config.js";
import { sameFileAsInput } from "./output.js";

/** The member that marks a file as a kreview baseline, and the version of its form. */
export const BASELINE_MARK = "kreview-baseline";
export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  rule: string;
  file: string;
  function: string | null;
  text: string;
  message?: string;
  /** Members kreview does not know (a note saying why), kept when the baseline is written again. */
  [other: string]: unknown;
}

const KNOWN = new Set(["rule", "file", "function", "text", "message"]);

/** A baseline that cannot be read or written; the message names the file. */
export class BaselineError extends Error {}

/** The text of a line as a baseline keeps it: runs of white space squeezed to one space, none at the ends. */
export function squeeze(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A finding as a baseline entry. */
export function entryOf(f: Finding): BaselineEntry {
  return { rule: f.rule, file: f.file, function: f.function ?? null, text: squeeze(f.sourceLine ?? ""), message: f.message };
}

function keyOf(e: Pick<BaselineEntry, "rule" | "file" | "function" | "text">): string {
  return JSON.stringify([e.rule, e.file, e.function ?? null, squeeze(e.text)]);
}

/** The findings of a baseline file, each able to suppress one finding of the run. */
export class Baseline {
  /** The entries not yet matched, by key. */
  private readonly left = new Map<string, BaselineEntry[]>();

  constructor(entries: readonly BaselineEntry[]) {
    for (const e of entries) {
      const k = keyOf(e);
      const list = this.left.get(k);
      if (list) list.push(e);
      else this.left.set(k, [e]);
    }
  }

  /** Reads a baseline file; `shown` is how messages name it. Throws BaselineError. */
  static async read(file: string, shown: string): Promise<Baseline> {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (e) {
      throw new BaselineError(`--baseline ${shown}: cannot read: ${describeFsError(e)}`);
    }
    const parsed = parseBaseline(text);
    if (typeof parsed === "string") throw new BaselineError(`--baseline ${shown}: ${parsed}`);
    return new Baseline(parsed);
  }

  /** Takes the findings the baseline lists out of a result, and returns them with the entry each matched. */
  suppress(r: MessageResult): { finding: Finding; entry: BaselineEntry }[] {
    const gone: { finding: Finding; entry: BaselineEntry }[] = [];
    r.findings = r.findings.filter((f) => {
      const entry = this.left.get(keyOf(entryOf(f)))?.shift();
      if (!entry) return true;
      gone.push({ finding: f, entry });
      return false;
    });
    return gone;
  }
}

/** A baseline's entries, or why the text is not one. */
export function parseBaseline(text: string): BaselineEntry[] | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    return `not a kreview baseline (not JSON: ${clip((e as Error).message.replace(/\s+/g, " "))})`;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !(BASELINE_MARK in doc)) {
    return `not a kreview baseline (no "${BASELINE_MARK}" member; --write-baseline writes one)`;
  }
  const d = doc as Record<string, unknown>;
  if (d[BASELINE_MARK] !== BASELINE_VERSION) return `"${BASELINE_MARK}" is ${clip(JSON.stringify(d[BASELINE_MARK]) ?? "")}: this kreview reads version ${BASELINE_VERSION}`;
  if (!Array.isArray(d.findings)) return `"findings" must be an array`;
  const out: BaselineEntry[] = [];
  for (const [i, e] of (d.findings as unknown[]).entries()) {
    const where = `finding ${i + 1}`;
    if (typeof e !== "object" || e === null || Array.isArray(e)) return `${where} is not an object`;
    const o = e as Record<string, unknown>;
    for (const k of ["rule", "file", "text"] as const) {
      if (typeof o[k] !== "string") return `${where}: "${k}" must be a string`;
    }
    if (o.function !== null && typeof o.function !== "string") return `${where}: "function" must be a string or null`;
    const entry: BaselineEntry = { rule: o.rule as string, file: o.file as string, function: o.function as string | null, text: o.text as string };
    for (const [k, v] of Object.entries(o)) if (!KNOWN.has(k)) entry[k] = v;
    out.push(entry);
  }
  return out;
}

/** The text of a baseline file holding these entries, sorted so that the file diffs well from run to run. */
export function baselineText(entries: readonly BaselineEntry[]): string {
  const sorted = [...entries].sort(
    (a, b) => cmp(a.file, b.file) || cmp(a.function ?? "", b.function ?? "") || cmp(a.rule, b.rule) || cmp(a.text, b.text) || cmp(a.message ?? "", b.message ?? ""),
  );
  return JSON.stringify({ [BASELINE_MARK]: BASELINE_VERSION, findings: sorted }, null, 2) + "\n";
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Why `--write-baseline FILE` may not write FILE, or null when it may: a file
 * that is there must be a kreview baseline (a patch, a configuration, any
 * other file is never overwritten), and not one of the inputs.
 */
export async function refuseToWrite(file: string, shown: string): Promise<string | null> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    return `--write-baseline ${shown}: ${describeFsError(e)}`;
  }
  if (!st.isFile()) return `--write-baseline ${shown}: not a regular file: refusing to write over it`;
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    return `--write-baseline ${shown}: cannot read what is there: ${describeFsError(e)}`;
  }
  if (typeof parseBaseline(text) === "string") return `--write-baseline ${shown}: the file is there and is not a kreview baseline: refusing to overwrite it`;
  return null;
}

/** Writes a baseline whole or not at all: into a file beside it, then renamed over it. */
export async function writeBaseline(file: string, shown: string, entries: readonly BaselineEntry[]): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, baselineText(entries), { flag: "wx" });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw new BaselineError(`--write-baseline ${shown}: cannot write: ${describeFsError(e)}`);
  }
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOSPC") return "no space left on device";
  return e instanceof Error ? e.message : String(e);
}

// ---- one run's use of baselines (the CLI's --baseline and --write-baseline) ----

export interface BaselineOptions {
  /** --baseline FILE, or `baseline` from .kreview.json (absolute); false with --no-baseline. */
  baseline?: string | false;
  /** --write-baseline FILE. */
  writeBaseline?: string;
}

/**
 * What a run does with baselines: takes the findings the baseline lists out
 * of each result as it streams by (counting them on the result, for the
 * totals), and keeps every finding, suppressed or not, for the baseline to
 * write. `--baseline B --write-baseline B` so refreshes B: what still
 * appears stays, what no longer does goes, what is new comes in.
 */
export class BaselineRun {
  private readonly entries: BaselineEntry[] | null;

  private constructor(
    private readonly reading: Baseline | null,
    private readonly target: { file: string; shown: string } | null,
  ) {
    this.entries = target ? [] : null;
  }

  /** True when findings are being suppressed (the reporters then say how many). */
  get suppressing(): boolean {
    return this.reading !== null;
  }

  /**
   * Reads the baseline and checks that the one to write may be written,
   * before anything is linted. Returns the one-line reason when not.
   * `inputs` and `output` are files the baseline must never replace.
   */
  static async open(opts: BaselineOptions, cwd: string, inputs: readonly { name: string; path?: string }[], output?: string): Promise<BaselineRun | string> {
    let target: { file: string; shown: string } | null = null;
    if (opts.writeBaseline !== undefined) {
      const file = path.resolve(cwd, opts.writeBaseline);
      const shown = opts.writeBaseline;
      const clash = await sameFileAsInput(file, inputs);
      if (clash) return `--write-baseline ${shown}: that is the input ${clash}: refusing to write the baseline over it`;
      if (output && (await sameFileAsInput(file, [{ name: output, path: path.resolve(cwd, output) }]))) return `--write-baseline ${shown}: that is the report's file (-o): refusing to write both to it`;
      const why = await refuseToWrite(file, shown);
      if (why) return why;
      target = { file, shown };
    }
    let reading: Baseline | null = null;
    if (typeof opts.baseline === "string") {
      const file = path.resolve(cwd, opts.baseline);
      // The first --baseline B --write-baseline B: B is being made.
      const making = target !== null && target.file === file && !(await exists(file));
      try {
        reading = making ? new Baseline([]) : await Baseline.read(file, opts.baseline);
      } catch (e) {
        if (e instanceof BaselineError) return e.message;
        throw e;
      }
    }
    return new BaselineRun(reading, target);
  }

  /** Before a result is counted and reported: takes out what the baseline lists, keeps everything for the one to write. */
  take(r: MessageResult): void {
    const gone = this.reading ? this.reading.suppress(r) : [];
    if (this.reading) r.suppressed = gone.length;
    if (!this.entries) return;
    // A suppressed finding keeps what the person added to its entry (a note saying why).
    for (const { finding, entry } of gone) this.entries.push({ ...entryOf(finding), ...extraOf(entry) });
    for (const f of r.findings) this.entries.push(entryOf(f));
  }

  /** Writes the baseline asked for; the one-line failure, or null. */
  async finish(): Promise<string | null> {
    if (!this.target || !this.entries) return null;
    try {
      await writeBaseline(this.target.file, this.target.shown, this.entries);
      return null;
    } catch (e) {
      if (e instanceof BaselineError) return e.message;
      throw e;
    }
  }
}

function extraOf(e: BaselineEntry): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([k]) => !KNOWN.has(k)));
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
