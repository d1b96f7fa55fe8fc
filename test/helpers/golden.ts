/**
 * The golden form of findings: one line per finding, plus indented notes;
 * what a person reads in review. Shared by the fixture and seed tests.
 */
import type { Finding, MessageResult } from "../../src/engine/index.js";

/** The golden form: one line per finding, plus indented notes; what a person reads in review. */
export function goldenLines(results: MessageResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    for (const f of r.findings) lines.push(...goldenFinding(r, f));
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

function goldenFinding(r: MessageResult, f: Finding): string[] {
  const where = f.line !== null ? `${f.file || r.source}:${f.line}:${f.column ?? 0}` : `${f.file || "(quoted)"}:?`;
  const out = [`${where}: ${f.severity}: [${f.rule}] ${f.message} (message ${r.index}, mail line ${f.patchLine ?? "?"}, confidence ${f.confidence})`];
  if (f.sourceLine !== undefined) out.push(`  | ${f.sourceKind ?? ""}${f.sourceLine}`);
  for (const rel of f.related) out.push(`  note: ${rel.file || "(quoted)"}:${rel.line ?? "?"}: ${rel.message} (mail line ${rel.patchLine ?? "?"})`);
  if (f.suggestion) out.push(`  fix: ${f.suggestion.message}: ${JSON.stringify(f.suggestion.replacement)}`);
  return out;
}

