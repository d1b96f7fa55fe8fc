/**
 * Shared by the corpus and bench scripts: stream an archive through every
 * layer and count what came out. Not used by the CLI.
 */
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import { parseMail, splitMessages, type Mail } from "../src/input/index.js";
import { parsePatch, type MessageKind, type Patch } from "../src/patch/index.js";
import { createLinter, SeriesHold } from "../src/engine/index.js";
import { builtinRules } from "../rules/index.js";

export const DEFAULT_CORPUS = "../shared/corpus/nvdimm.mbox.gz";
/** Where `npm run corpus` with no path looks: every `*.mbox.gz` in it. */
export const DEFAULT_CORPUS_DIR = "../shared/corpus";

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

/** The `*.mbox.gz` archives of a directory, by name. */
export function archivesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".mbox.gz"))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((p) => statSync(p).isFile());
}

/**
 * The archives named on the command line (a directory stands for every
 * `*.mbox.gz` in it), or with none, every `*.mbox.gz` of DEFAULT_CORPUS_DIR.
 * A path that is missing, or a directory with no archive, is a clear message
 * and exit 2. `note` is set when the default was used, to say so.
 */
export function corpusPathsOrExit(args: readonly string[], usage: string): { paths: string[]; note?: string } {
  const fail = (msg: string): never => {
    process.stderr.write(`${usage}\n${msg}\n`);
    process.exit(2);
  };
  const named = args.length > 0;
  const given = named ? args : [DEFAULT_CORPUS_DIR];
  const paths: string[] = [];
  for (const arg of given) {
    if (!existsSync(arg)) {
      fail(
        `${arg}: not found. The corpus is not part of the repository: name the path of an archive or a directory of ` +
          `*.mbox.gz archives (e.g. a kernel list archive such as nvdimm.mbox.gz from the list's public archive).`,
      );
    }
    if (statSync(arg).isDirectory()) {
      const found = archivesIn(arg);
      if (found.length === 0) fail(`${arg}: a directory with no *.mbox.gz archive in it.`);
      paths.push(...found);
    } else paths.push(arg);
  }
  return { paths, note: named ? undefined : `no archive named: reading every *.mbox.gz in ${DEFAULT_CORPUS_DIR}/ (${paths.length} archives)` };
}

/** One finding with what a reader needs to judge it. */
export interface CorpusFinding {
  /** The archive's file name (e.g. `linux-pci.mbox.gz`). */
  archive: string;
  /** raw.index of the message in its archive (what `npm run show` takes). */
  index: number;
  messageId: string;
  subject: string;
  rule: string;
  severity: string;
  confidence: string;
  file: string;
  line: number | null;
  message: string;
  /** The text of the patch line the finding stands on. */
  sourceLine: string | null;
}

export interface CorpusCounts {
  messages: number;
  kinds: Record<MessageKind, number>;
  unreadableReasons: Map<string, number>;
  noDiffReasons: Map<string, number>;
  fileDiffs: number;
  /** Patches with a `diff --git` header that opened no file diff (lostFileDiffs): how many headers, how many opened one. */
  fileMismatches: { index: number; subject: string; expected: number; got: number }[];
  patchesWithoutFiles: number;
  /** Patch-kind messages whose subject carries a PATCH tag (the corpus README's count). */
  taggedPatches: number;
  findingsByRule: Map<string, number>;
  /** Distinct messages with at least one finding of the rule. */
  messagesByRule: Map<string, number>;
  /** Distinct messages with at least one finding. */
  messagesWithFindings: number;
  /** Up to 40 findings per rule, for reading. */
  findingsSample: Map<string, CorpusFinding[]>;
  /** Every finding, only when runCorpus was asked to keep them all. */
  findings: CorpusFinding[];
  internalErrors: { index: number; problem: string }[];
  bytesIn: number;
  /** Bytes of the messages themselves (the archive unpacked). */
  bytesUnpacked: number;
  seconds: number;
}

/**
 * Independent check that no file diff was lost: every `diff --git` header
 * outside quotes must open a file diff of the patch, on its line. A patch
 * may hold more file diffs than headers (a `diff -u` pasted in its notes is
 * one too): those are not losses.
 */
export function lostFileDiffs(mail: Mail, patch: Patch): { headers: number; lost: number } {
  const opened = new Set(patch.files.filter((f) => !f.fragment).map((f) => f.inputLine));
  let headers = 0;
  let lost = 0;
  for (const s of mail.segments) {
    s.text.split("\n").forEach((line, i) => {
      if (!line.startsWith("diff --git ")) return;
      headers++;
      if (!opened.has(s.lineBase + 1 + i)) lost++;
    });
  }
  return { headers, lost };
}

/** Run the whole pipeline over an archive. `onMessage` is called every message (for progress). */
export async function runCorpus(
  path: string,
  onMessage?: (c: CorpusCounts) => void,
  options: { keepAllFindings?: boolean; only?: string[] } = {},
): Promise<CorpusCounts> {
  const archive = basename(path);
  // Check-level rules are judged here too, as `--strict` runs them.
  const linter = createLinter({ rules: builtinRules, strict: true, only: options.only });
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
    messagesByRule: new Map(),
    messagesWithFindings: 0,
    findingsSample: new Map(),
    findings: [],
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
  // Findings are counted as results are handed on: a series rule adds its own when the series closes.
  const series = new SeriesHold(linter, (result) => {
    for (const f of result.findings) {
      bump(c.findingsByRule, f.rule);
      const record: CorpusFinding = {
        archive,
        index: result.index,
        messageId: result.messageId,
        subject: result.subject,
        rule: f.rule,
        severity: f.severity,
        confidence: f.confidence,
        file: f.file,
        line: f.line,
        message: f.message,
        sourceLine: f.sourceLine ?? null,
      };
      const list = c.findingsSample.get(f.rule) ?? [];
      if (list.length < 40) list.push(record);
      c.findingsSample.set(f.rule, list);
      if (options.keepAllFindings) c.findings.push(record);
    }
    for (const rule of new Set(result.findings.map((f) => f.rule))) bump(c.messagesByRule, rule);
    if (result.findings.length > 0) c.messagesWithFindings++;
    if (result.internalError) c.internalErrors.push({ index: result.index, problem: result.problems.join("; ") });
  });
  const stream = createReadStream(path).pipe(counter);
  for await (const raw of splitMessages(path, stream)) {
    c.bytesUnpacked += raw.bytes.length;
    const mail = await parseMail(raw);
    const patch = parsePatch(mail);
    c.messages++;
    c.kinds[patch.kind]++;
    if (patch.kind === "unreadable") bump(c.unreadableReasons, patch.reason ?? "(no reason)");
    if (patch.kind === "no-diff") bump(c.noDiffReasons, patch.reason ?? "(no reason)");
    if (patch.kind === "patch") {
      c.fileDiffs += patch.files.length;
      if (patch.files.length === 0) c.patchesWithoutFiles++;
      if (/\[[^\]]*PATCH[^\]]*\]/i.test(patch.subject)) c.taggedPatches++;
      const { headers, lost } = lostFileDiffs(mail, patch);
      if (lost > 0) c.fileMismatches.push({ index: raw.index, subject: patch.subject, expected: headers, got: headers - lost });
    }
    await series.add(linter.lintPatch(patch));
    onMessage?.(c);
  }
  await series.closeAll();
  c.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return c;
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function bump(m: Map<string, number>, k: string) {
  m.set(k, (m.get(k) ?? 0) + 1);
}
