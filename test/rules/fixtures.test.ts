/**
 * Every rule's fixtures, run with that rule alone (as ESLint's RuleTester
 * and ast-grep's `test` do), in ast-grep's words:
 * - a `bad-*` input must be reported ("missing" when it is not) and its
 *   findings must equal the golden `bad-*.expected` beside it ("wrong");
 * - a `good-*` input must stay silent ("noisy" when it is not), and go
 *   through with no internal error and no input problem (a rule that
 *   throws is not silent, it is broken).
 * An input `X.eml` with a folder `X.tree/` beside it is linted with that
 * folder as the kernel tree (`--tree`): a few files of a real tree, copied.
 * Check-level rules are run as `--strict` runs them.
 * A rule without a fixture folder, a folder without a rule, a folder with no
 * bad or no good case, and an `.expected` with no input all fail.
 *
 * `BLESS=1 RULE=<id> npx vitest run test/rules` rewrites that rule's goldens
 * (refused under CI). Read the diff of a blessed golden like code.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtinRules } from "../../rules/index.js";
import { lintFile } from "../helpers/pipeline.js";
import { treeSource } from "../../src/cli/tree.js";
import { goldenLines } from "../helpers/golden.js";

const root = path.resolve(__dirname, "../..");
const fixturesDir = path.join(root, "fixtures");
const INPUT = /\.(patch|eml|mbox|txt|diff)$/;
const bless = process.env.BLESS === "1";
if (bless && process.env.CI) throw new Error("BLESS is refused under CI: goldens are blessed by a person, locally");

const ruleIds = builtinRules.map((r) => r.id);
const folders = existsSync(fixturesDir)
  ? readdirSync(fixturesDir, { withFileTypes: true }).filter((d) => d.isDirectory() && ruleIds.includes(d.name)).map((d) => d.name)
  : [];

describe("rule fixtures", () => {
  it("every rule has a fixture folder with bad and good cases", () => {
    const missing: string[] = [];
    for (const id of ruleIds) {
      const dir = path.join(fixturesDir, id);
      if (!existsSync(dir)) {
        missing.push(`${id}: no fixtures/${id}/`);
        continue;
      }
      const names = readdirSync(dir);
      if (!names.some((n) => n.startsWith("bad-") && INPUT.test(n))) missing.push(`${id}: no bad-* case`);
      if (!names.some((n) => n.startsWith("good-") && INPUT.test(n))) missing.push(`${id}: no good-* case`);
      for (const n of names.filter((n) => n.endsWith(".expected"))) {
        const base = n.replace(/\.expected$/, "");
        if (!names.some((m) => m !== n && m.startsWith(base) && INPUT.test(m))) missing.push(`${id}: ${n} has no input`);
      }
    }
    expect(missing).toEqual([]);
  });

  for (const id of folders) {
    const dir = path.join(fixturesDir, id);
    for (const name of readdirSync(dir).filter((n) => INPUT.test(n)).sort()) {
      const file = path.join(dir, name);
      const treeDir = file.replace(INPUT, ".tree");
      const tree = existsSync(treeDir) ? { tree: treeSource(treeDir) } : {};
      if (name.startsWith("good-")) {
        it(`${id}: ${name} stays silent (else: noisy)`, async () => {
          const results = await lintFile(file, { only: [id], strict: true, ...tree }); // strict: a check-level rule is judged too
          expect(results.length).toBeGreaterThan(0);
          expect(goldenLines(results)).toBe("");
          // Silence must not come from a failure: no internal error, no input problem.
          expect(results.filter((r) => r.internalError).map((r) => r.problems)).toEqual([]);
          expect(results.flatMap((r) => r.problems)).toEqual([]);
        });
      } else if (name.startsWith("bad-")) {
        it(`${id}: ${name} is reported as its golden says (else: missing / wrong)`, async () => {
          const results = await lintFile(file, { only: [id], strict: true, ...tree }); // strict: a check-level rule is judged too
          const got = goldenLines(results);
          const golden = file.replace(INPUT, ".expected");
          if (bless && (!process.env.RULE || process.env.RULE === id)) writeFileSync(golden, got);
          expect(got, "missing: a bad case must be reported").not.toBe("");
          expect(existsSync(golden), `no golden ${path.relative(root, golden)}: bless it and read it`).toBe(true);
          expect(got).toBe(readFileSync(golden, "utf8"));
        });
      }
    }
  }
});
