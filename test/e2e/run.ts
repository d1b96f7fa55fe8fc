/**
 * Runs the real `bin/kreview` as a child process (what a user, b4 or CI
 * runs), so the end-to-end tests see exactly what they see: the exit status,
 * stdout and stderr. `npm test` builds dist/ first; run `npm run build` before
 * `npx vitest run test/e2e` by hand.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";

/** The repository root; runs default to it, so inputs can be named as `fixtures/...`. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(REPO, "bin", "kreview");
export const VERSION: string = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;

/**
 * Rules are being added to this checkout while these tests are written, and a
 * new rule may rightly report something on a real fixture (the seeds are real
 * buggy patches). Tests about reading inputs pin the rule set with this, so
 * the exit status they check is about the input, not about the rules of the
 * day. Tests about the whole run (the corpus, JSON summary, SARIF) use every
 * rule.
 */
/** The developer's home as it was when the tests started; a test that sets HOME itself keeps its own. */
const REAL_HOME = process.env.HOME;
/** An empty home for every other run. */
const EMPTY_HOME = mkdtempSync(path.join(os.tmpdir(), "kreview-home-"));

export const FORMAT_ONLY = ["--only", "patch-format"] as const;

export interface RunOptions {
  /**
   * What the child reads on stdin. A string or Buffer is written to a pipe and
   * the pipe closed, as `cat mail | kreview` or b4 does. Left out (or null):
   * a pipe closed at once, so stdin is empty and not a tty.
   */
  stdin?: string | Buffer | null;
  /** Working directory of the child (default: the repository root). */
  cwd?: string;
  /** Close our end of the child's stdout after the first chunk, as `kreview big.mbox | head -1` does. */
  closeStdoutAfterFirstChunk?: boolean;
  /** Kill the child (and fail) after this long; default 30 s. */
  timeoutMs?: number;
  /** Variables added to the child's environment (NODE_OPTIONS for a preload, ...). */
  env?: Record<string, string>;
}

export interface RunResult {
  /** Exit status; null when the child was killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Bytes read from stdout (with closeStdoutAfterFirstChunk: what arrived before the close). */
  stdoutBytes: number;
}

/** Runs `node bin/kreview ...args`. Never rejects for a non-zero status; rejects on a spawn failure or a timeout. */
export function run(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [BIN, ...args], opts);
}

/**
 * The same run as `run`, in this process: the CLI's `main` on in-memory
 * streams. For the tests of the CLI's pieces (configuration, options) that
 * need no process of their own; what only a process shows (its streams
 * closing, signals, the bin script) stays with `run`.
 */
let inProcessRuns = 0;
let homeBefore: string | undefined;

export async function runInProcess(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (opts.env || opts.closeStdoutAfterFirstChunk) throw new Error("runInProcess: env and closeStdoutAfterFirstChunk need a process: use run()");
  const collect = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        into.push(Buffer.from(chunk));
        cb();
      },
    });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdin = Readable.from(opts.stdin === undefined || opts.stdin === null ? [] : [Buffer.from(opts.stdin)]);
  // A developer's own ~/.kreview.json must not change what the tests see (as in runProcess). Runs
  // overlap (Promise.all): HOME is swapped by the first to start and put back by the last to end.
  if (inProcessRuns++ === 0) {
    homeBefore = process.env.HOME;
    if (homeBefore === REAL_HOME) process.env.HOME = EMPTY_HOME;
  }
  let status: number;
  try {
    status = await main([...args], { stdin, stdout: collect(out), stderr: collect(err), cwd: opts.cwd ?? REPO });
  } finally {
    if (--inProcessRuns === 0) process.env.HOME = homeBefore;
  }
  const stdout = Buffer.concat(out);
  return { status, signal: null, stdout: stdout.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes: stdout.length };
}

/**
 * Runs `kreview ...args | consumer` through bash, with a real pipe(2) between
 * them (Node's own stdio pipes are socket pairs, which buffer far more), and
 * reports kreview's exit status (bash's PIPESTATUS[0]) with the consumer's
 * stdout and both processes' stderr.
 */
export function runPiped(args: readonly string[], consumer: string, opts: RunOptions = {}): Promise<RunResult> {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = `${[process.execPath, BIN, ...args].map(q).join(" ")} | ${consumer}; exit "\${PIPESTATUS[0]}"`;
  return runProcess("bash", ["-c", script], opts);
}

function runProcess(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const what = [command === process.execPath ? "kreview" : command, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO,
      stdio: ["pipe", "pipe", "pipe"],
      // A developer's own ~/.kreview.json must not change what the tests see.
      env: { ...process.env, HOME: process.env.HOME === REAL_HOME ? EMPTY_HOME : process.env.HOME, NO_COLOR: "1", ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let closedEarly = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what}: no exit after ${opts.timeoutMs ?? 30_000} ms`));
    }, opts.timeoutMs ?? 30_000);

    child.stdout.on("data", (chunk: Buffer) => {
      if (closedEarly) return;
      out.push(chunk);
      if (opts.closeStdoutAfterFirstChunk) {
        closedEarly = true;
        child.stdout.destroy();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    // The child may exit before reading all of stdin (a usage error): that is not our failure.
    child.stdin.on("error", () => {});
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      resolve({ status, signal, stdout: stdout.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes: stdout.length });
    });

    if (opts.stdin === undefined || opts.stdin === null) child.stdin.end();
    else child.stdin.end(opts.stdin);
  });
}

// ---- the JSON report (docs/json-output.md) ----

export interface JsonFinding {
  rule: string;
  severity: "error" | "warning" | "check";
  message: string;
  file: string;
  line: number | null;
  column: number | null;
  patchLine: number | null;
  confidence: string;
  related: unknown[];
  suggestion?: unknown;
}

export interface JsonMessage {
  source: string;
  index: number;
  messageId: string;
  subject: string;
  kind: string;
  findings: JsonFinding[];
  problems: string[];
}

export interface JsonReport {
  tool: string;
  version: string;
  messages: JsonMessage[];
  summary: { messages: number; patches: number; errors: number; warnings: number; checks: number };
}

/** Runs with `--format json` and parses stdout (throws with the output when it is not JSON). */
export async function runJson(args: readonly string[], opts: RunOptions = {}, runner: typeof run = run): Promise<RunResult & { report: JsonReport }> {
  const r = await runner(["--format", "json", ...args], opts);
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`kreview --format json ${args.join(" ")}: stdout is not JSON (status ${r.status}):\n${r.stdout.slice(0, 500)}\nstderr:\n${r.stderr}`);
  }
  return { ...r, report };
}

/** `runJson`, in this process (see runInProcess). */
export const runJsonInProcess = (args: readonly string[], opts: RunOptions = {}) => runJson(args, opts, runInProcess);

// ---- temporary directories ----

/** A fresh directory under os.tmpdir(); remove it with `removeTmp`. */
export function makeTmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "kreview-e2e-"));
}

export function removeTmp(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Reads a repository file. */
export function fixture(rel: string): Buffer {
  return readFileSync(path.join(REPO, rel));
}
