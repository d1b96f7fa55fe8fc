/**
 * `npm run recall -- [../shared/devset] [--tree DIR]`
 *
 * Measures kreview against the development set of review points mined from
 * real review replies (see the dev set's README.md): lints each labelled
 * mail (msgs/<id>.eml) through the corpus pipeline (splitMessages →
 * parseMail → parsePatch → lintPatch, series rules over the file's patches,
 * with check-level rules on), and
 * prints per rule how many labels were found and how many silent examples
 * drew a finding, then every miss with what kreview did say in that file,
 * then every noise finding, and a total line.
 *
 * `--tree DIR` lints with that kernel tree as context (whole files), as the
 * CLI's --tree does. Exits 0 (it measures, it does not judge), 2 when the dev
 * set or the tree is missing, or for a usage error.
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseMail, splitMessages } from "../src/input/index.js";
import { parsePatch, type Patch } from "../src/patch/index.js";
import { createLinter, SeriesHold, type Finding } from "../src/engine/index.js";
import { isKernelTree, treeSource } from "../src/cli/tree.js";
import { builtinRules } from "../rules/index.js";
import { describeMiss, matchDevset, parseLabels, parseSilent, WINDOW, type Label, type PatchShape, type SilentExample } from "./recall-match.js";

const USAGE = "usage: npm run recall -- [path/to/devset] [--tree DIR]";
const DEFAULT_DEVSET = "../shared/devset";

function usageError(msg: string): never {
  process.stderr.write(`${USAGE}\n${msg}\n`);
  process.exit(2);
}

let treeDir: string | null = null;
const positional: string[] = [];
{
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--tree") {
      const v = args[++i];
      if (!v) usageError("--tree needs a directory");
      treeDir = v;
    } else if (a.startsWith("--tree=")) treeDir = a.slice("--tree=".length) || usageError("--tree needs a directory");
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith("--")) usageError(`unknown option ${a}`);
    else positional.push(a);
  }
}
if (positional.length > 1) usageError("name one dev set");
const named = positional.length === 1;
const devset = positional[0] ?? DEFAULT_DEVSET;
if (!existsSync(devset) || !statSync(devset).isDirectory()) {
  usageError(
    `${devset}: not found. The dev set is not part of the repository: name the directory that holds its labels.tsv, ` +
      `silent.tsv and msgs/ (e.g. ../shared/devset).`,
  );
}
const labelsPath = path.join(devset, "labels.tsv");
const silentPath = path.join(devset, "silent.tsv");
if (!existsSync(labelsPath)) usageError(`${labelsPath}: not found: ${devset} does not look like the dev set (no labels.tsv)`);
if (treeDir !== null) {
  if (!existsSync(treeDir)) usageError(`--tree ${treeDir}: no such directory`);
  if (!isKernelTree(treeDir)) usageError(`--tree ${treeDir}: not the top of a kernel tree (no MAINTAINERS, Makefile, Kbuild, scripts/, include/)`);
}

let labels: Label[];
let silent: SilentExample[];
try {
  labels = parseLabels(readFileSync(labelsPath, "utf8"), labelsPath);
  silent = existsSync(silentPath) ? parseSilent(readFileSync(silentPath, "utf8"), silentPath) : [];
} catch (e) {
  usageError(e instanceof Error ? e.message : String(e));
}

const linter = createLinter({ rules: builtinRules, strict: true, tree: treeDir !== null ? treeSource(treeDir) : undefined });

/** C as the C layer takes it (src/c/view.ts isCFile, for a file with a trusted name). */
function shapeOf(p: Patch): PatchShape {
  return {
    kind: p.kind,
    reason: p.reason,
    files: p.files.map((f) => ({
      path: f.path,
      isC: !f.binary && f.hunks.length > 0 && /\.[ch]$/.test(f.newPath ?? f.oldPath ?? ""),
      ranges: f.hunks.filter((h) => h.positionsKnown && h.newCount > 0).map((h): [number, number] => [h.newStart, h.newStart + h.newCount - 1]),
    })),
  };
}

interface Linted {
  findings: Finding[];
  shape: PatchShape | null;
  trouble: string[];
}

async function lintMail(file: string): Promise<Linted> {
  if (!existsSync(file)) return { findings: [], shape: null, trouble: [`${file}: not found`] };
  const out: Linted = { findings: [], shape: null, trouble: [] };
  // The file's patches are a series for the series-wide rules, as the CLI lints them.
  const series = new SeriesHold(linter, (result) => {
    out.findings.push(...result.findings);
    if (result.internalError) out.trouble.push(`internal error: ${result.problems.join("; ")}`);
  });
  try {
    for await (const raw of splitMessages(file, createReadStream(file))) {
      const patch = parsePatch(await parseMail(raw));
      await series.add(linter.lintPatch(patch));
      // The patch message is the one to describe (an .eml holds one message).
      if (out.shape === null || (out.shape.kind !== "patch" && patch.kind === "patch")) out.shape = shapeOf(patch);
    }
    await series.closeAll();
  } catch (e) {
    out.trouble.push(e instanceof Error ? e.message : String(e));
  }
  return out;
}

const linted = new Map<string, Linted>();
for (const id of new Set([...labels.map((l) => l.id), ...silent.map((s) => s.id)])) {
  linted.set(id, await lintMail(path.join(devset, "msgs", `${id}.eml`)));
}

const report = matchDevset(labels, silent, (id) => linted.get(id)?.findings ?? [], builtinRules.map((r) => r.id));

const out: string[] = [];
out.push(
  `dev set: ${devset}${named ? "" : " (no path named: the default)"}: ${labels.length} labels, ${silent.length} silent examples; ` +
    `tree: ${treeDir ?? "none (hunks alone)"}; match: same rule and file, line within ±${WINDOW}; --strict`,
);
const trouble = [...linted.entries()].filter(([, l]) => l.trouble.length > 0);
for (const [id, l] of trouble) out.push(`  ${id}: ${l.trouble.join("; ")}`);

out.push("", "per rule:");
const rows = report.rules.map((t) => [
  t.rule,
  `${t.found} / ${t.labels}`,
  t.silent ? `noise ${t.noisy} of ${t.silent}` : "noise -",
  t.known ? "" : "(no such rule yet)",
]);
const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) out.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd());
const unlabelled = builtinRules.map((r) => r.id).filter((id) => !report.rules.some((t) => t.rule === id));
if (unlabelled.length) out.push(`  kreview rules with no label here: ${unlabelled.join(", ")}`);

const found = report.labels.filter((o) => o.found);
out.push("", `found (${found.length}):`);
if (found.length === 0) out.push("  (none)");
for (const o of found) {
  const l = o.label;
  out.push(`  ${l.id} ${l.rule} ${l.list} ${l.file}:${l.line} <- ${o.hits.map((f) => `${f.rule}:${f.line}`).join(", ")}`);
}

const misses = report.labels.filter((o) => !o.found);
const knownRule = new Set(builtinRules.map((r) => r.id));
for (const [title, group] of [
  ["misses of rules kreview has", misses.filter((o) => knownRule.has(o.label.rule))],
  ["misses of rules kreview does not have yet", misses.filter((o) => !knownRule.has(o.label.rule))],
] as const) {
  out.push("", `${title} (${group.length}):`);
  if (group.length === 0) out.push("  (none)");
  for (const o of group) {
    const l = o.label;
    const m = linted.get(l.id);
    out.push(`  ${l.id} ${l.rule} ${l.list} ${l.file}:${l.line} (${l.confidence})${l.note ? ` [${l.note}]` : ""}`);
    out.push(`    point: ${l.paraphrase}`);
    out.push(`    kreview: ${describeMiss(l, m?.findings ?? [], m?.shape ?? null)}`);
  }
}

const noisy = report.silent.filter((o) => o.noise.length > 0);
out.push("", `noise on silent examples (${noisy.length}):`);
if (noisy.length === 0) out.push("  (none)");
for (const o of noisy) {
  const s = o.example;
  out.push(`  ${s.id} ${s.rule} ${s.list} ${s.file}:${s.line} (fixes ${s.fixes})${s.note ? ` [${s.note}]` : ""}`);
  for (const f of o.noise) {
    out.push(`    ${f.file}:${f.line} (${f.confidence}): ${f.message}`);
    if (f.sourceLine !== undefined) out.push(`    | ${f.sourceLine}`);
  }
}

out.push("", `recall: ${report.found} of ${report.total} found; noise: ${report.noisy} of ${report.silentTotal}`);
process.stdout.write(out.join("\n") + "\n");
process.exitCode = 0;
