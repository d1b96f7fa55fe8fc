/**
 * Node's built-ins that most runs never use, loaded on first use: a run on
 * one patch with no kernel tree starts no process and no thread, and
 * loading node:child_process (which loads node:net) and node:worker_threads
 * up front cost it some 15 ms of about 320.
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export const childProcess = (): typeof import("node:child_process") => load("node:child_process");
export const workerThreads = (): typeof import("node:worker_threads") => load("node:worker_threads");
