/**
 * Shared by the corpus and bench scripts: stream an archive through every
 * layer and count what came out. Not used by the CLI.
 */
import { createReadStream, existsSync } from "node:fs";
import { Transform } from "node:stream";
import { parseMail, splitMessages } from "../src/input/index.js";
import { parsePatch, type MessageKind } from "../src/patch/index.js";
import { createLinter } from "../src/engine/index.js";
import { builtinRules } from "../rules/index.js";

export const DEFAULT_CORPUS = "../shared/corpus/nvdimm.mbox.gz";

/** The corpus path from argv, or a clear message and exit 2 when it is missing. */
export function corpusPathOrExit(arg: string | undefined, usage: string): string {
  const path = arg ?? DEFAULT_CORPUS;
  if (!existsSync(path)) {
    process.stderr.write(
      `${usage}\n${path}: not found. The corpus is not part of the repository: name its path ` +
        `(e.g. a kernel list archive such as nvdimm.mbox.gz from the list's public archive).\n`,
    );
    process.exit(2);
  }
  return path;
}

export interface CorpusCounts {
  messages: number;
  kinds: Record<MessageKind, number>;
  unreadableReasons: Map<string, number>;
  noDiffReasons: Map<string, number>;
  fileDiffs: number;
  /** Patches whose file-diff count differs from their `diff --git` header count. */
  fileMismatches: { index: number; subject: string; expected: number; got: number }[];
  patchesWithoutFiles: number;
  /** Patch-kind messages whose subject carries a PATCH tag (the corpus README's count). */
  taggedPatches: number;
  findingsByRule: Map<string, number>;
  findingsSample: Map<string, { index: number; subject: string; file: string; line: number | null; message: string }[]>;
  internalErrors: { index: number; problem: string }[];
  bytesIn: number;
  /** Bytes of the messages themselves (the archive unpacked). */
  bytesUnpacked: number;
  seconds: number;
}

function countLines(text: string, re: RegExp): number {
  let n = 0;
  for (const line of text.split("\n")) if (re.test(line)) n++;
  return n;
}

/** Run the whole pipeline over an archive. `onMessage` is called every message (for progress). */
export async function runCorpus(path: string, onMessage?: (c: CorpusCounts) => void): Promise<CorpusCounts> {
  const linter = createLinter({ rules: builtinRules });
  const c: CorpusCounts = {
    messages: 0,
    kinds: { patch: 0, reply: 0, "no-diff": 0, unreadable: 0 },
    unreadableReasons: new Map(),
    noDiffReasons: new Map(),
    fileDiffs: 0,
    fileMismatches: [],
    patchesWithoutFiles: 0,
    taggedPatches: 0,
    findingsByRule: new Map(),
    findingsSample: new Map(),
    internalErrors: [],
    bytesIn: 0,
    bytesUnpacked: 0,
    seconds: 0,
  };
  const start = process.hrtime.bigint();
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      c.bytesIn += chunk.length;
      cb(null, chunk);
    },
  });
  const stream = createReadStream(path).pipe(counter);
  for await (const raw of splitMessages(path, stream)) {
    c.bytesUnpacked += raw.bytes.length;
    const mail = await parseMail(raw);
    const patch = parsePatch(mail);
    const result = linter.lintPatch(patch);
    c.messages++;
    c.kinds[patch.kind]++;
    if (patch.kind === "unreadable") bump(c.unreadableReasons, patch.reason ?? "(no reason)");
    if (patch.kind === "no-diff") bump(c.noDiffReasons, patch.reason ?? "(no reason)");
    if (patch.kind === "patch") {
      c.fileDiffs += patch.files.length;
      if (patch.files.length === 0) c.patchesWithoutFiles++;
      if (/\[[^\]]*PATCH[^\]]*\]/i.test(patch.subject)) c.taggedPatches++;
      // Independent check: every `diff --git` header outside quotes is one file diff.
      const expected = mail.segments.reduce((n, s) => n + countLines(s.text, /^diff --git /), 0);
      const got = patch.files.filter((f) => !f.fragment).length;
      if (expected > 0 && expected !== got) c.fileMismatches.push({ index: raw.index, subject: patch.subject, expected, got });
    }
    for (const f of result.findings) {
      bump(c.findingsByRule, f.rule);
      const list = c.findingsSample.get(f.rule) ?? [];
      if (list.length < 40) list.push({ index: raw.index, subject: patch.subject, file: f.file, line: f.line, message: f.message });
      c.findingsSample.set(f.rule, list);
    }
    if (result.internalError) c.internalErrors.push({ index: raw.index, problem: result.problems.join("; ") });
    onMessage?.(c);
  }
  c.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return c;
}

function bump(m: Map<string, number>, k: string) {
  m.set(k, (m.get(k) ?? 0) + 1);
}
