import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatters } from "../../src/report/index.js";
import { lintFile } from "../helpers/pipeline.js";
import { allResults, meta, patchResult, replyResult, seriesResults } from "./data.js";

const json = formatters.json;

const TOP = ["tool", "version", "messages", "summary"];
const MESSAGE = ["source", "index", "messageId", "subject", "kind", "findings", "problems"];
const FINDING = ["rule", "severity", "message", "file", "line", "column", "function", "patchLine", "confidence", "related"];
const RELATED = ["message", "file", "line", "column", "patchLine"];
const SUGGESTION = ["message", "replacement", "line", "column", "endLine", "endColumn", "applicability"];
const SUMMARY = ["messages", "patches", "errors", "warnings", "checks"];

type Obj = Record<string, unknown>;

const isInt = (v: unknown) => Number.isInteger(v);
const isPosInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const isPosIntOrNull = (v: unknown) => v === null || isPosInt(v);
const isNatural = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** Checks one parsed report against docs/json-output.md, member by member, in order. */
function checkShape(report: Obj) {
  expect(Object.keys(report)).toEqual("notes" in report ? [...TOP, "notes"] : TOP);
  if ("notes" in report) {
    expect(Array.isArray(report.notes)).toBe(true);
    for (const n of report.notes as unknown[]) expect(typeof n).toBe("string");
  }
  expect(report.tool).toBe("kreview");
  expect(typeof report.version).toBe("string");
  expect(Array.isArray(report.messages)).toBe(true);
  for (const m of report.messages as Obj[]) {
    expect(Object.keys(m)).toEqual("commit" in m ? ["source", "index", "commit", ...MESSAGE.slice(2)] : MESSAGE);
    if ("commit" in m) expect(m.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof m.source).toBe("string");
    expect(isNatural(m.index)).toBe(true);
    expect(typeof m.messageId).toBe("string");
    expect(typeof m.subject).toBe("string");
    expect(["patch", "reply", "no-diff", "unreadable"]).toContain(m.kind);
    expect(Array.isArray(m.problems)).toBe(true);
    for (const p of m.problems as unknown[]) expect(typeof p).toBe("string");
    expect(Array.isArray(m.findings)).toBe(true);
    for (const f of m.findings as Obj[]) {
      expect(Object.keys(f)).toEqual("suggestion" in f ? [...FINDING, "suggestion"] : FINDING);
      expect(typeof f.rule).toBe("string");
      expect(["error", "warning", "check"]).toContain(f.severity);
      expect(typeof f.message).toBe("string");
      expect(typeof f.file).toBe("string");
      expect(isPosIntOrNull(f.line)).toBe(true);
      expect(isPosIntOrNull(f.column)).toBe(true);
      expect(isPosIntOrNull(f.patchLine)).toBe(true);
      expect(["high", "medium", "low"]).toContain(f.confidence);
      expect(Array.isArray(f.related)).toBe(true);
      for (const r of f.related as Obj[]) {
        expect(Object.keys(r)).toEqual(RELATED);
        expect(typeof r.message).toBe("string");
        expect(typeof r.file).toBe("string");
        expect(isPosIntOrNull(r.line)).toBe(true);
        expect(isPosIntOrNull(r.column)).toBe(true);
        expect(isPosIntOrNull(r.patchLine)).toBe(true);
      }
      if ("suggestion" in f) {
        const s = f.suggestion as Obj;
        expect(Object.keys(s)).toEqual(SUGGESTION);
        expect(typeof s.message).toBe("string");
        expect(typeof s.replacement).toBe("string");
        for (const k of ["line", "column", "endLine", "endColumn"]) expect(isPosIntOrNull(s[k]), k).toBe(true);
        expect(["machine-applicable", "maybe-incorrect"]).toContain(s.applicability);
      }
    }
  }
  const s = report.summary as Obj;
  expect(Object.keys(s)).toEqual(SUMMARY);
  for (const k of SUMMARY) expect(isInt(s[k]) && (s[k] as number) >= 0, k).toBe(true);
}

describe("json reporter", () => {
  it("parses, ends with a newline and has the documented shape for every kind of message", () => {
    const out = json(allResults(), meta);
    expect(out.endsWith("}\n")).toBe(true);
    checkShape(JSON.parse(out) as Obj);
  });

  it("has the documented shape with the no-tree note, which it gives only when a patch was read", () => {
    const noTree = ["list-mutation-unlocked"];
    const doc = JSON.parse(json(allResults(), { ...meta, noTree })) as Obj;
    checkShape(doc);
    expect(doc.notes).toEqual(["no kernel tree found: list-mutation-unlocked saw the hunks only, not whole files; run inside the tree or give --tree DIR (--no-tree: hunks only, no note)"]);
    expect(JSON.parse(json([seriesResults()[0]!], { ...meta, noTree }))).not.toHaveProperty("notes");
    expect(JSON.parse(json(allResults(), meta))).not.toHaveProperty("notes");
  });

  it("with a baseline and no tree, the summary counts what the baseline took out and the note is still given", () => {
    const results = allResults();
    results[0]!.suppressed = 2;
    results[results.length - 1]!.suppressed = 1;
    const doc = JSON.parse(json(results, { ...meta, baseline: true, noTree: ["list-mutation-unlocked"] })) as { summary: Obj; notes: string[] };
    expect(doc.summary.suppressed).toBe(3);
    expect(doc.notes).toHaveLength(1);
    expect(JSON.parse(json(results, meta)).summary).not.toHaveProperty("suppressed");
  });

  it("names the commit of a --git message after its index", () => {
    const doc = JSON.parse(json(allResults(), meta)) as { messages: Obj[] };
    const commits = doc.messages.filter((m) => "commit" in m);
    expect(commits.map((m) => [m.source, m.index, m.commit])).toEqual([
      ["git:-2", 0, "0123456789abcdef0123456789abcdef01234567"],
      ["git:-2", 1, "fedcba9876543210fedcba9876543210fedcba98"],
    ]);
  });

  it("reports one patch exactly", () => {
    expect(JSON.parse(json([patchResult()], meta))).toEqual({
      tool: "kreview",
      version: "0.1.0",
      messages: [
        {
          source: "0001-net-foo-fix-bar.patch",
          index: 0,
          messageId: "<20261121093000.1234-1-dev@example.org>",
          subject: "[PATCH] net: foo: fix bar",
          kind: "patch",
          findings: [
            {
              rule: "bitwise-or-in-condition",
              severity: "error",
              message: "'|' between two conditions, did you mean '||'",
              file: "drivers/net/foo.c",
              line: 161,
              column: 9,
              function: "foo_check",
              patchLine: 49,
              confidence: "high",
              related: [],
            },
            {
              rule: "lock-held-on-return",
              severity: "warning",
              message: "'priv->lock' is still held at this return",
              file: "drivers/net/foo.c",
              line: 172,
              column: 3,
              function: "foo_probe",
              patchLine: 60,
              confidence: "medium",
              related: [{ message: "'priv->lock' taken here", file: "drivers/net/foo.c", line: 165, column: 2, patchLine: 53 }],
              suggestion: {
                message: "release 'priv->lock' before returning",
                replacement: "spin_unlock(&priv->lock);\n\t\treturn -EINVAL;",
                line: 172,
                column: 3,
                endLine: 172,
                endColumn: 18,
                applicability: "maybe-incorrect",
              },
            },
          ],
          problems: [],
        },
      ],
      summary: { messages: 1, patches: 1, errors: 1, warnings: 1, checks: 0 },
    });
  });

  it("keeps nulls for unknown positions and leaves engine-internal fields out", () => {
    const r = { ...replyResult(), internalError: true };
    const report = JSON.parse(json([r], meta)) as { messages: Obj[] };
    const f = (report.messages[0]!.findings as Obj[])[0]!;
    expect(f.line).toBeNull();
    expect(f.column).toBeNull();
    expect(f.patchLine).toBe(42);
    expect(f).not.toHaveProperty("suggestion");
    expect(f).not.toHaveProperty("sourceLine");
    expect(f).not.toHaveProperty("sourceKind");
    expect(report.messages[0]).not.toHaveProperty("lineCount");
    expect(report.messages[0]).not.toHaveProperty("internalError");
  });

  it("counts messages, patches and levels in the summary, and lists unreadable and no-diff messages", () => {
    const report = JSON.parse(json(seriesResults(), meta)) as { messages: Obj[]; summary: Obj };
    expect(report.messages.map((m) => m.kind)).toEqual(["no-diff", "patch", "unreadable"]);
    expect(report.messages[2]!.problems).toEqual(["base64 body does not decode"]);
    expect(report.summary).toEqual({ messages: 3, patches: 1, errors: 0, warnings: 1, checks: 1 });
  });

  it("is the same whether quiet or not", () => {
    expect(json(allResults(), { ...meta, quiet: true })).toBe(json(allResults(), meta));
  });

  it("matches the example in docs/json-output.md: the real run it says it is, cut as it says", async () => {
    const doc = readFileSync(new URL("../../docs/json-output.md", import.meta.url), "utf8");
    const example = doc.split("```json\n")[1]!.split("```")[0]!;
    const file = fileURLToPath(new URL("../../fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml", import.meta.url));
    const [r] = await lintFile(file, { only: ["list-mutation-unlocked", "bitwise-or-in-condition"] });
    expect(r!.findings.map((f) => f.rule)).toEqual(["list-mutation-unlocked", "list-mutation-unlocked", "bitwise-or-in-condition"]);
    const out = json([{ ...r!, source: "v5-02-patch.eml", findings: [r!.findings[0]!, r!.findings[2]!] }], meta);
    expect(JSON.parse(example)).toEqual(JSON.parse(out));
  });

  it("reports no input as an empty list", () => {
    expect(JSON.parse(json([], meta))).toEqual({
      tool: "kreview",
      version: "0.1.0",
      messages: [],
      summary: { messages: 0, patches: 0, errors: 0, warnings: 0, checks: 0 },
    });
  });
});
