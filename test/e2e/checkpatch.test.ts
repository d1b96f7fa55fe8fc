/**
 * kreview in a checkpatch user's hands (docs/checkpatch-options.md), the CLI's
 * main in this process (test/e2e/run.ts runInProcess): b4's checkpatch command line with kreview in checkpatch's place, a
 * refused option, `-f FILE.c` (and `-f --fix`), a `.checkpatch.conf` kreview does not read,
 * `--fail-on` for checkpatch's exit status, and rule ids spelled as
 * checkpatch's types are (on the command line and in `.kreview.json`).
 * test/cli/checkpatch-options.test.ts goes through every option of the table
 * in process.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, makeTmp, removeTmp, REPO, runInProcess as run, runJsonInProcess as runJson } from "./run.js";

/** Three errors, three warnings; under --strict three checks too. */
const PATCH = path.join(REPO, "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml");
const CLEAN = path.join(REPO, "fixtures/patch-format/good-complete-patch.eml");
/** The file that PATCH adds, whole; run from SOURCE_DIR it is named as in the patch. */
const SOURCE_DIR = path.join(REPO, "fixtures/source");
const SOURCE = "mm/memfile_notifier.c";

/** b4's default per-patch check, `./scripts/checkpatch.pl` replaced by kreview. */
const B4_CHECKPATCH = ["-q", "--terse", "--no-summary", "--mailback", "--showfile"];

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

describe("b4's checkpatch command line, with kreview in checkpatch's place", () => {
  it("prints one terse line per finding of a patch on stdin, exit 1, nothing on stderr", async () => {
    const [b4, terse] = await Promise.all([run(B4_CHECKPATCH, { stdin: fixture(path.relative(REPO, PATCH)) }), run(["--format", "terse", PATCH])]);
    expect(b4).toMatchObject({ status: 1, stderr: "" });
    expect(b4.stdout).toBe(terse.stdout.replaceAll(`${PATCH}:`, "-:"));
    expect(b4.stdout.trimEnd().split("\n")).toHaveLength(6);
    expect(b4.stdout).toMatch(/^mm\/memfile_notifier\.c:83: ERROR: bitwise '\|' between truth values in a condition: did you mean '\|\|' \[bitwise-or-in-condition\]$/m);
  });

  it("prints nothing for a clean patch and exits 0", async () => {
    const r = await run(B4_CHECKPATCH, { stdin: fixture(path.relative(REPO, CLEAN)) });
    expect(r).toMatchObject({ status: 0, stdout: "", stderr: "" });
  });
});

describe("a checkpatch option kreview refuses", () => {
  it("exits 2 with one line saying why, and lints nothing", async () => {
    const r = await run(["--max-line-length=100", PATCH]);
    expect(r).toEqual(
      expect.objectContaining({
        status: 2,
        stdout: "",
        stderr: "kreview: --max-line-length (checkpatch): refused: kreview has no line-length check: it reviews what checkpatch does not check (run checkpatch for style)\n",
      }),
    );
  });
});

describe("-f FILE.c: a whole source file, every line as added", () => {
  it("finds in the file what it finds in the patch that adds it, at the file's own lines", async () => {
    const [file, patch] = await Promise.all([run(["-f", "--format", "terse", SOURCE], { cwd: SOURCE_DIR }), run(["--format", "terse", PATCH])]);
    expect(file).toMatchObject({ status: 1, stderr: "" });
    expect(file.stdout).toBe(patch.stdout);
    expect(file.stdout).toMatch(/^mm\/memfile_notifier\.c:47: WARNING: a BUG_ON\(\) to validate the argument 'bs'/);
  });

  it("the text report names the file as given, with #N the file's line, and counts its lines", async () => {
    const r = await run(["--no-tree", "--file", SOURCE], { cwd: SOURCE_DIR });
    expect(r).toMatchObject({ status: 1, stderr: "" });
    const lines = readFileSync(path.join(SOURCE_DIR, SOURCE), "utf8").split("\n");
    expect(r.stdout).toContain(`ERROR:bitwise-or-in-condition: bitwise '|' between truth values in a condition: did you mean '||'\n#83: FILE: mm/memfile_notifier.c:83:\n+${lines[82]}\n`);
    expect(r.stdout.endsWith("total: 3 errors, 3 warnings, 114 lines checked\n\nmm/memfile_notifier.c has review points, please check them.\n")).toBe(true);
  });

  it("--fix writes the file with its machine-applicable fix applied, as checkpatch -f --fix does", async () => {
    const dir = path.join(tmp, "fix", "mm");
    mkdirSync(dir, { recursive: true });
    const original = readFileSync(path.join(SOURCE_DIR, SOURCE), "utf8");
    writeFileSync(path.join(dir, "memfile_notifier.c"), original);
    const r = await run(["-q", "-f", "--fix", SOURCE], { cwd: path.dirname(dir) });
    expect(r.status).toBe(1); // the findings are those of the file as it was
    expect(r.stderr).toBe("kreview: wrote mm/memfile_notifier.c.kreview-fixed: 1 fix (bitwise-or-in-condition at mm/memfile_notifier.c:83)\n");
    const fixed = readFileSync(path.join(dir, "memfile_notifier.c.kreview-fixed"), "utf8");
    const lines = original.split("\n");
    lines[82] = lines[82]!.replace("!notifier | !pfn_ops", "!notifier || !pfn_ops");
    expect(fixed).toBe(lines.join("\n"));
    expect(readFileSync(path.join(dir, "memfile_notifier.c"), "utf8")).toBe(original);
  });

  it("a directory, stdin, or a missing file is named on stderr, exit 2", async () => {
    const r = await run(["-f", "mm", "-", "nope.c"], { cwd: SOURCE_DIR, stdin: "int x;\n" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      [
        "kreview: mm: a directory: -f/--file lints source files: name them (mm/*.c)",
        "kreview: -: -f/--file lints source files by name, and stdin has none: name the file",
        "kreview: nope.c: no such file or directory",
        "",
      ].join("\n"),
    );
  });
});

describe(".checkpatch.conf: kreview does not read it, and says so once in the text report", () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(tmp, "conf");
    mkdirSync(dir, { recursive: true });
    // would refuse the run (--max-line-length) or stop it (an --ignore of checkpatch types), were it read
    writeFileSync(path.join(dir, ".checkpatch.conf"), "--max-line-length=100\n--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES\n--strict\n");
  });

  it("text: one NOTE line at the end, with the run's other notes; the findings are those of a run without the file", async () => {
    // (--no-tree: outside a kernel tree the report would also note the rules that saw the hunks only)
    const [r, plain] = await Promise.all([run(["--no-tree", PATCH], { cwd: dir }), run(["--no-tree", "--no-config", PATCH], { cwd: dir })]);
    expect(r).toMatchObject({ status: 1, stderr: "" });
    const note =
      "\nNOTE: .checkpatch.conf holds checkpatch's options: kreview does not read it (kreview's settings go in .kreview.json, and with one this note goes: docs/checkpatch-options.md)\n";
    expect(r.stdout.split("NOTE: ")).toHaveLength(2);
    expect(r.stdout).toBe(plain.stdout + note);
  });

  it("terse (b4) says nothing of it, and nothing goes to stderr", async () => {
    const [r, plain] = await Promise.all([run(["--format", "terse", PATCH], { cwd: dir }), run(["--no-config", "--format", "terse", PATCH], { cwd: dir })]);
    expect(r).toEqual(plain);
    expect(r.stderr).toBe("");
  });

  it("with a .kreview.json, kreview is configured: no note", async () => {
    writeFileSync(path.join(dir, ".kreview.json"), "{}\n");
    const r = await run(["--no-tree", PATCH], { cwd: dir });
    rmSync(path.join(dir, ".kreview.json"));
    expect(r).toMatchObject({ status: 1, stderr: "" });
    expect(r.stdout).not.toContain("NOTE:");
  });
});

describe("--fail-on: checkpatch's exit status", () => {
  it("warnings alone exit 0 as ESLint does, 1 with --fail-on warning", async () => {
    const [eslint, checkpatch] = await Promise.all([run(["-q", "--only", "bug-on", PATCH]), run(["-q", "--only", "bug-on", "--fail-on", "warning", PATCH])]);
    expect(eslint.stdout).toBe(checkpatch.stdout);
    expect(eslint.stdout).toContain("total: 0 errors, 2 warnings, 340 lines checked\n");
    expect(eslint).toMatchObject({ status: 0, stderr: "" });
    expect(checkpatch).toMatchObject({ status: 1, stderr: "" });
  });

  it("checks under --strict exit 0 unless --fail-on check", async () => {
    const only = ["--strict", "--only", "optional-ops-check,safe-iterator-misuse", "--format", "terse", PATCH];
    const [plain, failing, warning] = await Promise.all([run(only), run(["--fail-on", "check", ...only]), run(["--fail-on", "warning", ...only])]);
    expect(plain.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(plain.stdout).toMatch(/^mm\/memfile_notifier\.c:24: CHECK: /);
    expect(plain).toMatchObject({ status: 0, stderr: "" });
    expect(warning).toMatchObject({ status: 0, stdout: plain.stdout });
    expect(failing).toMatchObject({ status: 1, stdout: plain.stdout, stderr: "" });
  });
});

describe("rule ids in checkpatch's spelling", () => {
  const rulesOf = (r: Awaited<ReturnType<typeof runJson>>) => [...new Set(r.report.messages.flatMap((m) => m.findings.map((f) => f.rule)))].sort();

  it("on the command line: --ignore BITWISE-OR-IN-CONDITION, --only Bug_On, --types, --severity BUG_ON=error", async () => {
    const r = await runJson(["--only", "Bug_On,BITWISE-OR-IN-CONDITION", "--types", "list_mutation_unlocked", "--ignore", "BITWISE-OR-IN-CONDITION", "--severity", "BUG_ON=error", PATCH]);
    expect(r.stderr).toBe("");
    expect(rulesOf(r)).toEqual(["bug-on", "list-mutation-unlocked"]);
    expect(r.report.summary).toMatchObject({ errors: 4, warnings: 0 });
  });

  it("in .kreview.json", async () => {
    const dir = path.join(tmp, "json");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, ".kreview.json"), JSON.stringify({ only: ["Bug_On", "bitwise-or-in-condition"], ignore: ["BITWISE_OR_IN_CONDITION"], severity: { BUG_ON: "check" } }));
    const r = await runJson(["--strict", PATCH], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(rulesOf(r)).toEqual(["bug-on"]);
    expect(r.report.summary).toMatchObject({ errors: 0, warnings: 0, checks: 2 });
  });

  it("kreview explain BUG_ON is kreview explain bug-on", async () => {
    const [upper, lower] = await Promise.all([run(["explain", "BUG_ON"]), run(["explain", "bug-on"])]);
    expect(upper).toMatchObject({ status: 0, stderr: "" });
    expect(upper.stdout).toBe(lower.stdout);
    expect(upper.stdout.split("\n")[0]).toMatch(/^# bug-on \(warning, confidence \w+\)$/);
  });
});
