/**
 * The five review points on the threads kreview was started from: every
 * email under fixtures/seeds/threads/ and the five seed texts, run with the
 * five rules, must give exactly the findings in fixtures/seeds/expected.txt
 * (a golden a person reads: which point, which line, which mail). Series
 * mboxes hold earlier and later versions of the same patches: a bug fires
 * in each version that still has it and goes silent in the one that fixed it.
 *
 * `BLESS=1 RULE=seeds npx vitest run test/rules/seeds.test.ts` rewrites it (refused under CI).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintFile } from "../helpers/pipeline.js";
import { goldenLines } from "../helpers/golden.js";

const root = path.resolve(__dirname, "../..");
const seeds = path.join(root, "fixtures/seeds");
const RULES = ["bitwise-or-in-condition", "unregister-without-init", "ops-null-deref", "nonblocking-remove-name", "list-mutation-unlocked"];
const golden = path.join(seeds, "expected.txt");

function inputs(): string[] {
  const top = readdirSync(seeds).filter((n) => /^\d{3}_.*\.txt$/.test(n));
  const threads = readdirSync(path.join(seeds, "threads")).flatMap((t) =>
    readdirSync(path.join(seeds, "threads", t)).map((n) => path.join("threads", t, n)),
  );
  return [...top, ...threads].sort();
}

describe("the seed threads", () => {
  it("give exactly the review points of the issue, and nothing else from the five rules", async () => {
    const out: string[] = [];
    for (const rel of inputs()) {
      const results = await lintFile(path.join(seeds, rel), { only: RULES });
      const lines = goldenLines(results);
      out.push(`== ${rel} (${results.length} message${results.length === 1 ? "" : "s"})`, ...(lines ? [lines.trimEnd()] : []));
    }
    const got = out.join("\n") + "\n";
    if (process.env.BLESS === "1" && !process.env.CI && (!process.env.RULE || process.env.RULE === "seeds")) writeFileSync(golden, got);
    expect(existsSync(golden)).toBe(true);
    expect(got).toBe(readFileSync(golden, "utf8"));
  });
});
