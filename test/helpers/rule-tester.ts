/**
 * A RuleTester in the manner of ESLint's: one rule, inline cases.
 *
 *   ruleTester("list-mutation-unlocked", {
 *     valid: [{ name: "a fresh object's list", code: `...` }],
 *     invalid: [{ name: "...", code: `...`, errors: [{ line: 12, messageId: "unlocked" }] }],
 *   });
 *
 * A case is C source (`code`, one new file `drivers/misc/kreview-test.c`, every
 * line added, so line N of the code is post-image line N), several such files
 * (`files`), or a unified diff (`diff`, for what a patch changes). A valid
 * case must give no finding of the rule and no internal error or input
 * problem; an invalid one exactly the listed findings (line and message id,
 * and file when given), in order.
 */
import { describe, expect, it } from "vitest";
import { createLinter, type MessageResult } from "../../src/engine/index.js";
import { builtinRules } from "../../rules/index.js";
import { newCFile, patchOf } from "./model.js";
import { patchesOf } from "./pipeline.js";

export interface Case {
  name: string;
  code?: string;
  files?: Record<string, string>;
  diff?: string;
}

export interface InvalidCase extends Case {
  errors: { line: number; messageId: string; file?: string; confidence?: string }[];
}

export const TEST_FILE = "drivers/misc/kreview-test.c";

async function lint(rule: string, c: Case): Promise<MessageResult[]> {
  const linter = createLinter({ rules: builtinRules, only: [rule], strict: true });
  if (c.diff !== undefined) {
    const text = c.diff.startsWith("From ") ? c.diff : `From: A U Thor <author@example.org>\nSubject: [PATCH] ${c.name}\n\n---\n${c.diff}`;
    return (await patchesOf(`${c.name}.patch`, Buffer.from(text))).map((p) => linter.lintPatch(p));
  }
  const files = c.files ?? { [TEST_FILE]: c.code ?? "" };
  const patch = patchOf(Object.entries(files).map(([path, src]) => newCFile(path, src)));
  return [linter.lintPatch(patch)];
}

export function ruleTester(rule: string, cases: { valid: Case[]; invalid: InvalidCase[] }) {
  describe(`${rule} (inline cases)`, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        const results = await lint(rule, c);
        expect(results.flatMap((r) => r.problems)).toEqual([]);
        expect(results.flatMap((r) => r.findings.map((f) => `${f.file}:${f.line}: ${f.message}`))).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const results = await lint(rule, c);
        expect(results.flatMap((r) => r.problems)).toEqual([]);
        const got = results.flatMap((r) =>
          r.findings.map((f) => {
            const e = c.errors.find((x) => x.line === f.line);
            return {
              line: f.line,
              messageId: f.messageId,
              ...(e?.file !== undefined ? { file: f.file } : {}),
              ...(e?.confidence !== undefined ? { confidence: f.confidence } : {}),
            };
          }),
        );
        expect(got).toEqual(c.errors);
      });
    }
  });
}

/** The 1-based line of the first line of `code` that contains `text` (for writing expected errors). */
export function lineOf(code: string, text: string, nth = 1): number {
  const lines = code.split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i].includes(text) && ++seen === nth) return i + 1;
  throw new Error(`no line with ${JSON.stringify(text)}`);
}
