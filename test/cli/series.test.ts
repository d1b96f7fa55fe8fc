/**
 * Series in a run, in process: the patches of an mbox, of a directory of
 * format-patch files, or of a worker pool are grouped into one series, the
 * series-wide rule sees every patch of it, and results still come out in
 * input order, one per message.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { lintInputs, resolveInputs } from "../../src/cli/lint-inputs.js";
import { createLinter, SeriesHold, type MessageResult } from "../../src/engine/index.js";
import { patchesOf } from "../helpers/pipeline.js";
import { builtinRules } from "../../rules/index.js";

const root = path.resolve(__dirname, "../..");
const SEED = path.join(root, "fixtures/export-without-user/bad-seed-mmu-interval-notifier-v5.mbox");
const DAX_V7 = path.join(root, "fixtures/seeds/threads/dax-holder/series-v7.mbox");
const tmp = mkdtempSync(path.join(os.tmpdir(), "kreview-series-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rule = ["export-without-user"];
const found = (results: MessageResult[]) => results.flatMap((r) => r.findings.map((f) => `${r.subject.slice(0, 16)} ${f.severity} ${f.file}:${f.line} ${f.message.slice(0, 60)}`));

async function run(args: string[], options: { strict?: boolean; jobs?: number } = {}) {
  const { inputs, failures } = await resolveInputs(args, tmp, new PassThrough());
  expect(failures).toEqual([]);
  const linter = createLinter({ rules: builtinRules, only: rule, strict: options.strict });
  const jobs = options.jobs ?? 1;
  const out = await lintInputs(inputs, linter, jobs > 1 ? { jobs, workerLinter: { only: rule, strict: options.strict }, poolAfterMs: 0 } : {});
  return out.results;
}

/** The messages of an mbox, each written to a file of its own as `git format-patch -o` would. */
function splitToFiles(mbox: string, dir: string): string[] {
  const text = readFileSync(mbox, "utf8");
  const parts = text.split(/^(?=From mboxrd@z )/m).filter((p) => p.trim());
  return parts.map((p, i) => {
    const f = path.join(dir, `${String(i).padStart(4, "0")}-part.patch`);
    writeFileSync(f, p);
    return f;
  });
}

describe("series in a run", () => {
  it("a patch no series finding can stand on is handed on at once, though its series is still open", async () => {
    const linter = createLinter({ rules: builtinRules, only: rule });
    const emitted: string[] = [];
    const hold = new SeriesHold(linter, (r) => {
      emitted.push(r.subject.slice(0, 14));
    });
    const [cover, first, second] = await patchesOf(SEED);
    await hold.add(linter.lintPatch(cover));
    await hold.add(linter.lintPatch(second)); // 2/2 exports nothing: it goes on, the series waits for 1/2
    expect(emitted).toEqual(["[PATCH v5 0/2]", "[PATCH v5 2/2]"]);
    const exporting = linter.lintPatch(first);
    await hold.add(exporting);
    // 1/2 completes the series: the rule has seen 2/2's test user, and 1/2's findings come with it
    expect(emitted).toEqual(["[PATCH v5 0/2]", "[PATCH v5 2/2]", "[PATCH v5 1/2]"]);
    expect(exporting.findings.map((f) => f.messageId)).toEqual(["test", "test"]);
  });

  it("an mbox's patches are one series: the export used only by the next patch's test is reported on the patch that exports it", async () => {
    const results = await run([SEED]);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(found(results)).toEqual([
      "[PATCH v5 1/2] m warning mm/mmu_notifier.c:1035 'mmu_interval_notifier_insert_safe' is exported, but only te",
      "[PATCH v5 1/2] m warning mm/mmu_notifier.c:1168 'mmu_interval_notifier_update' is exported, but only test co",
    ]);
    expect(results.every((r) => r.series === undefined)).toBe(true);
  });

  it("a directory of format-patch files is one series too, and each file keeps its own results", async () => {
    const dir = path.join(tmp, "outgoing");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    splitToFiles(SEED, dir);
    const results = await run(["outgoing"]);
    expect(results.map((r) => r.source)).toEqual(["outgoing/0000-part.patch", "outgoing/0001-part.patch", "outgoing/0002-part.patch"]);
    expect(found(results)).toEqual(found(await run([SEED])));
  });

  it("the exporting patch alone is a series with its user missing: a check, shown only with --strict, that says so", async () => {
    const dir = path.join(tmp, "alone");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const [, first] = splitToFiles(SEED, dir);
    expect(found(await run([first]))).toEqual([]);
    const strict = await run([first], { strict: true });
    expect(strict.flatMap((r) => r.findings.map((f) => [f.severity, f.confidence]))).toEqual([
      ["check", "low"],
      ["check", "low"],
    ]);
    expect(strict[0].findings[0].message).toContain("nothing in the series uses it");
    expect(strict[0].findings[0].message).toContain("(patch 2 of 2 is not here: it may add a user)");
  });

  it("on a worker pool, the series data crosses threads and the findings are those of one thread, in input order", async () => {
    const one = await run([DAX_V7], { strict: true });
    const pooled = await run([DAX_V7], { strict: true, jobs: 2 });
    expect(one.length).toBeGreaterThan(8); // enough messages for the pool to start
    expect(pooled.map((r) => r.index)).toEqual(one.map((r) => r.index));
    expect(found(pooled)).toEqual(found(one));
    expect(found(one).length).toBeGreaterThan(0);
  });
});
