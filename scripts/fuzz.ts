/**
 * `npm run fuzz -- N [--seed S] [--keep DIR]`: N mutants of the fixture
 * patches through the real bin/kreview, each run bounded in time, and a
 * report of every crash, hang or lost message with a file that reproduces it.
 *
 * Mutations: truncation, corrupt hunk headers, huge line numbers, deep
 * nesting, long lines, long hunks, bad MIME, NUL bytes, CRLF, and bad gzip
 * (cut short, flipped bytes, junk after the data). Mutants go through
 * kreview in batches, as one mboxrd archive per batch (and one .mbox.gz per
 * gzip mutant), with --format json; a batch passes when kreview exits 0, 1
 * or 2 in time, prints no stack trace and no internal error, writes valid
 * JSON, and accounts for every message: each message of the archive in
 * order, or, for a damaged gzip, at least the messages the readable part
 * holds, with the damage named on stderr. A failing batch is re-run mutant
 * by mutant to find the culprits, which are written out as reproducers.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { constants as zc, gunzipSync, gzipSync } from "node:zlib";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository root, from dist/scripts/ or scripts/. */
const REPO = path.resolve(HERE, HERE.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
/** The kreview to try (KREVIEW_FUZZ_BIN: another build, to check that the harness catches what it should). */
const BIN = process.env.KREVIEW_FUZZ_BIN ?? path.join(REPO, "bin", "kreview");
const SEPARATOR = "From mboxrd@z Thu Jan  1 00:00:00 1970\n";

/** Per-message budget given to kreview, and the slack a batch gets on top before it counts as a hang. */
const BUDGET_S = 2;
const BATCH = 16;

export interface Mutant {
  name: string;
  /** The message (plain mutants) or the whole .mbox.gz (gzip mutants). */
  bytes: Buffer;
  gzip: boolean;
  /** Messages a gzip mutant holds in all. */
  messages?: number;
}

export interface Failure {
  what: "crash" | "hang" | "lost message" | "bad output";
  detail: string;
  mutant: string;
  /** A file that reproduces it: `bin/kreview --format json FILE`. */
  reproducer: string;
}

export interface FuzzResult {
  mutants: number;
  runs: number;
  failures: Failure[];
}

/** mulberry32: small, seeded, good enough to pick mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fixture messages mutants start from: single mails and patches (not archives). */
export function seeds(): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(eml|patch|txt)$/.test(n) && statSync(p).size < 200_000) out.push({ name: path.relative(REPO, p), bytes: readFileSync(p) });
    }
  };
  walk(path.join(REPO, "fixtures"));
  return out;
}

type Mutation = (text: string, r: () => number) => string;

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const int = (lo: number, hi: number, r: () => number) => lo + Math.floor(r() * (hi - lo + 1));
const HUNK = /^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@/m;

/** Insert lines after a random added line (or at the end). */
function afterAddedLine(text: string, insert: string, r: () => number): string {
  const lines = text.split("\n");
  const added = lines.map((l, i) => (l.startsWith("+") && !l.startsWith("+++") ? i : -1)).filter((i) => i >= 0);
  const at = added.length ? pick(added, r) + 1 : lines.length;
  lines.splice(at, 0, insert);
  return lines.join("\n");
}

/** Insert header lines into the message's header block (or in front). */
function intoHeaders(text: string, headers: string): string {
  const end = text.indexOf("\n\n");
  if (end < 0 || !/^[\w-]+:/.test(text)) return `${headers}\n${text}`;
  return `${text.slice(0, end)}\n${headers}${text.slice(end)}`;
}

export const MUTATIONS: Record<string, Mutation> = {
  truncate: (t, r) => t.slice(0, Math.floor(r() * t.length)),
  "corrupt hunk header": (t, r) => {
    const bad = pick(["@@ -0,0 +0,0 @@", "@@ -1,99999 +1,99999 @@", "@@ -x,y +z @@", "@@ -5 +5,-3 @@", "@@ @@", "@@ -1,2 +1,", "@@ -18446744073709551616,1 +1,1 @@"], r);
    return HUNK.test(t) ? t.replace(HUNK, bad) : `${t}\n${bad}\n+x\n`;
  },
  "huge line numbers": (t, r) => {
    const n = pick([50_000_000, 4294967296, 9007199254740993, 1e21], r);
    return t.replace(/^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@/gm, (_m, _a, b = "", _c, d = "") => `@@ -${n}${b} +${n}${d} @@`);
  },
  "deep nesting": (t, r) => {
    const n = int(500, 20_000, r);
    const shape = pick([`+\tif (${"(".repeat(n)}x${")".repeat(n)})`, `+${"{".repeat(n)}`, `+\tx = ${"!".repeat(n)}y;`, `+\tf(${"g(".repeat(n)}0${")".repeat(n)});`, `+${"\t".repeat(n)}x;`], r);
    return afterAddedLine(t, shape, r);
  },
  "long line": (t, r) => afterAddedLine(t, `+\t${pick(["x", "a->b", "/* ", "\"", "|"], r).repeat(int(20_000, 200_000, r))}`, r),
  "long hunk": (t, r) => afterAddedLine(t, pick(["+\tlist_add(&a0, &b);", "+\tx0 = y->ops->f(y) | z;", "+\tspin_lock(&l);"], r) + "\n" + "+\tlist_del(&e->l);\n".repeat(int(500, 3000, r)), r),
  "bad MIME": (t, r) =>
    intoHeaders(
      t,
      pick(
        [
          'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"',
          "MIME-Version: 1.0\nContent-Transfer-Encoding: base64",
          "MIME-Version: 1.0\nContent-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: quoted-printable",
          `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${"b".repeat(5000)}"`,
          "Content-Type: multipart/alternative",
          `Subject: =?utf-8?B?${"!!!!".repeat(1000)}?=`,
        ],
        r,
      ),
    ) + pick(["", "\n--zz\nContent-Type: text/plain\n\n+x\n--zz", "\n=ZZ=\n=", "\n" + "--zz\nContent-Type: multipart/mixed; boundary=zz\n\n".repeat(200)], r),
  "NUL bytes": (t, r) => {
    const at = Math.floor(r() * t.length);
    return t.slice(0, at) + "\0".repeat(int(1, 64, r)) + t.slice(at);
  },
  CRLF: (t) => t.replace(/\n/g, "\r\n"),
};

/** Bad gzip: the mbox of some mutants, compressed, then damaged. */
const GZIP_DAMAGE: Record<string, (gz: Buffer, r: () => number) => Buffer> = {
  "gzip cut short": (gz, r) => gz.subarray(0, int(2, gz.length - 1, r)),
  "gzip bytes flipped": (gz, r) => {
    const out = Buffer.from(gz);
    for (let i = 0; i < int(1, 8, r); i++) out[int(10, out.length - 1, r)] ^= 1 << int(0, 7, r);
    return out;
  },
  "gzip junk after the data": (gz, r) => Buffer.concat([gz, Buffer.from(pick(["junk\n", "\x1f\x8b\x08", "From x\n", "\0\0\0\0\x01"], r), "latin1")]),
  "gzip members": (gz) => Buffer.concat([gz, gz]),
};

/** mboxrd: each message after a separator, its `From ` lines escaped, ended by a line break and the blank line before the next. */
function mbox(messages: readonly Buffer[]): Buffer {
  const one = (m: Buffer) => {
    const t = m.toString("latin1").replace(/^(>*From )/gm, ">$1");
    return SEPARATOR + t + (t.endsWith("\n") ? "" : "\n") + "\n";
  };
  return Buffer.from(messages.map(one).join(""), "latin1");
}

export function mutants(n: number, seed: number): Mutant[] {
  const r = rng(seed);
  const base = seeds();
  const names = Object.keys(MUTATIONS);
  const out: Mutant[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.15) {
      const k = int(1, 4, r);
      const parts = Array.from({ length: k }, () => Buffer.from(pick(base, r).bytes.toString("latin1"), "latin1"));
      const damage = pick(Object.keys(GZIP_DAMAGE), r);
      out.push({ name: `#${i} ${damage} (${k} messages)`, bytes: GZIP_DAMAGE[damage]!(gzipSync(mbox(parts)), r), gzip: true, messages: damage === "gzip members" ? 2 * k : k });
      continue;
    }
    const s = pick(base, r);
    let text = s.bytes.toString("latin1");
    const applied: string[] = [];
    for (let j = 0, m = int(1, 2, r); j < m; j++) {
      const name = pick(names, r);
      text = MUTATIONS[name]!(text, r);
      applied.push(name);
    }
    out.push({ name: `#${i} ${applied.join(" + ")} of ${s.name}`, bytes: Buffer.from(text, "latin1"), gzip: false });
  }
  return out;
}

interface Run {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runKreview(args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--no-config", "--no-tree", "--format", "json", "--timeout-per-message", String(BUDGET_S), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), timedOut });
    });
  });
}

/** Messages of a damaged gzip's readable part that stand there whole (the last one read may be cut). */
function wholeInPrefix(gz: Buffer): number {
  let text: string;
  try {
    text = gunzipSync(gz, { finishFlush: zc.Z_SYNC_FLUSH }).toString("latin1");
  } catch {
    return 0; // damage zlib cannot read past: nothing is promised
  }
  const separators = text.split(SEPARATOR).length - 1;
  return Math.max(0, separators - 1);
}

/** What is wrong with one run, or null. `expect` says what each input must account for. */
function judge(run: Run, inputs: { file: string; messages: number; gzip?: Buffer }[]): { what: Failure["what"]; detail: string } | null {
  const budget = `${BUDGET_S * 3 + 10} s`;
  if (run.timedOut) return { what: "hang", detail: `no exit within ${budget}` };
  if (run.signal || run.status === null || ![0, 1, 2].includes(run.status)) return { what: "crash", detail: `exit ${run.status} signal ${run.signal}: ${run.stderr.slice(0, 400)}` };
  if (/internal error|\n\s+at |Error: |FATAL/.test(run.stderr)) return { what: "crash", detail: run.stderr.slice(0, 600) };
  let report: { messages: { source: string; index: number; problems: string[] }[] };
  try {
    report = JSON.parse(run.stdout);
  } catch {
    return { what: "bad output", detail: `stdout is not JSON: ${run.stdout.slice(0, 200)}` };
  }
  for (const m of report.messages) {
    const internal = m.problems.find((p) => p.startsWith("internal error"));
    if (internal) return { what: "crash", detail: `${m.source} message ${m.index + 1}: ${internal}` };
  }
  for (const input of inputs) {
    const got = report.messages.filter((m) => m.source === input.file);
    if (got.some((m, i) => m.index !== i)) return { what: "lost message", detail: `${input.file}: indexes ${got.map((m) => m.index).join(",")}` };
    const named = run.stderr.includes(`kreview: ${input.file}: `);
    if (input.gzip) {
      const floor = named ? wholeInPrefix(input.gzip) : input.messages;
      if (got.length < floor) return { what: "lost message", detail: `${input.file}: ${got.length} messages, ${floor} readable${named ? " (damage named)" : ""}` };
    } else if (got.length !== input.messages && !(named && got.length === 0)) {
      return { what: "lost message", detail: `${input.file}: ${got.length} of ${input.messages} messages` };
    }
  }
  return null;
}

/** Runs the mutants through kreview; `dir` receives the inputs and any reproducer. */
export async function fuzz(list: Mutant[], dir: string, log: (s: string) => void = () => {}): Promise<FuzzResult> {
  mkdirSync(dir, { recursive: true });
  const failures: Failure[] = [];
  let runs = 0;
  const keep = (m: Mutant, what: Failure["what"], detail: string) => {
    const file = path.join(dir, `repro-${failures.length + 1}${m.gzip ? ".mbox.gz" : ".eml"}`);
    writeFileSync(file, m.bytes);
    failures.push({ what, detail, mutant: m.name, reproducer: file });
    log(`${what}: ${m.name}\n  ${detail.split("\n")[0]}\n  reproduce: bin/kreview --format json ${file}`);
  };

  const plain = list.filter((m) => !m.gzip);
  for (let b = 0; b < plain.length; b += BATCH) {
    const batch = plain.slice(b, b + BATCH);
    const file = `batch-${b / BATCH + 1}.mbox`;
    writeFileSync(path.join(dir, file), mbox(batch.map((m) => m.bytes)));
    runs++;
    const bad = judge(await runKreview([file], dir, (BUDGET_S * 3 + 10) * 1000 + BUDGET_S * 1000 * batch.length), [{ file, messages: batch.length }]);
    if (!bad) continue;
    // Which of them? Each alone, as its own file.
    let found = false;
    for (const m of batch) {
      const one = "one.mbox";
      writeFileSync(path.join(dir, one), mbox([m.bytes]));
      runs++;
      const why = judge(await runKreview([one], dir, (BUDGET_S * 3 + 10) * 1000), [{ file: one, messages: 1 }]);
      if (why) {
        keep(m, why.what, why.detail);
        found = true;
      }
    }
    if (!found) keep({ name: `batch of ${batch.length} (no single mutant fails alone)`, bytes: mbox(batch.map((m) => m.bytes)), gzip: false }, bad.what, bad.detail);
  }

  const gz = list.filter((m) => m.gzip);
  if (gz.length > 0) {
    const inputs = gz.map((m, i) => {
      const file = `gz-${i + 1}.mbox.gz`;
      writeFileSync(path.join(dir, file), m.bytes);
      return { file, messages: m.messages ?? 1, gzip: m.bytes };
    });
    runs++;
    const bad = judge(await runKreview(inputs.map((i) => i.file), dir, (BUDGET_S * 3 + 10) * 1000 + BUDGET_S * 1000 * inputs.length * 4), inputs);
    if (bad) {
      for (const [i, m] of gz.entries()) {
        runs++;
        const why = judge(await runKreview([inputs[i]!.file], dir, (BUDGET_S * 3 + 10) * 1000), [inputs[i]!]);
        if (why) keep(m, why.what, why.detail);
      }
    }
  }
  return { mutants: list.length, runs, failures };
}

async function main(argv: string[]): Promise<number> {
  const n = Number(argv.find((a) => /^\d+$/.test(a)) ?? 200);
  const seedAt = argv.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : Date.now() % 2 ** 31;
  const keepAt = argv.indexOf("--keep");
  const dir = keepAt >= 0 ? path.resolve(argv[keepAt + 1]!) : mkdtempSync(path.join(os.tmpdir(), "kreview-fuzz-"));
  const t0 = Date.now();
  console.log(`fuzz: ${n} mutants, seed ${seed}, files in ${dir}`);
  const r = await fuzz(mutants(n, seed), dir, (s) => console.log(s));
  console.log(`fuzz: ${r.mutants} mutants in ${r.runs} runs, ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r.failures.length === 0 ? "no crash, hang or lost message" : `${r.failures.length} failures`}`);
  return r.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
