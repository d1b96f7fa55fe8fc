/**
 * `npm run corpus [-- path/to/archive.mbox.gz] [--findings]`
 *
 * Streams a whole list archive through kreview and prints what became of
 * every message: how many patches, replies, messages with no diff and
 * unreadable ones (with reasons), whether each patch yielded as many file
 * diffs as it has `diff --git` headers, and how many findings each rule made.
 * `--findings` also lists up to 40 findings per rule, for reading.
 * Exits 1 when a message was lost, a patch lost file diffs, or kreview failed.
 */
import { corpusPathOrExit, runCorpus } from "./corpus-run.js";

const args = process.argv.slice(2);
const showFindings = args.includes("--findings");
const path = corpusPathOrExit(args.find((a) => !a.startsWith("--")), "usage: npm run corpus -- [path/to/archive.mbox.gz] [--findings]");

const tty = process.stderr.isTTY;
const c = await runCorpus(path, (c) => {
  if (tty && c.messages % 500 === 0) process.stderr.write(`\r${c.messages} messages`);
});
if (tty) process.stderr.write("\r\x1b[K");

const out: string[] = [];
out.push(`corpus: ${path}`);
out.push(`messages: ${c.messages} (patch ${c.kinds.patch}, reply ${c.kinds.reply}, no-diff ${c.kinds["no-diff"]}, unreadable ${c.kinds.unreadable})`);
const accounted = c.kinds.patch + c.kinds.reply + c.kinds["no-diff"] + c.kinds.unreadable;
out.push(`accounted for: ${accounted} of ${c.messages}`);
for (const [reason, n] of c.noDiffReasons) out.push(`  no-diff: ${n} ${reason}`);
for (const [reason, n] of c.unreadableReasons) out.push(`  unreadable: ${n} ${reason}`);
out.push(`patches with a PATCH tag in the subject: ${c.taggedPatches} (the rest: RFC-only tags, pull requests, mm-commits mail)`);
out.push(`patches: ${c.kinds.patch}, file diffs: ${c.fileDiffs}, patches with no file diff: ${c.patchesWithoutFiles}`);
out.push(`patches whose file diffs differ from their diff --git headers: ${c.fileMismatches.length}`);
for (const m of c.fileMismatches.slice(0, 20)) out.push(`  #${m.index} ${m.subject}: ${m.got} of ${m.expected}`);
out.push(`internal errors: ${c.internalErrors.length}`);
for (const e of c.internalErrors.slice(0, 20)) out.push(`  #${e.index}: ${e.problem}`);
out.push("findings by rule:");
const rules = [...c.findingsByRule.entries()].sort((a, b) => a[0].localeCompare(b[0]));
if (rules.length === 0) out.push("  (none)");
for (const [rule, n] of rules) out.push(`  ${rule}: ${n}`);
if (showFindings) {
  for (const [rule, list] of c.findingsSample) {
    out.push(`findings of ${rule} (first ${list.length}):`);
    for (const f of list) out.push(`  #${f.index} ${f.subject}\n    ${f.file}:${f.line ?? "?"}: ${f.message}`);
  }
}
const mb = c.bytesUnpacked / 1048576;
out.push(`time: ${c.seconds.toFixed(1)} s (${(c.messages / c.seconds).toFixed(0)} messages/s, ${(mb / c.seconds).toFixed(1)} MB/s of mail)`);
process.stdout.write(out.join("\n") + "\n");
process.exitCode = accounted !== c.messages || c.fileMismatches.length > 0 || c.internalErrors.length > 0 ? 1 : 0;
