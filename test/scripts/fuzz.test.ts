/**
 * A small fixed-seed run of the fuzz harness (scripts/fuzz.ts): mutants of
 * the fixture patches through the real bin/kreview must give no crash, no
 * hang and no lost message. `npm run fuzz -- N` runs more.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fuzz, MUTATIONS, mutants } from "../../scripts/fuzz.js";

describe("fuzz (fixed seed)", () => {
  it("makes every kind of mutant, the same ones for the same seed", () => {
    const a = mutants(200, 42);
    expect(a.map((m) => m.name)).toEqual(mutants(200, 42).map((m) => m.name));
    for (const kind of [...Object.keys(MUTATIONS), "gzip"]) expect(a.some((m) => m.name.includes(kind)), kind).toBe(true);
  });

  it("24 mutants: no crash, hang or lost message", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kreview-fuzz-test-"));
    try {
      const r = await fuzz(mutants(24, 20261201), dir);
      expect(r.failures).toEqual([]);
      expect(r.mutants).toBe(24);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
