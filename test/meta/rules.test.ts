/**
 * The rule contract, checked for every built-in rule: a kebab-case id that
 * matches its module's file name, docs with the fixed headings in order and
 * the reviewer's words, and messages in checkpatch/Clippy style (one line,
 * lower case, no trailing period).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtinRules } from "../../rules/index.js";
import { DOC_HEADINGS } from "../../src/engine/index.js";

const root = path.resolve(__dirname, "../..");

describe("rule modules", () => {
  it("each module in rules/ is registered, under its file name", () => {
    const modules = readdirSync(path.join(root, "rules"))
      .filter((n) => n.endsWith(".ts") && n !== "index.ts")
      .map((n) => n.replace(/\.ts$/, ""))
      .sort();
    expect(builtinRules.map((r) => r.id).sort()).toEqual(modules);
  });

  for (const rule of builtinRules) {
    describe(rule.id, () => {
      it("has a kebab-case id and a one-line summary", () => {
        expect(rule.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        expect(rule.summary).not.toMatch(/\n/);
        expect(rule.summary.length).toBeGreaterThan(10);
      });

      it("has docs with the fixed headings, in order", () => {
        const positions = DOC_HEADINGS.map((h) => rule.docs.indexOf(`${h}\n`));
        expect(positions.every((p) => p >= 0), `headings: ${DOC_HEADINGS.join(", ")}`).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(rule.docs).toMatch(/Use instead/);
        const said = rule.docs.slice(rule.docs.indexOf("### Reviewer said"));
        expect(said, "the reviewer's words, quoted").toMatch(/^> /m);
      });

      it("writes messages as checkpatch does: one line, lower case, no trailing period", () => {
        for (const [id, m] of Object.entries(rule.messages as Record<string, string>)) {
          expect(m, id).not.toMatch(/\n/);
          expect(m, id).not.toMatch(/^[A-Z]/);
          expect(m, id).not.toMatch(/[.!]$/);
        }
      });
    });
  }
});
