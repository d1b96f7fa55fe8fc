/**
 * The dev set's matching, kept pure for `npm run recall` and its unit test:
 * parse labels.tsv / silent.tsv, and match findings to them.
 *
 * A label is found when a finding has the label's rule, the same file
 * (`finding.file === label.file`) and a line within ±WINDOW of the label's
 * line. A silent example is noise when a finding of its rule stands within
 * ±WINDOW of its line in its file.
 */

export const WINDOW = 3;

/** The columns labels.tsv and silent.tsv share. */
interface Point {
  id: string;
  list: string;
  patchMessageId: string;
  subject: string;
  file: string;
  line: number;
  rule: string;
  note: string;
}

/** A review point of labels.tsv. */
export interface Label extends Point {
  confidence: string;
  replyMessageId: string;
  paraphrase: string;
}

/** A "must stay silent" example of silent.tsv. */
export interface SilentExample extends Point {
  /** The label id whose point this posting fixed. */
  fixes: string;
}

/** What matching needs of a finding (kreview's Finding fits). */
export interface FindingRef {
  rule: string;
  file: string;
  line: number | null;
  message?: string;
  confidence?: string;
  sourceLine?: string;
}

/** What the linted mail held, to say why a point was missed. */
export interface PatchShape {
  /** The message kind (`patch`, `reply`, `no-diff`, `unreadable`). */
  kind: string;
  reason?: string;
  files: { path: string; isC: boolean; /** Post-image line ranges of the hunks, inclusive. */ ranges: [number, number][] }[];
}

/** Rows of a tab-separated file with a header line, as records keyed by the header's names. */
export function parseTsv(text: string, name = "tsv"): Record<string, string>[] {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const header = lines[0]?.split("\t").map((h) => h.trim()) ?? [];
  if (header.length === 0 || header[0] === "") throw new Error(`${name}: no header line`);
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const cells = lines[i].split("\t");
    if (cells.length > header.length) throw new Error(`${name}:${i + 1}: ${cells.length} columns, the header has ${header.length}`);
    rows.push(Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ""])));
  }
  return rows;
}

function need(row: Record<string, string>, cols: string[], where: string) {
  for (const c of cols) if (!(c in row)) throw new Error(`${where}: no column '${c}'`);
}

function lineOf(row: Record<string, string>, where: string): number {
  const n = Number(row.line);
  if (!/^\d+$/.test(row.line.trim()) || n < 1) throw new Error(`${where}: ${row.id}: line '${row.line}' is not a line number`);
  return n;
}

/** The columns labels and silent examples share. */
function common(r: Record<string, string>, name: string) {
  need(r, ["id", "file", "line", "rule"], name);
  return {
    id: r.id,
    list: r.list ?? "",
    patchMessageId: r.patch_message_id ?? "",
    subject: r.subject ?? "",
    file: r.file,
    line: lineOf(r, name),
    rule: r.rule,
    note: r.note ?? "",
  };
}

export function parseLabels(text: string, name = "labels.tsv"): Label[] {
  return parseTsv(text, name).map((r) => ({
    ...common(r, name),
    confidence: r.confidence ?? "",
    replyMessageId: r.reply_message_id ?? "",
    paraphrase: r.paraphrase ?? "",
  }));
}

export function parseSilent(text: string, name = "silent.tsv"): SilentExample[] {
  return parseTsv(text, name).map((r) => ({ ...common(r, name), fixes: r.fixes ?? "" }));
}

/** Does the finding stand at the place (same rule, same file, line within ±WINDOW)? */
export function near(f: FindingRef, at: { rule: string; file: string; line: number }): boolean {
  return f.rule === at.rule && f.file === at.file && f.line !== null && Math.abs(f.line - at.line) <= WINDOW;
}

export interface LabelOutcome {
  label: Label;
  found: boolean;
  /** The findings that found it. */
  hits: FindingRef[];
}

export interface SilentOutcome {
  example: SilentExample;
  /** Findings of its rule near its line: non-empty means noise. */
  noise: FindingRef[];
}

export interface RuleTally {
  rule: string;
  /** kreview has a rule of this id. */
  known: boolean;
  labels: number;
  found: number;
  silent: number;
  /** Silent examples with noise. */
  noisy: number;
}

export interface RecallReport {
  labels: LabelOutcome[];
  silent: SilentOutcome[];
  /** Rules of the labels and silent examples: kreview's first, then the others, each by name. */
  rules: RuleTally[];
  found: number;
  total: number;
  noisy: number;
  silentTotal: number;
}

/**
 * Match the findings of each example's mail (`findingsOf(id)`) to the labels
 * and silent examples. `ruleIds` are the rules kreview has.
 */
export function matchDevset(
  labels: readonly Label[],
  silent: readonly SilentExample[],
  findingsOf: (id: string) => readonly FindingRef[],
  ruleIds: Iterable<string>,
): RecallReport {
  const known = new Set(ruleIds);
  const lo: LabelOutcome[] = labels.map((label) => {
    const hits = findingsOf(label.id).filter((f) => near(f, label));
    return { label, found: hits.length > 0, hits };
  });
  const so: SilentOutcome[] = silent.map((example) => ({ example, noise: findingsOf(example.id).filter((f) => near(f, example)) }));
  const tallies = new Map<string, RuleTally>();
  const tally = (rule: string) => {
    let t = tallies.get(rule);
    if (!t) tallies.set(rule, (t = { rule, known: known.has(rule), labels: 0, found: 0, silent: 0, noisy: 0 }));
    return t;
  };
  for (const o of lo) {
    const t = tally(o.label.rule);
    t.labels++;
    if (o.found) t.found++;
  }
  for (const o of so) {
    const t = tally(o.example.rule);
    t.silent++;
    if (o.noise.length > 0) t.noisy++;
  }
  const rules = [...tallies.values()].sort((a, b) => Number(b.known) - Number(a.known) || a.rule.localeCompare(b.rule));
  return {
    labels: lo,
    silent: so,
    rules,
    found: lo.filter((o) => o.found).length,
    total: lo.length,
    noisy: so.filter((o) => o.noise.length > 0).length,
    silentTotal: so.length,
  };
}

function place(f: FindingRef): string {
  return `${f.rule}:${f.line ?? "?"}`;
}

/**
 * What kreview said, or could not see, in a missed label's file: the other
 * findings there (`rule:line`), "nothing in this file", and when the patch
 * tells: the file is not in the patch, not C, or no hunk holds the line.
 * `shape` is null when the mail could not be read at all.
 */
export function describeMiss(label: { file: string; line: number }, findings: readonly FindingRef[], shape: PatchShape | null): string {
  if (shape === null) return "mail not read";
  const parts: string[] = [];
  if (shape.kind !== "patch") parts.push(`message read as ${shape.kind}${shape.reason ? ` (${shape.reason})` : ""}`);
  const inFile = findings.filter((f) => f.file === label.file).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  parts.push(inFile.length ? `said in this file: ${[...new Set(inFile.map(place))].join(", ")}` : "nothing in this file");
  const fd = shape.files.find((f) => f.path === label.file);
  if (!fd) {
    if (shape.kind === "patch") parts.push("file not in the patch");
  } else if (!fd.isC) parts.push("file not parsed as C");
  else if (!fd.ranges.some(([a, b]) => label.line >= a && label.line <= b)) {
    parts.push(`no hunk at that line (hunks: ${fd.ranges.map(([a, b]) => `${a}-${b}`).join(", ") || "none with line numbers"})`);
  }
  const elsewhere = findings.filter((f) => f.file !== label.file);
  if (inFile.length === 0 && elsewhere.length) parts.push(`elsewhere: ${[...new Set(elsewhere.map((f) => `${f.file || "(message)"}:${place(f)}`))].join(", ")}`);
  return parts.join("; ");
}
