/**
 * Read every input the user named, one message at a time, and lint each.
 * This is where files and stdin are opened: the layers below only see bytes.
 */
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { InputError, parseMail, splitMessages } from "../input/index.js";
import { parsePatch } from "../patch/index.js";
import type { Linter, MessageResult } from "../engine/index.js";
import type { Patch } from "../patch/index.js";

export interface InputSpec {
  /** The name shown to the user ("-" for stdin). */
  name: string;
  /** Opens the bytes (a file stream, or stdin). */
  open(): Readable;
  /** Size in bytes when known (for the progress display). */
  size?: number;
  /** The absolute path of a file input (not stdin, not --git). */
  path?: string;
}

export interface LintRun {
  results: MessageResult[];
  /** One line per input that could not be read, naming it. */
  failures: string[];
}

export interface Progress {
  update(messages: number, bytes: number): void;
  done(): void;
}

/** Extensions a directory argument contributes. */
const DIR_PATTERN = /\.(patch|diff|eml|mbox|mbox\.gz|mbx)$/i;

/** Expand the user's arguments into inputs; a missing path is a failure, not a crash. */
export async function resolveInputs(args: string[], cwd: string, stdin: Readable): Promise<{ inputs: InputSpec[]; failures: string[] }> {
  const inputs: InputSpec[] = [];
  const failures: string[] = [];
  for (const arg of args) {
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
    if (st.isDirectory()) {
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
}

/**
 * Lint every message of every input. Inputs that fail are reported, the
 * others still linted. The patches of one input are one series for the
 * series-wide rules (kept in memory only when such a rule is enabled).
 */
export async function lintInputs(inputs: InputSpec[], linter: Linter, options: LintOptions = {}): Promise<LintRun> {
  const { progress, keepPatches } = options;
  const results: MessageResult[] = [];
  const failures: string[] = [];
  let messages = 0;
  let bytes = 0;
  for (const input of inputs) {
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
    const series: { patches: Patch[]; results: MessageResult[] } = { patches: [], results: [] };
    try {
      for await (const raw of splitMessages(input.name, counted)) {
        const mail = await parseMail(raw);
        const patch = parsePatch(mail);
        const result = linter.lintPatch(patch);
        // Only a patch with something to say is quoted back: an archive must not pile up in memory.
        if (keepPatches && result.findings.length > 0) result.patch = patch;
        if (linter.wantsSeries && patch.kind === "patch") {
          series.patches.push(patch);
          series.results.push(result);
        }
        results.push(result);
        messages++;
        progress?.update(messages, bytes);
      }
      if (series.patches.length > 0) linter.lintSeries(series.patches, series.results);
    } catch (e) {
      if (e instanceof InputError) failures.push(e.message);
      else if ((e as NodeJS.ErrnoException).code) failures.push(`${input.name}: ${describeFsError(e)}`);
      else throw e;
    } finally {
      stream.destroy();
    }
  }
  progress?.done();
  return { results, failures };
}

async function* countBytes(stream: Readable, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Uint8Array);
    add(buf.length);
    yield buf;
  }
}
