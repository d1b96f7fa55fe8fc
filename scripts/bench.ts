/**
 * `npm run bench [-- [--cold-start] path/to/archive.mbox.gz]`: figures for this machine,
 * side by side, no pass/fail (the targets of issue 11 are printed as ratios,
 * never asserted):
 *
 * 1. Cold start on one patch, median of 9 runs: `node -e 0`, the hook path
 *    (`kreview -q patch`) and b4's (`kreview --format terse` on stdin);
 *    target <= 2.5x `node -e 0`.
 * 2. Archive throughput: the floor (tree-sitter parsing the C the archive's
 *    patches show, laid out as kreview lays it, nothing else), then
 *    `kreview --format json` over the archive with -j 1 and -j (all cores);
 *    target <= 3x the floor with all cores.
 * 3. Peak memory (max RSS of the kreview process, threads included) for the
 *    archive once and twice; target within 1.10x.
 * 4. With CHECKPATCH=path/to/checkpatch.pl: checkpatch --no-tree on the
 *    same patch, and on a directory of 100 patches of the archive against
 *    kreview on the same directory.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { layoutFile } from "../src/c/layout.js";
import { isCFile } from "../src/c/view.js";
import { parseC } from "../src/c/parser.js";
import { parseMail, splitMessages } from "../src/input/index.js";
import { parsePatch } from "../src/patch/index.js";
import { corpusPathOrExit } from "./corpus-run.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/kreview");
const sample = path.join(root, "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml");
const args = process.argv.slice(2);
/** `--cold-start`: section 1 only (seconds, not minutes: for work on the start-up path). */
const coldOnly = args.includes("--cold-start");
const corpus = coldOnly ? "" : corpusPathOrExit(args.find((a) => !a.startsWith("--")), "usage: npm run bench -- [--cold-start] [path/to/archive.mbox.gz]");
const cores = os.availableParallelism();

/** Reports the child's peak RSS (threads included) on stderr as it exits. */
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nkreview-bench-maxrss "+process.resourceUsage().maxRSS+"\\n"))`;

interface Timed {
  ms: number;
  status: number | null;
  maxRssMb: number;
}

function timed(args: string[], options: { input?: Buffer; rss?: boolean } = {}): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(options.rss ? ["--import", RSS_HOOK] : []), ...args], {
    input: options.input,
    stdio: [options.input ? "pipe" : "ignore", "ignore", "pipe"],
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // Worker threads run the hook too: the main thread, which exits last, says the last word.
  const all = [...(r.stderr?.toString() ?? "").matchAll(/kreview-bench-maxrss (\d+)/g)];
  const m = all[all.length - 1];
  return { ms, status: r.status, maxRssMb: m ? Number(m[1]) / 1024 : NaN };
}

function median(runs: number, f: () => number): number {
  const xs = Array.from({ length: runs }, f).sort((a, b) => a - b);
  return xs[Math.floor(runs / 2)]!;
}

const out: string[] = [];
const say = (s: string) => {
  out.push(s);
  process.stdout.write(`${s}\n`);
};
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

say(`machine: ${process.platform}-${process.arch}, node ${process.version}, ${cores} cores (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg()[0]!.toFixed(1)}`);

// 1. cold start
const patchBytes = spawnSync("cat", [sample]).stdout;
const nodeMs = median(9, () => timed(["-e", "0"]).ms);
const hookMs = median(9, () => timed([bin, "--no-config", "-q", sample]).ms);
const b4Ms = median(9, () => timed([bin, "--no-config", "--format", "terse"], { input: patchBytes }).ms);
say("");
say(`cold start, one patch (${path.relative(root, sample)}), median of 9:`);
say(`  node -e 0                          ${nodeMs.toFixed(0).padStart(6)} ms`);
say(`  kreview -q patch (the hook)        ${hookMs.toFixed(0).padStart(6)} ms   ${ratio(hookMs, nodeMs)} node -e 0 (target <= 2.5x)`);
say(`  kreview --format terse < patch (b4)${b4Ms.toFixed(0).padStart(6)} ms   ${ratio(b4Ms, nodeMs)} node -e 0 (target <= 2.5x)`);

if (coldOnly) process.exit(0);

// 2. the floor: tree-sitter parsing the C of the archive, as laid out
let messages = 0;
let cFiles = 0;
let parseMs = 0;
const patchesForCheckpatch: Buffer[] = [];
for await (const raw of splitMessages(corpus, createReadStream(corpus))) {
  messages++;
  const patch = parsePatch(await parseMail(raw));
  if (patch.kind === "patch" && patchesForCheckpatch.length < 100) patchesForCheckpatch.push(raw.bytes);
  for (const file of patch.files) {
    if (!isCFile(file)) continue;
    const text = layoutFile(file, "post").rows.join("\n");
    const t0 = process.hrtime.bigint();
    parseC(text);
    parseMs += Number(process.hrtime.bigint() - t0) / 1e6;
    cFiles++;
  }
}
const j1 = timed([bin, "--no-config", "--no-tree", "--format", "json", "-j", "1", corpus], { rss: true });
const jn = timed([bin, "--no-config", "--no-tree", "--format", "json", "-j", String(cores), corpus], { rss: true });
const twice = timed([bin, "--no-config", "--no-tree", "--format", "json", "-j", String(cores), corpus, corpus], { rss: true });
const rate = (ms: number, n = messages) => `${((n * 1000) / ms).toFixed(0)} messages/s`;
say("");
say(`archive ${corpus}: ${messages} messages, ${cFiles} C files in its patches`);
say(`  floor: tree-sitter parse of that C  ${(parseMs / 1000).toFixed(1).padStart(6)} s   ${rate(parseMs)}`);
say(`  kreview -j 1                        ${(j1.ms / 1000).toFixed(1).padStart(6)} s   ${rate(j1.ms)}   ${ratio(j1.ms, parseMs)} the floor`);
say(`  kreview -j ${cores} (all cores)${" ".repeat(Math.max(0, 13 - String(cores).length))}${(jn.ms / 1000).toFixed(1).padStart(6)} s   ${rate(jn.ms)}   ${ratio(jn.ms, parseMs)} the floor (target <= 3x)`);

// 3. memory
say("");
say("peak memory (max RSS, threads included):");
say(`  archive once, -j 1                  ${j1.maxRssMb.toFixed(0).padStart(6)} MB`);
say(`  archive once, -j ${cores}${" ".repeat(Math.max(0, 19 - String(cores).length))}${jn.maxRssMb.toFixed(0).padStart(6)} MB`);
say(`  archive twice, -j ${cores}${" ".repeat(Math.max(0, 18 - String(cores).length))}${twice.maxRssMb.toFixed(0).padStart(6)} MB   ${ratio(twice.maxRssMb, jn.maxRssMb)} once (target <= 1.10x), ${(twice.ms / 1000).toFixed(1)} s`);

// 4. checkpatch
const checkpatch = process.env.CHECKPATCH;
if (checkpatch) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kreview-bench-"));
  try {
    patchesForCheckpatch.forEach((b, i) => writeFileSync(path.join(dir, `${String(i + 1).padStart(4, "0")}.patch`), b));
    const files = patchesForCheckpatch.map((_, i) => path.join(dir, `${String(i + 1).padStart(4, "0")}.patch`));
    const perl = (args: string[]) => {
      const t0 = process.hrtime.bigint();
      spawnSync("perl", [checkpatch, "--no-tree", "-q", ...args], { stdio: "ignore" });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const cpOne = median(5, () => perl([sample]));
    const cpDir = perl(files);
    const krDir = timed([bin, "--no-config", "--no-tree", "-q", dir]).ms;
    say("");
    say(`checkpatch (${checkpatch}):`);
    say(`  checkpatch --no-tree, one patch     ${cpOne.toFixed(0).padStart(6)} ms   (kreview ${hookMs.toFixed(0)} ms)`);
    say(`  checkpatch, ${files.length} patches of the archive ${(cpDir / 1000).toFixed(1).padStart(5)} s   (kreview on the directory ${(krDir / 1000).toFixed(1)} s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  say("");
  say("checkpatch: set CHECKPATCH=path/to/checkpatch.pl to compare");
}
