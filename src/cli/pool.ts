/**
 * A pool of worker threads that lint messages, one message per worker at a
 * time (node:worker_threads directly: the protocol is two messages, and a
 * worker that overruns its budget must be ended and replaced, which a pool
 * library's task model does not give for free). Each worker holds its own
 * linter; results come back as structured clones.
 *
 * Every message handed in gets a result: linted, given up on (over its
 * budget, or its worker silent past budget + grace), or an internal error
 * when a worker died under it.
 *
 * A worker that stays silent past budget + grace is stuck where the
 * cooperative budget (src/c/budget.ts) cannot reach: it is left behind, not
 * terminated (terminating a thread inside tree-sitter's binding can abort
 * the process), and a fresh worker takes its place.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { Severity } from "../engine/index.js";
import type { RawMessage } from "../input/index.js";
import { workerThreads } from "./lazy.js";
import { countLines, gaveUpResult, type CheckOptions, type Checked } from "./check.js";

/** What a worker needs to build the same linter as the main thread. */
export interface WorkerSpec {
  linter: { ignore?: string[]; only?: string[]; strict?: boolean; severity?: Record<string, Severity>; tree?: string | null };
  check: CheckOptions;
}

export interface Job {
  id: number;
  raw: Omit<RawMessage, "bytes"> & { bytes: Uint8Array };
  /** Lines of the message, counted before its bytes went to the worker (to name it if it is given up on). */
  lineCount: number;
}

type Reply = { ready: true } | { id: number; checked: Checked } | { id: number; error: string };

/** Each worker's young generation, in MB (see spawn). */
const YOUNG_MB = 6;

/** A worker that does not answer within its budget and this much more is ended. */
const GRACE_MS = 2000;

interface Pending {
  job: Job;
  resolve: (c: Checked) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Messages handed to this worker, oldest first: the first is the one being linted. */
  jobs: Pending[];
  /** The hard deadline of the first job. */
  timer?: NodeJS.Timeout;
  /** Set once the slot is being ended: its events no longer count. */
  gone: boolean;
  /** Left behind, stuck: never terminated (see the module comment). */
  abandoned?: boolean;
}

/** Messages handed to one worker at a time: the one it lints and the next, so it never waits on us. */
const PER_WORKER = 2;

export class Pool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly spec: WorkerSpec,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Lints one message on the next free worker. Never rejects. */
  run(raw: RawMessage): Promise<Checked> {
    // Sent as a copy (not transferred): if its worker dies before starting it, it goes to another.
    const bytes = raw.bytes;
    const job: Job = {
      id: this.nextId++,
      raw: { source: raw.source, index: raw.index, startLine: raw.startLine, hasHeaders: raw.hasHeaders, commit: raw.commit, bytes },
      lineCount: countLines(bytes),
    };
    return new Promise((resolve) => {
      this.queue.push({ job, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => this.end(s)));
  }

  private spawn(): Slot {
    // A small young generation: syntax trees live in native memory that is freed only when their
    // JavaScript wrappers are collected, so frequent scavenges keep a long archive's memory flat
    // (peak RSS over linux-xfs four times: 1.09x once, against 1.2x with V8's default).
    const worker = new (workerThreads().Worker)(workerFile(), { workerData: this.spec, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
    const slot: Slot = { worker, ready: false, jobs: [], gone: false };
    worker.on("message", (m: Reply) => this.onReply(slot, m));
    worker.on("error", (e) => this.onDeath(slot, `internal error: a worker failed: ${e.message}`));
    worker.on("exit", (code) => this.onDeath(slot, `internal error: a worker stopped (exit ${code})`));
    return slot;
  }

  private pump(): void {
    for (let round = 0; round < PER_WORKER; round++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (!slot.ready || slot.gone || slot.jobs.length > round) continue;
        const p = this.queue.shift()!;
        slot.jobs.push(p);
        if (slot.jobs.length === 1) this.arm(slot);
        slot.worker.postMessage(p.job);
      }
    }
  }

  /** Starts the hard deadline of the job the worker is on. */
  private arm(slot: Slot): void {
    clearTimeout(slot.timer);
    const budget = this.spec.check.timeoutMs;
    if (budget > 0 && slot.jobs.length > 0) slot.timer = setTimeout(() => this.overrun(slot), budget + GRACE_MS);
  }

  private onReply(slot: Slot, m: Reply): void {
    if (slot.gone) return;
    if ("ready" in m) {
      slot.ready = true;
      this.pump();
      return;
    }
    const at = slot.jobs.findIndex((p) => p.job.id === m.id);
    if (at < 0) return;
    const [p] = slot.jobs.splice(at, 1);
    if (at === 0) this.arm(slot);
    if ("error" in m) p.resolve({ result: internalResult(p.job, `internal error: ${m.error}`) });
    else p.resolve(m.checked);
    this.pump();
  }

  /** The worker did not answer within budget + grace: give up on its message, leave it behind, start another. */
  private overrun(slot: Slot): void {
    if (slot.gone || slot.jobs.length === 0) return;
    slot.gone = true;
    slot.abandoned = true;
    slot.worker.unref(); // a stuck worker must not keep the process alive
    const [stuck, ...rest] = slot.jobs;
    slot.jobs = [];
    stuck.resolve({ result: { ...gaveUpResult(stuck.job.raw, null, this.spec.check.timeoutMs / 1000), lineCount: stuck.job.lineCount }, gaveUp: true });
    // The ones queued behind it were never started: they go to another worker.
    this.requeue(rest);
    this.respawn(slot);
  }

  private onDeath(slot: Slot, why: string): void {
    if (slot.gone) return;
    slot.gone = true;
    clearTimeout(slot.timer);
    const [dead, ...rest] = slot.jobs;
    slot.jobs = [];
    dead?.resolve({ result: internalResult(dead.job, why) });
    this.requeue(rest);
    if (!this.closed) this.respawn(slot);
  }

  private requeue(jobs: Pending[]): void {
    this.queue.unshift(...jobs);
  }

  private respawn(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    this.pump();
  }

  private async end(slot: Slot): Promise<void> {
    slot.gone = true;
    clearTimeout(slot.timer);
    if (!slot.abandoned) await slot.worker.terminate();
  }
}

function internalResult(job: Job, problem: string): Checked["result"] {
  return { ...gaveUpResult(job.raw, null, 0), problems: [problem], lineCount: job.lineCount };
}

/** The compiled worker: next to this file in dist/, or dist/'s copy when running from the TypeScript sources (tests). */
function workerFile(): URL | string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) return path.resolve(path.dirname(here), "../../dist/src/cli/worker.js");
  return new URL("./worker.js", import.meta.url);
}
