/**
 * Baselines as a maintainer meets them (docs/baselines-and-fixes.md): write
 * one from a run, then see only what it does not list, in the next version
 * of the series too, whose findings stand at other lines. The real binary,
 * in a temporary directory.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readable, Writable } from "node:stream";
import { Baseline, parseBaseline, squeeze, type BaselineEntry } from "../../src/cli/baseline.js";
import { main } from "../../src/cli/main.js";
import type { Finding, MessageResult } from "../../src/engine/index.js";
import { makeTmp, removeTmp, REPO, run, runJson } from "./run.js";

const DAX = path.join(REPO, "fixtures/seeds/threads/dax-holder");

/** Messages `indices` (from 0) of a real mbox, as an mbox of their own. */
function messagesOf(mbox: string, indices: number[]): string {
  const messages = readFileSync(mbox, "utf8").split(/^(?=From )/m).filter((m) => m.startsWith("From "));
  return indices.map((i) => messages[i]!).join("");
}

let tmp: string;
/**
 * Patches 2/9 and 8/9 of v5 of the dax holder series (3 findings), and the
 * same patches of v6, rebased and reworked: the same 3 findings, at other
 * lines (dm.c:788 became dm.c:665).
 */
let V5: string;
let V6: string;
beforeAll(() => {
  tmp = makeTmp();
  V5 = path.join(tmp, "v5.mbox");
  V6 = path.join(tmp, "v6.mbox");
  writeFileSync(V5, messagesOf(path.join(DAX, "series-v5.mbox"), [2, 8]));
  writeFileSync(V6, messagesOf(path.join(DAX, "series-v6.mbox"), [2, 8]));
});
afterAll(() => removeTmp(tmp));

const file = (name: string) => path.join(tmp, name);
const entries = (name: string): BaselineEntry[] => JSON.parse(readFileSync(file(name), "utf8")).findings;

describe("--write-baseline, then --baseline", () => {
  it("writes every finding of the run, keyed by rule, file, function and text, and reports as usual", async () => {
    const plain = await run(["--no-config", V5], { cwd: tmp });
    const r = await run(["--no-config", "--write-baseline", "kb.json", V5], { cwd: tmp });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(plain.stdout);
    const doc = JSON.parse(readFileSync(file("kb.json"), "utf8"));
    expect(doc["kreview-baseline"]).toBe(1);
    expect(doc.findings).toHaveLength(3);
    expect(doc.findings).toContainEqual({
      rule: "ops-null-deref",
      file: "drivers/md/dm.c",
      function: "open_table_device",
      text: "holders = kmalloc(sizeof(*holders), GFP_KERNEL);",
      message: "'holders' is used with no NULL check, and kmalloc() returns NULL when the allocation fails",
    });
    expect(doc.findings.every((e: object) => !("line" in e))).toBe(true);
  });

  it("the next version of the series, its findings at other lines: all suppressed, said in the total, exit 0", async () => {
    const before = await run(["--no-config", V6], { cwd: tmp });
    expect(before.stdout).toMatch(/^#\d+: FILE: drivers\/md\/dm\.c:665:$/m); // line 788 in v5
    const r = await run(["--no-config", "--baseline", "kb.json", V6], { cwd: tmp });
    expect(r.stderr).toBe("");
    const lines = /^total: 3 errors, 0 warnings, (\d+) lines checked$/m.exec(before.stdout)![1];
    // run outside a kernel tree: the report ends with the note naming the rules that saw the hunks only, as before
    const note = /\nNOTE: no kernel tree found: [^\n]*\n$/.exec(before.stdout)![0];
    expect(r.stdout).toBe(`total: 0 errors, 0 warnings, ${lines} lines checked, 3 suppressed by the baseline\n\n${V6} has no obvious review points and is ready for submission.\n${note}`);
    expect(r.status).toBe(0);
  });

  it("a baseline edited down to the one false positive silences it alone", async () => {
    const kept = entries("kb.json").filter((e) => e.text.startsWith("holders = "));
    expect(kept).toHaveLength(1);
    writeFileSync(file("one.json"), JSON.stringify({ "kreview-baseline": 1, findings: kept }, null, 2));
    const r = await runJson(["--no-config", "--baseline", "one.json", V6], { cwd: tmp });
    expect(r.stderr).toBe("");
    const texts = r.report.messages.flatMap((m) => m.findings.map((f) => `${f.file}:${f.line}`));
    expect(texts).toEqual(["drivers/dax/super.c:393", "drivers/md/dm.c:669"]);
    expect(r.report.summary).toMatchObject({ errors: 2, suppressed: 1 });
    expect(r.status).toBe(1);
  });

  it("--baseline B --write-baseline B makes B on the first run and refreshes it after: what no longer appears goes, notes stay", async () => {
    const first = await run(["--no-config", "--baseline", "fresh.json", "--write-baseline", "fresh.json", V5], { cwd: tmp });
    expect(first.stderr).toBe("");
    expect(first.stdout).toMatch(/, 0 suppressed by the baseline$/m);
    expect(entries("fresh.json")).toHaveLength(3);
    const noted = entries("fresh.json").map((e, i) => (i === 0 ? { ...e, why: "judged on the list" } : e));
    writeFileSync(file("fresh.json"), JSON.stringify({ "kreview-baseline": 1, findings: [...noted, { rule: "bug-on", file: "gone.c", function: null, text: "BUG_ON(1);" }] }));
    const again = await run(["--no-config", "--baseline", "fresh.json", "--write-baseline", "fresh.json", V6], { cwd: tmp });
    expect(again.stdout).toMatch(/^total: 0 errors, 0 warnings, \d+ lines checked, 3 suppressed by the baseline$/m);
    expect(again.status).toBe(0);
    expect(entries("fresh.json")).toHaveLength(3);
    expect(entries("fresh.json").filter((e) => e.why === "judged on the list")).toHaveLength(1);
  });
});

describe("what is refused: exit 2, one line, no file changed", () => {
  class Sink extends Writable {
    text = "";
    override _write(chunk: Buffer, _enc: string, cb: () => void): void {
      this.text += chunk.toString();
      cb();
    }
  }
  /** kreview in this process (nothing is linted when the baseline is refused: no process per case). */
  async function kreview(args: string[]) {
    const stdout = new Sink();
    const stderr = new Sink();
    const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
    const status = await main(["--no-config", "--no-tree", ...args], { stdin, stdout, stderr, cwd: tmp });
    return { status, stdout: stdout.text, stderr: stderr.text };
  }

  it("--write-baseline over an input, over a file that is not a baseline, or over the report; a --baseline that is not one", async () => {
    const patch = readFileSync(V5);
    writeFileSync(file("a.mbox"), patch);
    writeFileSync(file("notes.txt"), "my notes\n");
    const baseline = readFileSync(file("kb.json"));
    for (const [args, message] of [
      [["--write-baseline", "a.mbox", "a.mbox"], "kreview: --write-baseline a.mbox: that is the input a.mbox: refusing to write the baseline over it\n"],
      [["--write-baseline", "notes.txt", "a.mbox"], "kreview: --write-baseline notes.txt: the file is there and is not a kreview baseline: refusing to overwrite it\n"],
      [["--write-baseline", "kb.json", "-o", "kb.json", "a.mbox"], "kreview: --write-baseline kb.json: that is the report's file (-o): refusing to write both to it\n"],
      [["--baseline", "none.json", "a.mbox"], "kreview: --baseline none.json: cannot read: no such file or directory\n"],
      [["--baseline", "notes.txt", "a.mbox"], /^kreview: --baseline notes\.txt: not a kreview baseline \(not JSON: .*\)\n$/],
    ] as const) {
      const r = await kreview([...args]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      if (typeof message === "string") expect(r.stderr).toBe(message);
      else expect(r.stderr).toMatch(message);
    }
    expect(readFileSync(file("a.mbox"))).toEqual(patch);
    expect(readFileSync(file("notes.txt"), "utf8")).toBe("my notes\n");
    expect(readFileSync(file("kb.json"))).toEqual(baseline);
  });
});

describe("a baseline named in .kreview.json", () => {
  it("is found relative to the file's directory, and --no-baseline reports everything", async () => {
    const proj = path.join(tmp, "proj");
    const sub = path.join(proj, "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(proj, "kb.json"), readFileSync(file("kb.json")));
    writeFileSync(path.join(proj, ".kreview.json"), JSON.stringify({ baseline: "kb.json" }));
    const r = await runJson([V6], { cwd: sub });
    expect(r.stderr).toBe("");
    expect(r.report.summary).toMatchObject({ errors: 0, suppressed: 3 });
    const all = await runJson(["--no-baseline", V6], { cwd: sub });
    expect(all.report.summary.errors).toBe(3);
    expect("suppressed" in all.report.summary).toBe(false);
  });
});

describe("matching, in process", () => {
  const finding = (text: string, fn: string | null = "foo"): Finding => ({
    rule: "bug-on", severity: "warning", message: "m", file: "a.c", line: 10, column: 2, function: fn, patchLine: 40, sourceLine: text, sourceKind: "+", confidence: "high", related: [],
  });
  const result = (findings: Finding[]): MessageResult => ({ source: "x", index: 0, messageId: "", subject: "", kind: "patch", findings, problems: [], lineCount: 1 });

  it("ignores white space changes, not the function; each entry takes out one finding", () => {
    const b = new Baseline([{ rule: "bug-on", file: "a.c", function: "foo", text: "BUG_ON(!x);" }]);
    const r = result([finding("\t\tBUG_ON(!x);"), finding("BUG_ON( !x );"), finding("  BUG_ON(!x);  ", "bar"), finding("BUG_ON(!x);")]);
    expect(b.suppress(r)).toHaveLength(1);
    expect(r.findings.map((f) => [f.sourceLine, f.function])).toEqual([["BUG_ON( !x );", "foo"], ["  BUG_ON(!x);  ", "bar"], ["BUG_ON(!x);", "foo"]]);
    expect(squeeze(" \tif (a  &&\tb) ")).toBe("if (a && b)");
  });

  it("says what is wrong with a file that is not a baseline", () => {
    expect(parseBaseline("{}")).toMatch(/no "kreview-baseline" member/);
    expect(parseBaseline('{"kreview-baseline": 2, "findings": []}')).toMatch(/this kreview reads version 1/);
    expect(parseBaseline('{"kreview-baseline": 1, "findings": [{"rule": "a", "file": "b", "function": 3, "text": ""}]}')).toBe('finding 1: "function" must be a string or null');
    expect(parseBaseline('{"kreview-baseline": 1, "findings": [{"rule": "a", "file": "b", "function": null, "text": "", "message": "m", "why": "w"}]}')).toEqual([{ rule: "a", file: "b", function: null, text: "", why: "w" }]);
  });
});
