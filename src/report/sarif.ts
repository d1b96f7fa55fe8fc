/**
 * `sarif`: SARIF 2.1.0, one run, for code-scanning uploads and SARIF viewers.
 *
 * - tool.driver: name kreview, version, informationUri when given, and the
 *   rules that ran (id, shortDescription, defaultConfiguration.level), plus a
 *   bare `{ id }` for any rule a finding names that the meta does not list.
 * - One result per finding: ruleId (+ ruleIndex), level (error → error,
 *   warning → warning, check → note), message.text, properties.confidence
 *   and where the finding came from (source, messageIndex, messageId,
 *   patchLine).
 * - Location: the post-image file with a region { startLine, startColumn }
 *   when the line is known. When it is not (a quoted fragment), the file with
 *   no region (the whole file), and a related location pointing at the
 *   finding's line of the input (the mail or patch file). Findings about the
 *   whole message (file "") point at the input, at patchLine when known.
 *   The function the finding stands in, when known, is a logical location
 *   (kind "function").
 * - relatedLocations for related locations; fixes for suggestions whose whole
 *   range is known (else properties.suggestion); input problems and
 *   unreadable messages as toolExecutionNotifications of the one invocation.
 */
import type { Finding, MessageResult, RelatedLocation, Severity, Suggestion } from "../engine/types.js";
import { collected, type ReportRule, type StreamFactory } from "./types.js";
import { messageNumber, noTreeNote } from "./util.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

type Level = "error" | "warning" | "note";
type Json = Record<string, unknown>;

export function sarifLevel(severity: Severity): Level {
  return severity === "error" ? "error" : severity === "warning" ? "warning" : "note";
}

/**
 * Streamed: results as their messages come, then the tool (with any rule a
 * finding named that the meta did not list) and the invocation (its
 * notifications kept on the way: one per input problem, few). So `results`
 * comes first in the run object; SARIF gives key order no meaning.
 */
export const sarifStream: StreamFactory = (meta) => {
  const rules: Json[] = meta.rules.map(descriptor);
  const ruleIndex = new Map<string, number>();
  meta.rules.forEach((r, i) => {
    if (!ruleIndex.has(r.id)) ruleIndex.set(r.id, i);
  });
  const notifications: Json[] = [];
  let internalError = false;
  let patches = 0;
  let written = 0;
  const head = `{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA_URI)},\n  "version": "2.1.0",\n  "runs": [\n    {\n      "results": [`;
  const pad = (json: unknown, by: string) => JSON.stringify(json, null, 2).replace(/\n/g, `\n${by}`);
  return {
    message(r) {
      let out = "";
      for (const f of r.findings) {
        if (!ruleIndex.has(f.rule)) {
          ruleIndex.set(f.rule, rules.length);
          rules.push({ id: f.rule });
        }
        out += (written++ === 0 ? `${head}\n` : ",\n") + "        " + pad(result(f, r, ruleIndex.get(f.rule)!), "        ");
      }
      if (r.internalError === true) internalError = true;
      if (r.kind === "patch") patches++;
      const unreadable = r.kind === "unreadable";
      const label = `${r.source}, message ${messageNumber(r.index)}${unreadable ? " could not be read" : ""}`;
      const problems = r.problems.length > 0 || !unreadable ? r.problems : [null];
      for (const p of problems) {
        notifications.push({
          level: unreadable ? "error" : "warning",
          message: { text: p === null ? label : `${label}: ${p}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: toUri(r.source) } } }],
        });
      }
      return out;
    },
    end() {
      const driver: Json = { name: "kreview", version: meta.version };
      if (meta.informationUri) driver.informationUri = meta.informationUri;
      driver.rules = rules;
      if (meta.noTree && meta.noTree.length > 0 && patches > 0) notifications.push({ level: "note", message: { text: noTreeNote(meta.noTree) } });
      const invocation: Json = { executionSuccessful: !internalError };
      if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;
      const close = written === 0 ? `${head}]` : "\n      ]";
      return `${close},\n      "tool": ${pad({ driver }, "      ")},\n      "invocations": ${pad([invocation], "      ")}\n    }\n  ]\n}\n`;
    },
  };
};

export const sarif = collected(sarifStream);

function descriptor(r: ReportRule): Json {
  const d: Json = {
    id: r.id,
    shortDescription: { text: r.summary },
    defaultConfiguration: { level: sarifLevel(r.severity) },
  };
  if (r.helpUri) d.helpUri = r.helpUri;
  return d;
}

function result(f: Finding, r: MessageResult, ruleIndex: number): Json {
  const out: Json = {
    ruleId: f.rule,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [location(f, r.source)],
  };

  const related: Json[] = f.related.map((rel, i) => {
    const loc: Json = { id: i + 1, physicalLocation: physical(rel, r.source), message: { text: rel.message } };
    if (positive(rel.patchLine)) loc.properties = { patchLine: rel.patchLine };
    return loc;
  });
  if (f.file !== "" && !positive(f.line) && positive(f.patchLine)) {
    related.push({
      id: related.length + 1,
      physicalLocation: { artifactLocation: { uri: toUri(r.source) }, region: { startLine: f.patchLine } },
      message: { text: `the finding's line in the input; its line in ${f.file} is unknown` },
    });
  }
  if (related.length > 0) out.relatedLocations = related;

  const properties: Json = { confidence: f.confidence, source: r.source, messageIndex: r.index };
  if (r.commit) properties.commit = r.commit;
  if (r.messageId) properties.messageId = r.messageId;
  if (positive(f.patchLine)) properties.patchLine = f.patchLine;

  if (f.suggestion) {
    const fix = f.file !== "" ? sarifFix(f.suggestion, f.file) : null;
    if (fix) out.fixes = [fix];
    else {
      properties.suggestion = {
        message: f.suggestion.message,
        replacement: f.suggestion.replacement,
        applicability: f.suggestion.applicability,
      };
    }
  }
  out.properties = properties;
  return out;
}

/** The finding's place: its physical location, and the function it stands in as a logical one. */
function location(f: Finding, source: string): Json {
  const loc: Json = { physicalLocation: physical(f, source) };
  if (f.function) loc.logicalLocations = [{ name: f.function, kind: "function" }];
  return loc;
}

/** See the module comment: the file and line when known, else the whole file, else the input. */
function physical(loc: Pick<RelatedLocation, "file" | "line" | "column" | "patchLine">, source: string): Json {
  if (loc.file === "") {
    const p: Json = { artifactLocation: { uri: toUri(source) } };
    if (positive(loc.patchLine)) p.region = { startLine: loc.patchLine };
    return p;
  }
  const p: Json = { artifactLocation: { uri: toUri(loc.file) } };
  if (positive(loc.line)) {
    const region: Json = { startLine: loc.line };
    if (positive(loc.column)) region.startColumn = loc.column;
    p.region = region;
  }
  return p;
}

/** A SARIF fix, when the replaced range is fully known (SARIF's endColumn is exclusive, as ours is). */
function sarifFix(s: Suggestion, file: string): Json | null {
  if (!positive(s.line) || !positive(s.column) || !positive(s.endLine) || !positive(s.endColumn)) return null;
  return {
    description: { text: s.message },
    artifactChanges: [
      {
        artifactLocation: { uri: toUri(file) },
        replacements: [
          {
            deletedRegion: { startLine: s.line, startColumn: s.column, endLine: s.endLine, endColumn: s.endColumn },
            insertedContent: { text: s.replacement },
          },
        ],
      },
    ],
    properties: { applicability: s.applicability },
  };
}

function positive(n: number | null | undefined): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 1;
}

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
export function toUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
