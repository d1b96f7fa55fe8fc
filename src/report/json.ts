/**
 * `json`: the stable machine-readable report, documented field by field in
 * docs/json-output.md. Objects are built member by member so that the key
 * order is the documented one and no engine-internal field (sourceLine,
 * lineCount, internalError, ...) leaks out.
 */
import type { Finding, MessageResult, RelatedLocation, Suggestion } from "../engine/types.js";
import { addToSummary, emptySummary } from "../engine/types.js";
import { collected, type StreamFactory } from "./types.js";
import { noTreeNote } from "./util.js";

/**
 * Streamed: the head, each message as it comes, the summary at the end. The
 * text is exactly `JSON.stringify(report, null, 2)` of the whole report
 * (docs/json-output.md is a contract down to the bytes people diff): each
 * message is stringified alone and indented to where it stands.
 */
export const jsonStream: StreamFactory = (meta) => {
  const head = `{\n  "tool": "kreview",\n  "version": ${JSON.stringify(meta.version)},\n  "messages": [`;
  const s = emptySummary();
  const notes = meta.noTree && meta.noTree.length > 0 ? [noTreeNote(meta.noTree)] : [];
  let suppressed = 0;
  return {
    message(r) {
      const out = (s.messages === 0 ? `${head}\n` : ",\n") + indent(JSON.stringify(message(r), null, 2), "    ");
      addToSummary(s, r);
      suppressed += r.suppressed ?? 0;
      return out;
    },
    end() {
      const close = s.messages === 0 ? `${head}]` : "\n  ]";
      // With a baseline, the summary also says how many findings it took out (they are in no message).
      const summary = meta.baseline ? { ...s, suppressed } : s;
      // The notes only when there is one, and only about patches (a run of cover letters misses nothing).
      const tail = notes.length > 0 && s.patches > 0 ? `,\n  "notes": ${JSON.stringify(notes, null, 2).replace(/\n/g, "\n  ")}` : "";
      return `${close},\n  "summary": ${JSON.stringify(summary, null, 2).replace(/\n/g, "\n  ")}${tail}\n}\n`;
    },
  };
};

export const json = collected(jsonStream);

/** Each line of a JSON text, its first too, pushed right (JSON strings hold no raw newline). */
function indent(text: string, by: string): string {
  return by + text.replace(/\n/g, `\n${by}`);
}

function message(r: MessageResult) {
  return {
    source: r.source,
    index: r.index,
    ...(r.commit ? { commit: r.commit } : {}),
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
    function: f.function ?? null,
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
