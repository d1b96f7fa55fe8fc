/**
 * `npm run corpus -- [A.mbox.gz|DIR ...] [--findings] [--json OUT.json] [--rule ID[,ID...]]`
 *
 * Streams whole list archives through kreview, one after another, and prints
 * for each what became of every message: how many patches, replies, messages
 * with no diff and unreadable ones (with reasons), whether each patch yielded
 * as many file diffs as it has `diff --git` headers, internal errors, and a
 * table per rule (findings, distinct messages with findings, findings per
 * 1,000 patches). Then the same table over all the archives.
 *
 * A directory stands for every `*.mbox.gz` in it; with no path, every
 * `*.mbox.gz` in ../shared/corpus/ is read (and the output says so).
 * `--findings` also lists up to 40 findings per rule and archive, with the
 * message's index (for `npm run show`), Message-ID, subject, place,
 * confidence, message and the source line. `--json OUT.json` writes every
 * finding and the counts as JSON. `--rule` (or `--only`) runs only the rules
 * named, as `kreview --only` does. Every rule runs as under `--strict`: check-level
 * findings are counted and listed too.
 *
 * Exits 1 when a message was lost, a patch lost file diffs, or kreview failed
 * on some archive; 2 for a usage error or a missing path.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { builtinRules } from "../rules/index.js";
import { corpusPathsOrExit, runCorpus, type CorpusCounts, type CorpusFinding } from "./corpus-run.js";

const USAGE = "usage: npm run corpus -- [A.mbox.gz|DIR ...] [--findings] [--json OUT.json] [--rule ID[,ID...]]";
const SAMPLE = 40;

function usageError(msg: string): never {
  process.stderr.write(`${USAGE}\n${msg}\n`);
  process.exit(2);
}

// ---- arguments ----
let showFindings = false;
let jsonOut: string | null = null;
const only: string[] = [];
const positional: string[] = [];
{
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--findings") showFindings = true;
    else if (a === "--json") {
      const v = args[++i];
      if (!v || v.startsWith("--")) usageError("--json needs a file to write (--json OUT.json)");
      jsonOut = v;
    } else if (a === "--rule" || a === "--only" || a.startsWith("--rule=") || a.startsWith("--only=")) {
      const v = a === "--rule" || a === "--only" ? args[++i] : a.slice(a.indexOf("=") + 1);
      if (!v || v.startsWith("--")) usageError("--rule needs a rule id (--rule sleep-in-atomic)");
      only.push(...v.split(",").filter(Boolean));
    } else if (a.startsWith("--json=")) jsonOut = a.slice("--json=".length) || usageError("--json needs a file to write");
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith("--")) usageError(`unknown option ${a}`);
    else positional.push(a);
  }
}
for (const id of only) if (!builtinRules.some((r) => r.id === id)) usageError(`unknown rule '${id}' (see 'kreview rules')`);
const { paths, note } = corpusPathsOrExit(positional, USAGE);

// ---- tables ----
const severityOf = new Map(builtinRules.map((r) => [r.id, r.severity as string]));

/** Rules to list: every built-in rule, then any other id that reported (in order). */
function ruleIds(seen: Iterable<string>): string[] {
  const ids = builtinRules.map((r) => r.id).filter((id) => only.length === 0 || only.includes(id));
  for (const id of seen) if (!ids.includes(id)) ids.push(id);
  return ids;
}

function perThousand(n: number, patches: number): string {
  return patches === 0 ? "-" : ((n * 1000) / patches).toFixed(1);
}

function ruleLabel(id: string): string {
  return severityOf.get(id) === "check" ? `${id} (check)` : id;
}

/** Left-align the first column, right-align the others. */
function table(head: string[], rows: string[][], indent = "  "): string[] {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => indent + r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function archiveName(p: string): string {
  return path.basename(p);
}

function ruleRows(c: CorpusCounts): string[][] {
  const patches = c.kinds.patch;
  const rows = ruleIds(c.findingsByRule.keys()).map((id) => {
    const n = c.findingsByRule.get(id) ?? 0;
    return [ruleLabel(id), String(n), String(c.messagesByRule.get(id) ?? 0), perThousand(n, patches)];
  });
  const total = [...c.findingsByRule.values()].reduce((a, b) => a + b, 0);
  rows.push(["all rules", String(total), String(c.messagesWithFindings), perThousand(total, patches)]);
  return rows;
}

function findingLines(f: CorpusFinding): string[] {
  const lines = [
    `  ${f.archive} #${f.index} <${f.messageId}> ${f.subject}`,
    `    ${f.file || "(message)"}:${f.line ?? "?"} (${f.confidence}): ${f.message}`,
  ];
  if (f.sourceLine !== null) lines.push(`    | ${f.sourceLine}`);
  return lines;
}

// ---- run ----
const tty = process.stderr.isTTY;
const results: { path: string; counts: CorpusCounts; ok: boolean; accounted: number }[] = [];
const allFindings: CorpusFinding[] = [];
if (note) process.stdout.write(`${note}\n\n`);

for (const p of paths) {
  const name = archiveName(p);
  const c = await runCorpus(
    p,
    (c) => {
      if (tty && c.messages % 500 === 0) process.stderr.write(`\r${name}: ${c.messages} messages`);
    },
    { keepAllFindings: jsonOut !== null, only },
  );
  if (tty) process.stderr.write("\r\x1b[K");
  if (jsonOut !== null) allFindings.push(...c.findings);

  const out: string[] = [];
  out.push(`corpus: ${p}`);
  out.push(`messages: ${c.messages} (patch ${c.kinds.patch}, reply ${c.kinds.reply}, no-diff ${c.kinds["no-diff"]}, unreadable ${c.kinds.unreadable})`);
  const accounted = c.kinds.patch + c.kinds.reply + c.kinds["no-diff"] + c.kinds.unreadable;
  out.push(`accounted for: ${accounted} of ${c.messages}`);
  for (const [reason, n] of c.noDiffReasons) out.push(`  no-diff: ${n} ${reason}`);
  for (const [reason, n] of c.unreadableReasons) out.push(`  unreadable: ${n} ${reason}`);
  out.push(`patches with a PATCH tag in the subject: ${c.taggedPatches} (the rest: RFC-only tags, pull requests, mm-commits mail)`);
  out.push(`patches: ${c.kinds.patch}, file diffs: ${c.fileDiffs}, patches with no file diff: ${c.patchesWithoutFiles}`);
  out.push(`patches with a diff --git header that opened no file diff: ${c.fileMismatches.length}`);
  for (const m of c.fileMismatches.slice(0, 20)) out.push(`  #${m.index} ${m.subject}: ${m.got} of ${m.expected} headers opened one`);
  out.push(`internal errors: ${c.internalErrors.length}`);
  for (const e of c.internalErrors.slice(0, 20)) out.push(`  #${e.index}: ${e.problem}`);
  out.push(`findings by rule (${name}, ${c.kinds.patch} patches):`);
  out.push(...table(["rule", "findings", "messages", "per 1,000 patches"], ruleRows(c)));
  if (showFindings) {
    for (const [rule, list] of [...c.findingsSample.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const total = c.findingsByRule.get(rule) ?? list.length;
      out.push(`findings of ${rule} in ${name} (${list.length < total ? `first ${list.length} of ${total}` : `all ${total}`}):`);
      for (const f of list.slice(0, SAMPLE)) out.push(...findingLines(f));
    }
  }
  const mb = c.bytesUnpacked / 1048576;
  out.push(`time: ${c.seconds.toFixed(1)} s (${(c.messages / c.seconds).toFixed(0)} messages/s, ${(mb / c.seconds).toFixed(1)} MB/s of mail)`);
  process.stdout.write(out.join("\n") + "\n\n");

  const ok = accounted === c.messages && c.fileMismatches.length === 0 && c.internalErrors.length === 0;
  results.push({ path: p, counts: c, ok, accounted });
}

// ---- totals ----
const totalPatches = results.reduce((n, r) => n + r.counts.kinds.patch, 0);
const totalMessages = results.reduce((n, r) => n + r.counts.messages, 0);
const sum = (f: (c: CorpusCounts) => number) => results.reduce((n, r) => n + f(r.counts), 0);
const seen = new Set(results.flatMap((r) => [...r.counts.findingsByRule.keys()]));
const ids = ruleIds(seen);
const names = results.map((r) => archiveName(r.path).replace(/\.mbox\.gz$/, ""));
const totalRows = ids.map((id) => {
  const n = sum((c) => c.findingsByRule.get(id) ?? 0);
  return [
    ruleLabel(id),
    String(n),
    String(sum((c) => c.messagesByRule.get(id) ?? 0)),
    perThousand(n, totalPatches),
    ...results.map((r) => perThousand(r.counts.findingsByRule.get(id) ?? 0, r.counts.kinds.patch)),
  ];
});
const allN = sum((c) => [...c.findingsByRule.values()].reduce((a, b) => a + b, 0));
totalRows.push([
  "all rules",
  String(allN),
  String(sum((c) => c.messagesWithFindings)),
  perThousand(allN, totalPatches),
  ...results.map((r) => perThousand([...r.counts.findingsByRule.values()].reduce((a, b) => a + b, 0), r.counts.kinds.patch)),
]);
const out: string[] = [];
out.push(`total over ${results.length} archive${results.length === 1 ? "" : "s"}: ${totalMessages} messages, ${totalPatches} patches`);
out.push(`  (per-archive columns: findings per 1,000 patches of that archive)`);
out.push(...table(["rule", "findings", "messages", "per 1,000 patches", ...names], totalRows));
const failed = results.filter((r) => !r.ok);
const troubleOf = (r: (typeof results)[number]) =>
  [
    r.accounted !== r.counts.messages ? plural(r.counts.messages - r.accounted, "message") + " not accounted for" : "",
    r.counts.fileMismatches.length ? plural(r.counts.fileMismatches.length, "patch", "patches") + " lost file diffs" : "",
    r.counts.internalErrors.length ? plural(r.counts.internalErrors.length, "internal error") : "",
  ]
    .filter(Boolean)
    .join(", ");
out.push(
  failed.length === 0
    ? "every message accounted for, no file diff lost, no internal error"
    : `problems: ${failed.map((r) => `${archiveName(r.path)} (${troubleOf(r)})`).join("; ")}`,
);
process.stdout.write(out.join("\n") + "\n");

if (jsonOut !== null) {
  const rulesOf = (c: CorpusCounts) =>
    Object.fromEntries(
      ruleIds(c.findingsByRule.keys()).map((id) => {
        const n = c.findingsByRule.get(id) ?? 0;
        return [id, { findings: n, messages: c.messagesByRule.get(id) ?? 0, perThousandPatches: c.kinds.patch ? (n * 1000) / c.kinds.patch : null }];
      }),
    );
  const doc = {
    archives: results.map((r) => ({
      path: r.path,
      archive: archiveName(r.path),
      messages: r.counts.messages,
      kinds: r.counts.kinds,
      accounted: r.accounted,
      unreadableReasons: Object.fromEntries(r.counts.unreadableReasons),
      noDiffReasons: Object.fromEntries(r.counts.noDiffReasons),
      fileDiffs: r.counts.fileDiffs,
      fileMismatches: r.counts.fileMismatches,
      internalErrors: r.counts.internalErrors,
      messagesWithFindings: r.counts.messagesWithFindings,
      rules: rulesOf(r.counts),
      ok: r.ok,
    })),
    totals: {
      archives: results.length,
      messages: totalMessages,
      patches: totalPatches,
      rules: Object.fromEntries(
        ids.map((id) => {
          const n = sum((c) => c.findingsByRule.get(id) ?? 0);
          return [id, { findings: n, messages: sum((c) => c.messagesByRule.get(id) ?? 0), perThousandPatches: totalPatches ? (n * 1000) / totalPatches : null }];
        }),
      ),
    },
    findings: allFindings,
  };
  writeFileSync(jsonOut, JSON.stringify(doc, null, 2) + "\n");
  process.stdout.write(`wrote ${allFindings.length} findings to ${jsonOut}\n`);
}

process.exitCode = failed.length > 0 ? 1 : 0;
