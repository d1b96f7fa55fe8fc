/**
 * Read every input the user named, one message at a time, and lint each.
 * This is where files and stdin are opened: the layers below only see bytes.
 */
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { InputError, readSource, splitMessages, type RawMessage } from "../input/index.js";
import { SeriesHold, type Linter, type MessageResult } from "../engine/index.js";
import { checkMessage, gaveUpResult, type CheckOptions, type Checked } from "./check.js";
import { Pool, type WorkerSpec } from "./pool.js";
import type { Progress } from "./progress.js";

export interface InputSpec {
  /** The name shown to the user ("-" for stdin). */
  name: string;
  /** Opens the bytes (a file stream, or stdin). */
  open(): Readable;
  /** Size in bytes when known (for the progress display). */
  size?: number;
  /** The absolute path of a file input (not stdin, not --git). */
  path?: string;
  /** Cuts the bytes into messages when the input layer's mbox reading is not the whole story (--git: one per commit). */
  split?: (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<RawMessage>;
  /** How many reports the input makes: a --git series one per commit; 1 when left out. */
  units?: number;
  /**
   * The input's patches are one series whatever their subjects say (a
   * `--git` range, the files of one send-email run): inputs that share the
   * same value are grouped as one.
   */
  oneSeries?: string;
}

export interface LintRun {
  results: MessageResult[];
  /** One line per input that could not be read, naming it. */
  failures: string[];
}

export type { Progress } from "./progress.js";

/** Extensions a directory argument contributes. */
const DIR_PATTERN = /\.(patch|diff|eml|mbox|mbox\.gz|mbx)$/i;

/**
 * Expand the user's arguments into inputs; a missing path is a failure, not a
 * crash. With `sourceFiles` (`-f`) every argument must be a file: a source
 * file is named by its path, which stdin does not have, and a directory's
 * patches are not source files.
 */
export async function resolveInputs(
  args: string[],
  cwd: string,
  stdin: Readable,
  { sourceFiles = false }: { sourceFiles?: boolean } = {},
): Promise<{ inputs: InputSpec[]; failures: string[] }> {
  const inputs: InputSpec[] = [];
  const failures: string[] = [];
  for (const arg of args) {
    if (arg === "-" && sourceFiles) {
      failures.push("-: -f/--file lints source files by name, and stdin has none: name the file");
      continue;
    }
    if (arg === "-") {
      // stdin can be read once: a second `-` adds nothing
      if (!inputs.some((i) => i.name === "-")) inputs.push({ name: "-", open: () => stdin });
      continue;
    }
    const full = path.resolve(cwd, arg);
    let st;
    try {
      st = await fs.stat(full);
    } catch (e) {
      failures.push(`${arg}: ${describeFsError(e)}`);
      continue;
    }
    if (st.isDirectory() && sourceFiles) {
      failures.push(`${arg}: a directory: -f/--file lints source files: name them (${path.join(arg, "*.c")})`);
    } else if (st.isDirectory()) {
      const names = (await fs.readdir(full)).filter((n) => DIR_PATTERN.test(n)).sort();
      if (names.length === 0) failures.push(`${arg}: directory holds no *.patch, *.eml or *.mbox file`);
      for (const n of names) {
        const p = path.join(full, n);
        const size = (await fs.stat(p)).size;
        inputs.push({ name: path.join(arg, n), open: () => createReadStream(p), size, path: p });
      }
    } else {
      inputs.push({ name: arg, open: () => createReadStream(full), size: st.size, path: full });
    }
  }
  return { inputs, failures };
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  return e instanceof Error ? e.message : String(e);
}

export interface LintOptions {
  progress?: Progress;
  /** Keep each message's patch on its result (for reporters that quote it). */
  keepPatches?: boolean;
  /** Milliseconds a message may take (`--timeout-per-message`); 0 or left out: no limit. */
  timeoutMs?: number;
  /**
   * Called with each message's result, in input order, as soon as it and
   * every message before it are done; the results are then not kept (an
   * archive must not pile up in memory). Left out: they are returned.
   */
  onResult?: (result: MessageResult) => void | Promise<void>;
  /** Asked between messages: true stops the run (the report's reader went away). */
  stop?: () => boolean;
  /**
   * Worker threads to lint on (`-j`); 1 or left out: this thread only. A
   * run lints its first messages here and starts the pool only when there
   * are more and they took a while (IN_PROCESS_FIRST, POOL_AFTER_MS), so a
   * one-patch run, or a short series, never pays for it. Needs
   * `workerLinter`, the settings the workers build their linter from.
   */
  jobs?: number;
  workerLinter?: WorkerSpec["linter"];
  /** The time in ms the messages linted on this thread must have taken before a pool starts (POOL_AFTER_MS; tests set 0). */
  poolAfterMs?: number;
  /** `-f`: each input is one whole source file, linted as the patch that adds it. */
  sourceFiles?: boolean;
}

/** Messages linted on this thread before a pool is started for the rest, at least. */
const IN_PROCESS_FIRST = 8;
/**
 * And the time they must have taken, in ms: workers start cold (their own
 * modules, their own compiled code), so a run with less work than this left
 * is over sooner on this thread. On this project's machine a pool started
 * after 8 messages made runs of 30 to 240 nvdimm messages (0.3 to 1.3 s)
 * slower with two workers than with one thread.
 */
const POOL_AFTER_MS = 1000;
/** Messages handed to the pool and not yet reported, per worker: enough to keep it busy, little memory. */
const IN_FLIGHT_PER_WORKER = 4;

/** One message's outcome, waiting its turn to be handed on in input order. */
interface Slot {
  done: boolean;
  promise: Promise<Checked>;
  /** The input's `oneSeries`, taken when the message was read. */
  oneSeries?: string;
}

/**
 * Lint every message of every input. Inputs that fail are reported, the
 * others still linted. The patches of one input are one series for the
 * series-wide rules (kept in memory only when such a rule is enabled, and
 * only until that input ends).
 */
export async function lintInputs(inputs: InputSpec[], linter: Linter, options: LintOptions = {}): Promise<LintRun> {
  const { progress, onResult } = options;
  // A source file (-f) is no series: the series-wide rules judge what a series adds, and a file adds nothing to one.
  const wantsSeries = linter.wantsSeries && !options.sourceFiles;
  const check: CheckOptions = { timeoutMs: options.timeoutMs ?? 0, keepPatches: options.keepPatches, series: wantsSeries, sourceFiles: options.sourceFiles };
  const results: MessageResult[] = [];
  const failures: string[] = [];
  let messages = 0;
  let bytes = 0;
  let findings = 0;
  const emit = async (result: MessageResult) => {
    messages++;
    findings += result.findings.length;
    progress?.update({ messages, bytes, findings });
    if (onResult) await onResult(result);
    else results.push(result);
  };

  const waiting: Slot[] = [];
  const series = wantsSeries ? new SeriesHold(linter, emit, options.keepPatches === true) : null;
  let oneSeries: string | undefined;
  const deliver = async ({ c, oneSeries }: { c: Checked; oneSeries?: string }) => {
    if (series) await series.add(c.result, c.patch, oneSeries);
    else {
      delete c.result.series;
      await emit(c.result);
    }
  };
  /** Hands on the finished head of the queue; with `all`, waits for every message queued. */
  const settle = async (all: boolean) => {
    while (waiting.length > 0 && (all || waiting[0].done)) {
      const slot = waiting.shift()!;
      await deliver({ c: await slot.promise, oneSeries: slot.oneSeries });
    }
  };
  const jobs = options.workerLinter ? Math.max(1, options.jobs ?? 1) : 1;
  let pool: Pool | null = null;
  let seen = 0;
  let hereMs = 0;
  const poolAfterMs = options.poolAfterMs ?? POOL_AFTER_MS;
  const submit = async (raw: RawMessage) => {
    seen++;
    if (!pool && jobs > 1 && seen > IN_PROCESS_FIRST && hereMs >= poolAfterMs) pool = new Pool(jobs, { linter: options.workerLinter!, check });
    const t0 = performance.now();
    // the series an input is by construction goes with each of its messages: on a pool they are handed on later
    const slot: Slot = { done: false, promise: pool ? pool.run(raw) : lintOne(raw, linter, check), oneSeries };
    void slot.promise.then(() => (slot.done = true));
    waiting.push(slot);
    if (!pool) {
      await settle(true);
      hereMs += performance.now() - t0;
    } else {
      await settle(false);
      // Wait for the oldest when enough are in flight: memory stays flat however long the input.
      while (waiting.length >= jobs * IN_FLIGHT_PER_WORKER) {
        const slot = waiting.shift()!;
        await deliver({ c: await slot.promise, oneSeries: slot.oneSeries });
      }
    }
  };

  try {
    inputs: for (const input of inputs) {
      let stream: Readable;
      try {
        stream = input.open();
      } catch (e) {
        failures.push(`${input.name}: ${describeFsError(e)}`);
        continue;
      }
      const counted = countBytes(stream, (n) => {
        bytes += n;
      });
      oneSeries = input.oneSeries;
      try {
        if (options.sourceFiles) {
          const raw = await readSource(input.name, counted);
          if (options.stop?.()) break inputs;
          await submit(raw);
        } else {
          for await (const raw of input.split ? input.split(counted) : splitMessages(input.name, counted)) {
            if (options.stop?.()) break inputs;
            await submit(raw);
          }
        }
      } catch (e) {
        if (e instanceof InputError) failures.push(e.message);
        else if ((e as NodeJS.ErrnoException).code) failures.push(`${input.name}: ${describeFsError(e)}`);
        else throw e;
      } finally {
        stream.destroy();
      }
      if (series && input.oneSeries !== undefined && input.oneSeries !== inputs[inputs.indexOf(input) + 1]?.oneSeries) {
        // the input (or the run of inputs) that is one series ended: so did its series
        await settle(true);
        await series.closeOne(input.oneSeries);
      }
    }
    await settle(true);
    await series?.closeAll();
  } finally {
    await (pool as Pool | null)?.close();
  }
  progress?.done();
  return { results, failures };
}

/** One message on this thread; a failure of kreview itself becomes that message's problem. */
async function lintOne(raw: RawMessage, linter: Linter, check: CheckOptions): Promise<Checked> {
  try {
    return await checkMessage(raw, linter, check);
  } catch (e) {
    const result = gaveUpResult(raw, null, 0);
    result.problems = [`internal error: ${e instanceof Error ? e.message : String(e)}`];
    return { result };
  }
}

async function* countBytes(stream: Readable, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array);
    add(buf.length);
    yield buf;
  }
}
