/**
 * The dev set's matching (scripts/recall-match.ts): a label is found by a
 * finding of its rule in its file within ±3 lines; a silent example is noise
 * when such a finding stands at it.
 */
import { describe, expect, it } from "vitest";
import { describeMiss, matchDevset, parseLabels, parseSilent, type FindingRef } from "../../scripts/recall-match.js";

const LABELS = [
  "id\tlist\tpatch_message_id\tsubject\tfile\tline\trule\tconfidence\treply_message_id\tparaphrase\tnote",
  "D1\tlinux-pci\tp1@x\t[PATCH] a\tdrivers/a.c\t100\tops-null-deref\tstrong\tr1@x\tops called unchecked\t",
  "D2\tlinux-usb\tp2@x\t[PATCH] b\tdrivers/b.c\t50\tbug-on\tmedium\tr2@x\tBUG_ON on a handled error\tlastq=52",
  "D3\tlinux-xfs\tp3@x\t[PATCH] c\tfs/c.c\t10\tops-null-deref\tstrong\tr3@x\twrong file\t",
  "D4\tlinux-xfs\tp4@x\t[PATCH] d\tfs/d.c\t20\tops-null-deref\tstrong\tr4@x\twrong rule\t",
  "D5\tlinux-xfs\tp5@x\t[PATCH] e\tfs/e.c\t30\tops-null-deref\tstrong\tr5@x\toff by four",
].join("\n");

const SILENT = [
  "id\tlist\tpatch_message_id\tsubject\tfile\tline\trule\tfixes\tnote",
  "S1\tlinux-pci\tq1@x\t[PATCH v2] a\tdrivers/a.c\t104\tops-null-deref\tD1\tnow checked\r",
  "S2\tlinux-pci\tq2@x\t[PATCH v2] e\tfs/e.c\t30\tops-null-deref\tD5\tnow checked\r",
  "",
].join("\n");

const f = (rule: string, file: string, line: number | null): FindingRef => ({ rule, file, line, message: "m" });

const FINDINGS: Record<string, FindingRef[]> = {
  D1: [f("ops-null-deref", "drivers/a.c", 103)], // 3 below: found
  D2: [f("bug-on", "drivers/b.c", 47)], // 3 above: found (kreview has no such rule, but the match is by id)
  D3: [f("ops-null-deref", "fs/other.c", 10)], // same line, other file
  D4: [f("list-mutation-unlocked", "fs/d.c", 20)], // same place, other rule
  D5: [f("ops-null-deref", "fs/e.c", 34), f("ops-null-deref", "fs/e.c", 26), f("ops-null-deref", "fs/e.c", null)], // 4 off either way
  S1: [f("ops-null-deref", "drivers/a.c", 101)], // within 3: noise
  S2: [f("ops-null-deref", "fs/e.c", 25), f("bug-on", "fs/e.c", 30)], // 5 off, and another rule: silent
};

describe("recall matching", () => {
  const labels = parseLabels(LABELS);
  const silent = parseSilent(SILENT);
  const report = matchDevset(labels, silent, (id) => FINDINGS[id] ?? [], ["ops-null-deref", "list-mutation-unlocked"]);
  const outcome = (id: string) => report.labels.find((o) => o.label.id === id)!;

  it("parses the TSV columns, numbers and the last empty column", () => {
    expect(labels.map((l) => [l.id, l.file, l.line, l.rule])).toEqual([
      ["D1", "drivers/a.c", 100, "ops-null-deref"],
      ["D2", "drivers/b.c", 50, "bug-on"],
      ["D3", "fs/c.c", 10, "ops-null-deref"],
      ["D4", "fs/d.c", 20, "ops-null-deref"],
      ["D5", "fs/e.c", 30, "ops-null-deref"],
    ]);
    expect(labels[1].note).toBe("lastq=52");
    expect(labels[4].note).toBe("");
    expect(silent.map((s) => [s.id, s.line, s.fixes, s.note])).toEqual([
      ["S1", 104, "D1", "now checked"],
      ["S2", 30, "D5", "now checked"],
    ]);
  });

  it("refuses a line that is not a number", () => {
    expect(() => parseLabels(LABELS.replace("\t100\t", "\tabc\t"))).toThrow(/D1: line 'abc'/);
  });

  it("finds a label within ±3 lines, in its file, by its rule", () => {
    expect(outcome("D1").found).toBe(true);
    expect(outcome("D1").hits.map((h) => h.line)).toEqual([103]);
    expect(outcome("D2").found).toBe(true);
  });

  it("does not find it in another file, by another rule, or 4 lines off", () => {
    expect(outcome("D3").found).toBe(false);
    expect(outcome("D4").found).toBe(false);
    expect(outcome("D5").found).toBe(false);
  });

  it("counts a silent example with a finding of its rule near its line as noise, and only that", () => {
    expect(report.silent.map((o) => [o.example.id, o.noise.map((n) => n.line)])).toEqual([
      ["S1", [101]],
      ["S2", []],
    ]);
  });

  it("tallies per rule, kreview's rules first, and in total", () => {
    expect(report.rules).toEqual([
      { rule: "ops-null-deref", known: true, labels: 4, found: 1, silent: 2, noisy: 1 },
      { rule: "bug-on", known: false, labels: 1, found: 1, silent: 0, noisy: 0 },
    ]);
    expect([report.found, report.total, report.noisy, report.silentTotal]).toEqual([2, 5, 1, 2]);
  });

  it("says what kreview saw in a missed label's file", () => {
    const shape = {
      kind: "patch",
      files: [
        { path: "fs/e.c", isC: true, ranges: [[1, 12] as [number, number]] },
        { path: "fs/Kconfig", isC: false, ranges: [[1, 5] as [number, number]] },
      ],
    };
    expect(describeMiss({ file: "fs/e.c", line: 30 }, FINDINGS.D5, shape)).toBe(
      "said in this file: ops-null-deref:?, ops-null-deref:26, ops-null-deref:34; no hunk at that line (hunks: 1-12)",
    );
    expect(describeMiss({ file: "fs/Kconfig", line: 3 }, [], shape)).toBe("nothing in this file; file not parsed as C");
    expect(describeMiss({ file: "fs/c.c", line: 10 }, FINDINGS.D3, shape)).toBe(
      "nothing in this file; file not in the patch; elsewhere: fs/other.c:ops-null-deref:10",
    );
    expect(describeMiss({ file: "fs/c.c", line: 10 }, [], null)).toBe("mail not read");
  });
});
