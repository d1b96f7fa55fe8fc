/**
 * `--fix` and `--fix-inplace`: the patch with the machine-applicable
 * suggestions of its findings applied, as checkpatch's options of the same
 * names do. `--fix` writes `<file>.kreview-fixed` beside the input (for
 * checkpatch, `<file>.EXPERIMENTAL-checkpatch-fixes`); `--fix-inplace`
 * rewrites the input.
 *
 * What is changed, and what is not:
 * - Only `+` lines, and only within one line: a suggestion whose range spans
 *   lines, or whose replacement holds a line break, is not applied. So the
 *   hunks keep their line counts and the fixed file is still a patch that
 *   applies where the original did (the diffstat is still right too).
 * - A patch (one message) with a `maybe-incorrect` suggestion, or a
 *   suggestion that cannot be applied as above, is left exactly as it is:
 *   none of its fixes are applied, and kreview says why. Half a patch fixed
 *   by machine is worse than one the author fixes whole.
 * - The file is rewritten byte for byte except in the ranges replaced, and
 *   only where a line of the file is exactly the `+` line the finding is on
 *   (a body sent quoted-printable or base64 is not: its patch is left).
 * - An mbox of several messages is fixed message by message: every line of
 *   it is a line of the file. Findings a baseline suppressed are not fixed.
 *
 * With `-f` (source files) the same holds of the file's lines, which are the
 * added lines with no `+` before them: checkpatch's `-f --fix`.
 *
 * Refused before anything is linted: stdin (there is no file to write), a
 * `--git` range (the fix belongs in the commit: amend it), and a gzip
 * archive (kreview does not rewrite compressed files).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Finding, MessageResult } from "../engine/index.js";
import type { Patch } from "../patch/model.js";
import { describeWriteError, sameFileAsInput } from "./output.js";

/** What `--fix` adds to the input's name. */
export const FIX_SUFFIX = ".kreview-fixed";

export interface FixOptions {
  fix?: boolean;
  fixInplace?: boolean;
  /** `-f`: the inputs are source files, whose lines are the added lines themselves (no `+` before them). */
  file?: boolean;
}

/** One replacement within one `+` line of the input. */
interface Edit {
  /** 1-based line of the input. */
  inputLine: number;
  /** The line as the patch model read it, without its `+`. */
  text: string;
  /** Byte range of `text` (UTF-8) to replace, end exclusive. */
  start: number;
  end: number;
  replacement: string;
  /** "bitwise-or-in-condition at mm/memfile_notifier.c:83", for the notes. */
  what: string;
}

interface MessageFixes {
  index: number;
  subject: string;
  edits: Edit[];
  /** Why none of this message's fixes may be applied. */
  blocked: string | null;
}

interface InputFixes {
  name: string;
  path: string;
  /** Size and mtime when the run started: a file changed since is not rewritten. */
  size: number;
  mtimeMs: number;
  messages: MessageFixes[];
}

/** What --fix does in one run: collects the fixes of each result as it streams by, then writes each input's fixed file. */
export class FixRun {
  private readonly inputs = new Map<string, InputFixes>();

  private constructor(
    private readonly inplace: boolean,
    /** What stands before an added line in the input: `+`, or nothing in a source file (`-f`). */
    private readonly marker: "+" | "",
    private readonly files: readonly { name: string; path?: string }[],
    private readonly output: string | undefined,
  ) {}

  /**
   * Checks that every input can be fixed; the one-line reason when one
   * cannot. `git` is true with --git, `output` the -o file (absolute).
   */
  static async open(
    opts: FixOptions,
    inputs: readonly { name: string; path?: string }[],
    git: boolean,
    output: string | undefined,
  ): Promise<FixRun | string | null> {
    if (!opts.fix && !opts.fixInplace) return null;
    const usage = fixUsageError(opts, git);
    if (usage) return usage;
    const flag = opts.fixInplace ? "--fix-inplace" : "--fix";
    const run = new FixRun(opts.fixInplace === true, opts.file ? "" : "+", inputs, output);
    for (const input of inputs) {
      if (!input.path) return `${flag}: stdin has no file to write the fixed patch to: name the patch file instead`;
      let st;
      let head: Buffer;
      try {
        st = await fs.stat(input.path);
        const fh = await fs.open(input.path, "r");
        try {
          head = Buffer.alloc(2);
          await fh.read(head, 0, 2, 0);
        } finally {
          await fh.close();
        }
      } catch {
        continue; // an unreadable input is told about (and not linted) elsewhere
      }
      if (head[0] === 0x1f && head[1] === 0x8b) return `${flag}: ${input.name} is gzip-compressed: kreview does not rewrite compressed archives (gunzip it first)`;
      run.inputs.set(input.name, { name: input.name, path: input.path, size: st.size, mtimeMs: st.mtimeMs, messages: [] });
    }
    return run;
  }

  /** Collects one result's fixes (its `patch` must be kept: the CLI asks for it). */
  take(r: MessageResult): void {
    const input = this.inputs.get(r.source);
    if (!input || r.kind !== "patch" || !r.patch) return;
    const withFix = r.findings.filter((f) => f.suggestion);
    if (withFix.length === 0) return;
    const m: MessageFixes = { index: r.index, subject: r.subject, edits: [], blocked: null };
    for (const f of withFix) {
      const e = editOf(f, r.patch);
      if (typeof e === "string") {
        m.blocked ??= e;
        continue;
      }
      m.edits.push(e);
    }
    input.messages.push(m);
  }

  /**
   * Writes each input's fixed file. Returns the notes to tell the user (what
   * was written, which patches were left and why) and the failures (a file
   * that could not be written: exit 2).
   */
  async finish(): Promise<{ notes: string[]; failures: string[] }> {
    const notes: string[] = [];
    const failures: string[] = [];
    for (const input of this.inputs.values()) {
      if (input.messages.length === 0) continue;
      const several = input.messages.length > 1 || input.messages[0]!.index > 0;
      const named = (m: MessageFixes) => (several ? `${input.name}, message ${m.index + 1} (${m.subject || "no subject"})` : input.name);
      let bytes: Buffer;
      try {
        const st = await fs.stat(input.path);
        if (st.size !== input.size || st.mtimeMs !== input.mtimeMs) {
          notes.push(`${input.name}: not fixed: the file changed while it was being linted`);
          continue;
        }
        bytes = await fs.readFile(input.path);
      } catch (e) {
        failures.push(`${input.name}: cannot read it again to fix it: ${describeWriteError(e as NodeJS.ErrnoException)}`);
        continue;
      }
      const lines = splitKeepingEnds(bytes);
      const applied: Edit[] = [];
      for (const m of input.messages) {
        const why = m.blocked ?? check(m.edits, lines, this.marker);
        if (why) {
          notes.push(`${named(m)}: not fixed: ${why}; none of this patch's fixes are applied`);
          continue;
        }
        applied.push(...m.edits);
      }
      if (applied.length === 0) continue;
      apply(applied, lines, this.marker);
      const target = this.inplace ? input.path : input.path + FIX_SUFFIX;
      const shown = this.inplace ? input.name : input.name + FIX_SUFFIX;
      const clash = this.inplace ? null : (await sameFileAsInput(target, this.files)) ?? (this.output && (await sameFileAsInput(target, [{ name: "-o", path: this.output }])));
      if (clash) {
        failures.push(`--fix: ${shown} is ${clash === "-o" ? "the report's file (-o)" : `the input ${clash}`}: refusing to write the fixed patch over it`);
        continue;
      }
      try {
        await writeWhole(target, Buffer.concat(lines), input.path);
      } catch (e) {
        failures.push(`${shown}: cannot write the fixed patch: ${describeWriteError(e as NodeJS.ErrnoException)}`);
        continue;
      }
      const shownEdits = applied.slice(0, 3).map((e) => e.what);
      const list = shownEdits.join(", ") + (applied.length > 3 ? `, and ${applied.length - 3} more` : "");
      const count = `${applied.length} fix${applied.length === 1 ? "" : "es"}`;
      notes.push(this.inplace ? `${input.name}: fixed in place: ${count} (${list})` : `wrote ${shown}: ${count} (${list})`);
    }
    return { notes, failures };
  }
}

/** What is wrong with asking for fixes with these options, before any input is opened; null when nothing is. */
export function fixUsageError(opts: FixOptions, git: boolean): string | null {
  if (opts.fix && opts.fixInplace) return "--fix and --fix-inplace: choose one (a new file beside the input, or the input itself)";
  const flag = opts.fixInplace ? "--fix-inplace" : opts.fix ? "--fix" : null;
  if (flag && git) return `${flag} rewrites patch files, and --git lints commits: a fix to a commit belongs in the commit (git commit --amend, or git rebase -i)`;
  return null;
}

/** A finding's suggestion as an edit of the input, or why it cannot be applied by machine. */
function editOf(f: Finding, patch: Patch): Edit | string {
  const s = f.suggestion!;
  const what = `${f.rule} at ${f.file}${s.line !== null ? `:${s.line}` : ""}`;
  if (s.applicability !== "machine-applicable") return `the fix of ${what} is ${s.applicability}`;
  if (s.line === null || s.column === null || s.endLine === null || s.endColumn === null) return `the fix of ${what} has no exact place`;
  if (s.endLine !== s.line) return `the fix of ${what} spans lines`;
  if (/[\r\n]/.test(s.replacement)) return `the fix of ${what} would add lines`;
  const file = patch.files.find((d) => d.path === f.file && !d.fragment);
  const line = file?.hunks.flatMap((h) => h.lines).find((l) => l.newNo === s.line && l.kind !== "-");
  if (!line || line.kind !== "+") return `the fix of ${what} is not on a line the patch adds`;
  return { inputLine: line.inputLine, text: line.text, start: s.column - 1, end: s.endColumn - 1, replacement: s.replacement, what };
}

/** Why these edits cannot be made to these lines, or null. */
function check(edits: readonly Edit[], lines: readonly Buffer[], marker: string): string | null {
  const byLine = new Map<number, Edit[]>();
  for (const e of edits) {
    const raw = lines[e.inputLine - 1];
    const body = raw ? stripEnd(raw) : null;
    const expected = Buffer.from(marker + e.text, "utf8");
    if (!body || !body.equals(expected)) {
      return `its lines in the file are not the patch's lines as read (a mail body sent encoded or reflowed): ${e.what}`;
    }
    if (e.start < 0 || e.end < e.start || e.end > expected.length - marker.length) return `the fix of ${e.what} is outside its line`;
    const list = byLine.get(e.inputLine) ?? [];
    for (const o of list) if (e.start < o.end && o.start < e.end) return `the fixes of ${o.what} and ${e.what} overlap`;
    list.push(e);
    byLine.set(e.inputLine, list);
  }
  return null;
}

/** Applies the edits to the lines (each line keeps its `+`, if it has one, and its line ending). */
function apply(edits: readonly Edit[], lines: Buffer[], marker: string): void {
  const byLine = new Map<number, Edit[]>();
  for (const e of edits) byLine.set(e.inputLine, [...(byLine.get(e.inputLine) ?? []), e]);
  for (const [no, list] of byLine) {
    const raw = lines[no - 1]!;
    const body = stripEnd(raw);
    const ending = raw.subarray(body.length);
    let text = body.subarray(marker.length);
    // From the right, so that the byte positions of the edits to the left stay true.
    for (const e of [...list].sort((a, b) => b.start - a.start)) {
      text = Buffer.concat([text.subarray(0, e.start), Buffer.from(e.replacement, "utf8"), text.subarray(e.end)]);
    }
    lines[no - 1] = Buffer.concat([Buffer.from(marker), text, ending]);
  }
}

/** The file's lines, each with its own line ending (the last may have none). */
function splitKeepingEnds(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, start)) {
    out.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

/** A line without its `\n` or `\r\n`. */
function stripEnd(line: Buffer): Buffer {
  let n = line.length;
  if (n > 0 && line[n - 1] === 0x0a) n--;
  if (n > 0 && line[n - 1] === 0x0d) n--;
  return line.subarray(0, n);
}

/** Writes a file whole or not at all (beside it, then renamed over it), with the mode of `like`. */
async function writeWhole(target: string, bytes: Buffer, like: string): Promise<void> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    const mode = (await fs.stat(like)).mode & 0o7777;
    await fs.writeFile(tmp, bytes, { flag: "wx", mode });
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}
