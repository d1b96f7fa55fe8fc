/**
 * `json`: the stable machine-readable report, documented field by field in
 * docs/json-output.md. Objects are built member by member so that the key
 * order is the documented one and no engine-internal field (sourceLine,
 * lineCount, internalError, ...) leaks out.
 */
import { summarize, type Finding, type MessageResult, type RelatedLocation, type Suggestion } from "../engine/types.js";
import type { Formatter } from "./types.js";

export const json: Formatter = (results, meta) => {
  const s = summarize(results);
  const report = {
    tool: "kreview",
    version: meta.version,
    messages: results.map(message),
    summary: { messages: s.messages, patches: s.patches, errors: s.errors, warnings: s.warnings, checks: s.checks },
  };
  return JSON.stringify(report, null, 2) + "\n";
};

function message(r: MessageResult) {
  return {
    source: r.source,
    index: r.index,
    messageId: r.messageId,
    subject: r.subject,
    kind: r.kind,
    findings: r.findings.map(finding),
    problems: [...r.problems],
  };
}

function finding(f: Finding) {
  const out: Record<string, unknown> = {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    patchLine: f.patchLine,
    confidence: f.confidence,
    related: f.related.map(related),
  };
  if (f.suggestion) out.suggestion = suggestion(f.suggestion);
  return out;
}

function related(r: RelatedLocation) {
  return { message: r.message, file: r.file, line: r.line, column: r.column, patchLine: r.patchLine };
}

function suggestion(s: Suggestion) {
  return {
    message: s.message,
    replacement: s.replacement,
    line: s.line,
    column: s.column,
    endLine: s.endLine,
    endColumn: s.endColumn,
    applicability: s.applicability,
  };
}
