/**
 * `npm run bench [-- path/to/archive.mbox.gz]`: figures for this machine, no pass/fail.
 *
 * 1. Wall time of one cold `bin/kreview` process on a typical patch (the v5
 *    memfile_notifier patch, 4 files, 190 lines), median of several runs.
 * 2. Throughput over a whole list archive, in-process: messages/s,
 *    patches/s, MB/s of mail (unpacked), and peak memory (max RSS).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { corpusPathOrExit, runCorpus } from "./corpus-run.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin/kreview");
const sample = path.join(root, "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml");
const corpus = corpusPathOrExit(process.argv[2], "usage: npm run bench -- [path/to/archive.mbox.gz]");

const RUNS = 7;
const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, "-q", sample], { encoding: "utf8" });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status === 2) {
    process.stderr.write(`bin/kreview failed: ${r.stderr}\n`);
    process.exit(2);
  }
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];

const c = await runCorpus(corpus);
const mb = c.bytesUnpacked / 1048576;
const maxRssMb = process.resourceUsage().maxRSS / 1024;

const lines = [
  `machine: ${process.platform}-${process.arch}, node ${process.version}, ${(await import("node:os")).cpus().length} cores`,
  `cold run on one patch (${path.relative(root, sample)}): median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms over ${RUNS} runs`,
  `archive: ${corpus}: ${c.messages} messages (${c.kinds.patch} patches), ${mb.toFixed(1)} MB of mail`,
  `throughput: ${(c.messages / c.seconds).toFixed(0)} messages/s, ${(c.kinds.patch / c.seconds).toFixed(0)} patches/s, ${(mb / c.seconds).toFixed(1)} MB/s (${c.seconds.toFixed(1)} s)`,
  `peak memory (max RSS of this process): ${maxRssMb.toFixed(0)} MB`,
];
process.stdout.write(lines.join("\n") + "\n");
