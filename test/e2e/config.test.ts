/**
 * `.kreview.json` and `--severity` as a user meets them (docs/configuration.md):
 * the CLI's main (in this process: test/e2e/run.ts runInProcess), run in
 * temporary directories with a fake HOME. The nearest
 * file upward is used, else the one in HOME; the command line goes after the
 * file (lists add up, the rest is replaced); every mistake in a file is one
 * line naming `file:line:col`, exit 2, nothing on stdout.
 *
 * HOME is set in this test process's environment, so `os.homedir()` in
 * kreview is the fake one (vitest runs each test file in its own worker, so
 * no other file sees it).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTmp, removeTmp, REPO, runInProcess as run, runJsonInProcess as runJson, type JsonReport } from "./run.js";

/** One message with bitwise-or-in-condition and list-mutation-unlocked (errors) and unregister-without-init (a warning). */
const MEMFILE = path.join(REPO, "fixtures/bitwise-or-in-condition/bad-memfile-v5-patch.eml");
const BITWISE = "bitwise-or-in-condition";
const LIST = "list-mutation-unlocked";
const REGISTRY = "unregister-without-init";

let tmp: string;
let home: string;
/** A project with no file of its own between it and the root (the temp dir's parents hold none). */
let bare: string;
/** A project tree: proj/.kreview.json, run from proj/a/b. */
let proj: string;
let deep: string;
const savedHome = process.env.HOME;

beforeAll(() => {
  tmp = makeTmp();
  home = path.join(tmp, "home");
  bare = path.join(tmp, "bare");
  proj = path.join(tmp, "outer", "proj");
  deep = path.join(proj, "a", "b");
  for (const d of [home, bare, deep]) mkdirSync(d, { recursive: true });
  process.env.HOME = home;
});
afterAll(() => {
  process.env.HOME = savedHome;
  removeTmp(tmp);
});

const HOME_FILE = () => path.join(home, ".kreview.json");
const PROJ_FILE = () => path.join(proj, ".kreview.json");
const OUTER_FILE = () => path.join(tmp, "outer", ".kreview.json");

function writeConfig(file: string, value: unknown): void {
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2) + "\n");
}

function clearConfigs(): void {
  for (const f of [HOME_FILE(), PROJ_FILE(), OUTER_FILE()]) rmSync(f, { force: true });
}

const rulesOf = (report: JsonReport) => report.messages.flatMap((m) => m.findings.map((f) => f.rule));
const severityOf = (report: JsonReport, rule: string) => [...new Set(report.messages.flatMap((m) => m.findings.filter((f) => f.rule === rule).map((f) => f.severity)))];

/** Every rule id, from `kreview rules` (rules are being added: the tests must not list them by hand). */
async function allRules(): Promise<string[]> {
  const r = await run(["rules"]);
  return r.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]!);
}

describe("without a configuration file", () => {
  beforeAll(clearConfigs);

  it("the fixture has the three findings the tests below silence and re-level", async () => {
    const r = await runJson([MEMFILE], { cwd: bare });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(rulesOf(r.report)).toEqual(expect.arrayContaining([BITWISE, LIST, REGISTRY]));
    expect(severityOf(r.report, BITWISE)).toEqual(["error"]);
    expect(severityOf(r.report, REGISTRY)).toEqual(["warning"]);
  });
});

describe("where the file is found", () => {
  beforeAll(() => {
    clearConfigs();
    writeConfig(HOME_FILE(), { ignore: [REGISTRY] });
  });

  it("the nearest file upward from a subdirectory is used, and only it: no merging with farther files or HOME", async () => {
    writeConfig(OUTER_FILE(), { ignore: [LIST] });
    writeConfig(PROJ_FILE(), { ignore: [BITWISE] });
    const r = await runJson([MEMFILE], { cwd: deep });
    expect(r.stderr).toBe("");
    const rules = rulesOf(r.report);
    expect(rules).not.toContain(BITWISE); // proj/.kreview.json
    expect(rules).toContain(LIST); // outer/.kreview.json is farther: not read
    expect(rules).toContain(REGISTRY); // HOME is only a fallback: not read
    expect(r.status).toBe(1);
    rmSync(OUTER_FILE());
    rmSync(PROJ_FILE());
  });

  it("a file in the working directory itself counts as nearest", async () => {
    writeConfig(PROJ_FILE(), { ignore: [BITWISE] });
    const r = await runJson([MEMFILE], { cwd: proj });
    expect(rulesOf(r.report)).not.toContain(BITWISE);
    rmSync(PROJ_FILE());
  });

  it("with no file upward, ~/.kreview.json is used", async () => {
    const r = await runJson([MEMFILE], { cwd: bare });
    expect(r.stderr).toBe("");
    const rules = rulesOf(r.report);
    expect(rules).not.toContain(REGISTRY);
    expect(rules).toEqual(expect.arrayContaining([BITWISE, LIST]));
  });

  it("--no-config reads no file at all", async () => {
    writeConfig(PROJ_FILE(), { ignore: [BITWISE] });
    const r = await runJson(["--no-config", MEMFILE], { cwd: deep });
    expect(rulesOf(r.report)).toEqual(expect.arrayContaining([BITWISE, LIST, REGISTRY]));
    rmSync(PROJ_FILE());
  });
});

describe("what the file sets, and the command line over it", () => {
  beforeAll(clearConfigs);
  afterAll(clearConfigs);

  it("ignore silences a rule that has a finding on the fixture", async () => {
    writeConfig(PROJ_FILE(), { ignore: [BITWISE] });
    const r = await runJson([MEMFILE], { cwd: deep });
    expect(r.stderr).toBe("");
    expect(rulesOf(r.report)).not.toContain(BITWISE);
    expect(rulesOf(r.report)).toContain(LIST);
  });

  it("only runs the rules it names", async () => {
    writeConfig(PROJ_FILE(), { only: [REGISTRY] });
    const r = await runJson([MEMFILE], { cwd: deep });
    expect([...new Set(rulesOf(r.report))]).toEqual([REGISTRY]);
    expect(r.status).toBe(0); // a warning only
  });

  it("lists add up: the file's ignore and the command line's --ignore are both in force", async () => {
    writeConfig(PROJ_FILE(), { ignore: [BITWISE] });
    const r = await runJson(["--ignore", LIST, MEMFILE], { cwd: deep });
    const rules = rulesOf(r.report);
    expect(rules).not.toContain(BITWISE);
    expect(rules).not.toContain(LIST);
    expect(rules).toContain(REGISTRY);
  });

  it("severity changes the level in the output and the exit status: every rule a warning → exit 0", async () => {
    const severity = Object.fromEntries((await allRules()).map((id) => [id, "warning"]));
    writeConfig(PROJ_FILE(), { severity });
    const r = await runJson([MEMFILE], { cwd: deep });
    expect(r.stderr).toBe("");
    expect(severityOf(r.report, BITWISE)).toEqual(["warning"]);
    expect(severityOf(r.report, LIST)).toEqual(["warning"]);
    expect(r.report.summary.errors).toBe(0);
    expect(r.status).toBe(0);

    const text = await run([MEMFILE], { cwd: deep });
    expect(text.stdout).toContain(`WARNING:${BITWISE}: `);
    expect(text.stdout).not.toContain("ERROR:");
    expect(text.status).toBe(0);
  });

  it("--severity on the command line wins over the file's for the same rule; the file's others stay", async () => {
    writeConfig(PROJ_FILE(), { severity: { [BITWISE]: "warning", [REGISTRY]: "error" } });
    const r = await runJson(["--severity", `${BITWISE}=error`, MEMFILE], { cwd: deep });
    expect(severityOf(r.report, BITWISE)).toEqual(["error"]);
    expect(severityOf(r.report, REGISTRY)).toEqual(["error"]);
  });

  it("maxWarnings from the file sets the exit status; --max-warnings replaces it", async () => {
    writeConfig(PROJ_FILE(), { only: [REGISTRY], maxWarnings: 0 });
    expect((await run([MEMFILE], { cwd: deep })).status).toBe(1);
    expect((await run(["--max-warnings", "5", MEMFILE], { cwd: deep })).status).toBe(0);
  });

  it("strict from the file keeps check-level findings; --no-strict drops them", async () => {
    writeConfig(PROJ_FILE(), { strict: true, severity: { [BITWISE]: "check" } });
    const strict = await run(["--format", "terse", MEMFILE], { cwd: deep });
    expect(strict.stdout).toMatch(/^mm\/memfile_notifier\.c:83: CHECK: .* \[bitwise-or-in-condition\]$/m);
    const notStrict = await run(["--format", "terse", "--no-strict", MEMFILE], { cwd: deep });
    expect(notStrict.stdout).not.toContain(BITWISE);
    expect(notStrict.stderr).toBe("");
  });

  it("format from the file is used; --format replaces it", async () => {
    writeConfig(PROJ_FILE(), { format: "terse" });
    const terse = await run([MEMFILE], { cwd: deep });
    expect(terse.stdout).toMatch(/^mm\/memfile_notifier\.c:83: ERROR: .* \[bitwise-or-in-condition\]$/m);
    expect(terse.stdout).not.toContain("total:");
    const json = await runJson([MEMFILE], { cwd: deep });
    expect(json.report.tool).toBe("kreview");
  });

  it("format may name any --format, b4-review included", async () => {
    writeConfig(PROJ_FILE(), { format: "b4-review" });
    const r = await run([MEMFILE], { cwd: deep });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ tool: "kreview", status: "fail" })]);
  });
});

describe("--severity on the command line", () => {
  beforeAll(clearConfigs);

  it("takes RULE=LEVEL repeated and comma-separated", async () => {
    const r = await runJson(["--severity", `${BITWISE}=warning,${LIST}=warning`, "--severity", `${REGISTRY}=error`, MEMFILE], { cwd: bare });
    expect(r.stderr).toBe("");
    expect(severityOf(r.report, BITWISE)).toEqual(["warning"]);
    expect(severityOf(r.report, LIST)).toEqual(["warning"]);
    expect(severityOf(r.report, REGISTRY)).toEqual(["error"]);
  });

  it("a level of check hides the finding unless --strict", async () => {
    const hidden = await runJson(["--severity", `${BITWISE}=check`, MEMFILE], { cwd: bare });
    expect(rulesOf(hidden.report)).not.toContain(BITWISE);
    const shown = await runJson(["--strict", "--severity", `${BITWISE}=check`, MEMFILE], { cwd: bare });
    expect(severityOf(shown.report, BITWISE)).toEqual(["check"]);
  });

  for (const [arg, message] of [
    [BITWISE, `takes RULE=LEVEL (e.g. bitwise-or-in-condition=warning), not '${BITWISE}'`],
    [`${BITWISE}=fatal`, "'fatal' is not a level: use error, warning or check"],
    [`${BITWISE}=`, `takes RULE=LEVEL (e.g. bitwise-or-in-condition=warning), not '${BITWISE}='`],
  ]) {
    it(`'--severity ${arg}' is a usage error: exit 2 and a one-line message`, async () => {
      const r = await run(["--severity", arg!, MEMFILE], { cwd: bare });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`error: option '--severity <rule=level>' argument '${arg}' is invalid. ${message}\n`);
    });
  }

  it("an unknown rule is a usage error naming it", async () => {
    const r = await run(["--severity", "no-such-rule=error", MEMFILE], { cwd: bare });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("kreview: unknown rule 'no-such-rule' (see 'kreview rules')\n");
  });
});

describe("a configuration file with a mistake: exit 2, one line naming file:line:col, nothing linted", () => {
  beforeAll(clearConfigs);
  afterAll(clearConfigs);

  /** `end`: how the line ends when the middle may change (the list of formats grows). */
  const cases: { name: string; text: string; where: string; message: string; end?: string }[] = [
    { name: "a trailing comma", text: `{\n  "ignore": [\n    "${BITWISE}",\n  ]\n}\n`, where: "3:30", message: "invalid JSON: trailing comma before ']' (JSON allows none)" },
    { name: "a missing comma", text: `{\n  "strict": true\n  "ignore": []\n}\n`, where: "3:3", message: `invalid JSON: expected ',' or '}', found '"'` },
    { name: "a bare word", text: `{\n  "strict": yes\n}\n`, where: "2:13", message: "invalid JSON: unexpected 'yes'" },
    { name: "single quotes", text: `{\n  'strict': true\n}\n`, where: "2:3", message: `invalid JSON: expected a key in double quotes, found "'" (JSON strings take double quotes)` },
    { name: "a comment", text: `{\n  // no\n  "strict": true\n}\n`, where: "2:3", message: "invalid JSON: expected a key in double quotes, found '/' (JSON has no comments)" },
    { name: "a string not closed", text: `{\n  "format": "terse\n}\n`, where: "2:19", message: `invalid JSON: line break inside a string: missing '"'?` },
    { name: "a cut-off file", text: `{\n  "ignore": [\n`, where: "3:1", message: "invalid JSON: unexpected end of file" },
    { name: "an empty file", text: "", where: "1:1", message: "invalid JSON: unexpected end of file" },
    { name: "not an object", text: `[\n  "${BITWISE}"\n]\n`, where: "1:1", message: "the configuration must be a JSON object, not an array" },
    { name: "an unknown key", text: `{\n  "strict": true,\n  "ignores": []\n}\n`, where: "3:3", message: `unknown key "ignores" (known: ignore, only, strict, severity, maxWarnings, format, baseline)` },
    { name: "a key given twice", text: `{\n  "strict": true,\n  "strict": false\n}\n`, where: "3:3", message: `"strict" is given twice` },
    { name: "an unknown rule in ignore", text: `{\n  "strict": false,\n  "ignore": [\n    "foo"\n  ]\n}\n`, where: "4:5", message: `unknown rule 'foo' in "ignore" (see 'kreview rules')` },
    { name: "an unknown rule in only", text: `{\n  "only": ["${BITWISE}", "bar"]\n}\n`, where: `2:${12 + BITWISE.length + 4}`, message: `unknown rule 'bar' in "only" (see 'kreview rules')` },
    { name: "an unknown rule in severity", text: `{\n  "severity": {\n    "baz": "error"\n  }\n}\n`, where: "3:5", message: `unknown rule 'baz' in "severity" (see 'kreview rules')` },
    { name: "a level that is not one", text: `{\n  "severity": {\n    "${BITWISE}": "fatal"\n  }\n}\n`, where: `3:${5 + BITWISE.length + 4}`, message: `the level of '${BITWISE}' must be "error", "warning" or "check", not "fatal"` },
    { name: "strict not a boolean", text: `{\n  "strict": "yes"\n}\n`, where: "2:13", message: `"strict" must be true or false, not "yes"` },
    { name: "ignore not an array", text: `{\n  "ignore": "${BITWISE}"\n}\n`, where: "2:13", message: `"ignore" must be an array of rule ids, not "${BITWISE}"` },
    { name: "a number among the rule ids", text: `{\n  "ignore": [1]\n}\n`, where: "2:14", message: `"ignore" must hold rule ids (strings), not 1` },
    { name: "maxWarnings negative", text: `{\n  "maxWarnings": -1\n}\n`, where: "2:18", message: `"maxWarnings" must be a whole number, 0 or more, not -1` },
    { name: "maxWarnings not whole", text: `{\n  "maxWarnings": 1.5\n}\n`, where: "2:18", message: `"maxWarnings" must be a whole number, 0 or more, not 1.5` },
    { name: "a baseline that is not a path", text: `{\n  "baseline": 3\n}\n`, where: "2:15", message: `"baseline" must be the path of a baseline file, not 3` },
    { name: "an unknown format", text: `{\n  "format": "xml"\n}\n`, where: "2:13", message: `"format" must be one of text, terse, json, sarif, `, end: `, not "xml"\n` },
  ];

  for (const c of cases) {
    it(`${c.name} (${c.where})`, async () => {
      writeConfig(PROJ_FILE(), c.text);
      const r = await run([MEMFILE], { cwd: deep });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      const prefix = `kreview: ${PROJ_FILE()}:${c.where}: `;
      expect(r.stderr.split("\n")).toHaveLength(2); // one line and its newline
      if (c.end === undefined) expect(r.stderr).toBe(`${prefix}${c.message}\n`);
      else {
        expect(r.stderr.startsWith(prefix + c.message)).toBe(true);
        expect(r.stderr.endsWith(c.end)).toBe(true);
      }
    });
  }

  it("a broken file in HOME is an error too when it is the one in force", async () => {
    rmSync(PROJ_FILE(), { force: true });
    writeConfig(HOME_FILE(), `{"strict": 1}`);
    const r = await run([MEMFILE], { cwd: bare });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`kreview: ${HOME_FILE()}:1:12: "strict" must be true or false, not 1\n`);
  });

  it("--no-config skips a broken file", async () => {
    writeConfig(PROJ_FILE(), "{");
    const r = await run(["--no-config", "--format", "terse", MEMFILE], { cwd: deep });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
  });
});
