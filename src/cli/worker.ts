/**
 * A worker of the pool (src/cli/pool.ts): builds its own linter from the
 * settings it is given, then checks one message at a time, within the time
 * budget, and posts each result back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { builtinRules } from "../../rules/index.js";
import { createLinter } from "../engine/index.js";
import type { RawMessage } from "../input/index.js";
import { checkMessage } from "./check.js";
import type { Job, WorkerSpec } from "./pool.js";
import { treeSource } from "./tree.js";

const spec = workerData as WorkerSpec;
const linter = createLinter({
  rules: builtinRules,
  ignore: spec.linter.ignore,
  only: spec.linter.only,
  strict: spec.linter.strict,
  severity: spec.linter.severity,
  tree: spec.linter.tree ? treeSource(spec.linter.tree) : undefined,
});
const port = parentPort!;

// One message at a time, in the order they came: the pool's deadline is for the first one handed over.
const queue: Job[] = [];
let running = false;

port.on("message", (job: Job) => {
  queue.push(job);
  if (!running) void drain();
});

async function drain(): Promise<void> {
  running = true;
  for (let job = queue.shift(); job; job = queue.shift()) {
    const raw: RawMessage = { ...job.raw, bytes: Buffer.from(job.raw.bytes.buffer, job.raw.bytes.byteOffset, job.raw.bytes.byteLength) };
    try {
      const checked = await checkMessage(raw, linter, spec.check);
      port.postMessage({ id: job.id, checked });
    } catch (e) {
      port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
    }
  }
  running = false;
}
port.postMessage({ ready: true });
