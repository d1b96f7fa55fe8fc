/**
 * The reporters and options as a user and b4 meet them: exact text output,
 * terse lines cross-checked against the JSON report, the JSON contract of
 * docs/json-output.md, SARIF 2.1.0 (validated against its schema), --output,
 * -q, --max-warnings, --ignore/--only, --strict, --version, --help, the
 * `rules` and `explain` commands, and usage errors (exit 2, a message, no
 * stack trace). Every success case checks that stderr is empty. The CLI's
 * main runs in this process (test/e2e/run.ts runInProcess): what only a
 * process shows (a closed pipe, the bin script) is in the other e2e tests.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMAT_ONLY, makeTmp, removeTmp, REPO, runInProcess as run, runJsonInProcess as runJson, VERSION, type JsonFinding, type JsonMessage, type JsonReport } from "./run.js";

const GOOD = "fixtures/patch-format/good-complete-patch.eml";
const TRUNCATED = "fixtures/patch-format/bad-truncated-mail.eml";
const UNKNOWN_CHARSET = "fixtures/input/unknown-charset-y.eml";

/** A run with findings of every rule there is today, replies and a cover letter: what the reporters are checked on. */
const MIXED = [
  TRUNCATED,
  "fixtures/seeds/002_b279c3b872f54bd8.txt",
  "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml",
  "fixtures/seeds/threads/memfile-notifier/v5-02-review.eml",
  "fixtures/seeds/000_554857a8669a2fc2.txt",
  "fixtures/patch/cover-letter.eml",
  "fixtures/patch/git-diff.txt",
];

const TRUNCATED_MESSAGE = "hunk ends after 77 of 114 lines: the mail may be truncated or the counts are wrong";

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

describe("the reporters on one run over mixed inputs (every rule)", () => {
  let json: Awaited<ReturnType<typeof runJson>>;
  let terse: Awaited<ReturnType<typeof run>>;
  let text: Awaited<ReturnType<typeof run>>;
  let sarif: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    [json, terse, text, sarif] = await Promise.all([
      runJson(MIXED),
      run(["--format", "terse", ...MIXED]),
      run(["--format", "text", ...MIXED]),
      run(["--format", "sarif", ...MIXED]),
    ]);
  });

  const allFindings = () => json.report.messages.flatMap((m) => m.findings.map((f) => ({ f, m })));

  it("json: the documented top-level shape, message and finding members, in the documented order", () => {
    expect(json.stderr).toBe("");
    expect(json.status).toBe(1); // at least the truncated mail's error
    const rep = json.report as unknown as Record<string, unknown>;
    // run outside a kernel tree: the note says which rules saw the hunks only
    expect(Object.keys(rep)).toEqual(["tool", "version", "messages", "summary", "notes"]);
    expect(rep.notes).toEqual([expect.stringMatching(/^no kernel tree found: .*list-mutation-unlocked.* saw the hunks only/)]);
    expect(rep.tool).toBe("kreview");
    expect(rep.version).toBe(VERSION);
    expect(Object.keys(json.report.summary)).toEqual(["messages", "patches", "errors", "warnings", "checks"]);
    expect(json.stdout.endsWith("}\n")).toBe(true);
    expect(json.stdout.split("\n")[1]).toBe('  "tool": "kreview",'); // two-space indented

    expect(json.report.messages.map((m) => m.source)).toEqual(MIXED);
    for (const m of json.report.messages) {
      expect(Object.keys(m)).toEqual(["source", "index", "messageId", "subject", "kind", "findings", "problems"]);
      expect(m.index).toBe(0);
      expect(typeof m.messageId).toBe("string");
      expect(typeof m.subject).toBe("string");
      expect(m.problems.every((p) => typeof p === "string")).toBe(true);
      for (const f of m.findings) {
        const keys = Object.keys(f);
        const base = ["rule", "severity", "message", "file", "line", "column", "function", "patchLine", "confidence", "related"];
        expect(keys).toEqual("suggestion" in f ? [...base, "suggestion"] : base);
        expect(["error", "warning", "check"]).toContain(f.severity);
        expect(f.rule).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        for (const n of [f.line, f.column, f.patchLine]) if (n !== null) expect(Number.isInteger(n) && n >= 1).toBe(true);
        expect(["high", "medium", "low"]).toContain(f.confidence);
      }
    }
    expect(json.report.messages.map((m) => m.kind)).toEqual(["patch", "patch", "patch", "reply", "reply", "no-diff", "patch"]);
  });

  it("json: a finding whose post-image line is unknown has no column either (docs/json-output.md: 'always null when line is')", () => {
    // e.g. seed 000's quoted `!notifier | !pfn_ops`: no @@ line, so no line and no column.
    const noLine = allFindings().filter(({ f }) => f.line === null);
    expect(noLine.length).toBeGreaterThan(0); // at least the truncated mail's
    expect(noLine.filter(({ f }) => f.column !== null).map(({ f, m }) => `${m.source}:${f.patchLine} ${f.rule} column ${f.column}`)).toEqual([]);
  });

  it("json: the summary counts what the messages hold", () => {
    const findings = allFindings().map(({ f }) => f);
    expect(findings.length).toBeGreaterThan(0);
    expect(json.report.summary).toEqual({
      messages: json.report.messages.length,
      patches: json.report.messages.filter((m) => m.kind === "patch").length,
      errors: findings.filter((f) => f.severity === "error").length,
      warnings: findings.filter((f) => f.severity === "warning").length,
      checks: findings.filter((f) => f.severity === "check").length,
    });
    expect(json.report.messages[0]!.findings.filter((f) => f.rule === "patch-format")).toEqual([
      {
        rule: "patch-format",
        severity: "error",
        message: TRUNCATED_MESSAGE,
        file: "mm/memfile_notifier.c",
        line: null,
        column: null,
        function: null,
        patchLine: 300,
        confidence: "high",
        related: [],
      },
    ]);
  });

  it("terse: exactly one `path:line: LEVEL: msg [rule]` line per JSON finding, in the same order", () => {
    expect(terse.stderr).toBe("");
    expect(terse.status).toBe(json.status);
    const lines = terse.stdout.split("\n");
    expect(lines.pop()).toBe(""); // ends in a newline
    // several inputs: each line starts with the input and its line, as checkpatch --terse names its file
    const expected = allFindings().map(({ f, m }) => terseLine(f, m, true));
    expect(lines).toEqual(expected);
    for (const l of lines) expect(l).toMatch(/^\S.*:(\d+:)? (ERROR|WARNING|CHECK): .+ \[[a-z][a-z0-9-]*\]$/);
    expect(lines).toContain(`${TRUNCATED}:300: ERROR: ${TRUNCATED_MESSAGE} (in mm/memfile_notifier.c) [patch-format]`);
    expect(lines).toContain(
      "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml:306: mm/memfile_notifier.c:83: ERROR: bitwise '|' between truth values in a condition: did you mean '||' [bitwise-or-in-condition]",
    );
    // b4 takes any line with "ERROR:" for a failure: only error lines may have one.
    for (const l of lines) if (!/ ERROR: /.test(l)) expect(l).not.toMatch(/error:/i);
  });

  it("text: each input under its header with its own total and verdict, the totals adding up to the JSON summary", () => {
    expect(text.stderr).toBe("");
    expect(text.status).toBe(json.status);
    const s = json.report.summary;
    const totals = text.stdout.split("\n").filter((l) => l.startsWith("total: "));
    expect(totals).toHaveLength(MIXED.length);
    const sum = (re: RegExp) => totals.reduce((n, l) => n + Number(re.exec(l)![1]), 0);
    expect([sum(/(\d+) errors/), sum(/(\d+) warnings/)]).toEqual([s.errors, s.warnings]);
    for (const input of MIXED) expect(text.stdout).toContain(`${"-".repeat(input.length)}\n${input}\n${"-".repeat(input.length)}\n`);
    // one message per input: no message headers
    expect(text.stdout).not.toMatch(/, message 1: /);
    expect(text.stdout).toContain(`ERROR:patch-format: ${TRUNCATED_MESSAGE}\n#300: FILE: ${TRUNCATED}:300 (mm/memfile_notifier.c, line unknown):\n`);
    expect(text.stdout).toContain("fixtures/patch/cover-letter.eml has no diff to review.\n");
    expect(text.stdout).toContain(`${TRUNCATED} has review points, please check them.\n`);
    const blocks = text.stdout.split("\n").filter((l) => /^(ERROR|WARNING|CHECK):[a-z][a-z0-9-]*: /.test(l));
    expect(blocks).toHaveLength(s.errors + s.warnings + s.checks);
    expect(text.stdout).toMatch(/\n\nNOTE: no kernel tree found: .* saw the hunks only, not whole files; run inside the tree or give --tree DIR \(--no-tree: hunks only, no note\)\n$/);
  });

  it("sarif: valid SARIF 2.1.0, one result per finding, the truncated mail located in its input", () => {
    expect(sarif.stderr).toBe("");
    expect(sarif.status).toBe(json.status);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    const runObj = log.runs[0];
    expect(runObj.tool.driver.name).toBe("kreview");
    expect(runObj.tool.driver.version).toBe(VERSION);
    expect(runObj.tool.driver.rules).toContainEqual(expect.objectContaining({ id: "patch-format", defaultConfiguration: { level: "error" } }));
    const findings = allFindings();
    expect(runObj.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(findings.map(({ f }) => f.rule));
    const truncated = runObj.results.find((r: { ruleId: string }) => r.ruleId === "patch-format");
    expect(truncated).toMatchObject({
      ruleId: "patch-format",
      level: "error",
      message: { text: TRUNCATED_MESSAGE },
      locations: [{ physicalLocation: { artifactLocation: { uri: "mm/memfile_notifier.c" } } }],
      properties: { source: TRUNCATED, messageIndex: 0, patchLine: 300 },
    });
    expect(truncated.locations[0].physicalLocation.region).toBeUndefined(); // the post-image line is unknown
    expect(truncated.relatedLocations).toContainEqual(
      expect.objectContaining({ physicalLocation: { artifactLocation: { uri: TRUNCATED }, region: { startLine: 300 } } }),
    );
  });
});

/** The terse line a JSON finding should print as (the contract in src/report/terse.ts); `several`: more than one input. */
function terseLine(f: JsonFinding, m: JsonMessage, several: boolean): string {
  const input = f.patchLine !== null ? `${m.source}:${f.patchLine}:` : `${m.source}:`;
  let where: string;
  let message = f.message;
  if (f.file !== "" && f.line !== null) where = `${f.file}:${f.line}:`;
  else if (f.patchLine !== null) {
    where = `${m.source}:${f.patchLine}:`;
    if (f.file !== "") message += ` (in ${f.file})`;
  } else where = `${f.file || m.source}:`;
  if (several && where !== input) where = `${input} ${where}`;
  const level = f.severity === "error" ? "ERROR" : f.severity === "warning" ? "WARNING" : "CHECK";
  const line = `${where} ${level}: ${message} [${f.rule}]`;
  return f.severity === "error" ? line : line.replace(/(error)(?=:)/gi, "$1 ");
}

/** Schema errors of a SARIF log (the schema and settings test/report/sarif.test.ts explains). */
function validateSarif(log: unknown): unknown[] {
  const require = createRequire(import.meta.url);
  const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as Record<string, unknown>;
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return validate(log) ? [] : (validate.errors ?? []);
}

describe("text output", () => {
  it("the truncated mail: checkpatch's block, the total: line and the verdict, exactly", async () => {
    const r = await run([...FORMAT_ONLY, TRUNCATED]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        `ERROR:patch-format: ${TRUNCATED_MESSAGE}`,
        `#300: FILE: ${TRUNCATED}:300 (mm/memfile_notifier.c, line unknown):`,
        "",
        "total: 1 errors, 0 warnings, 300 lines checked",
        "",
        `${TRUNCATED} has review points, please check them.`,
        "",
      ].join("\n"),
    );
  });

  it("-q, as checkpatch -q: a clean input prints nothing; otherwise findings and the total only: no verdict, no NOTE lines", async () => {
    const [good, goodQ, charset, charsetQ] = await Promise.all([
      run([...FORMAT_ONLY, GOOD]),
      run([...FORMAT_ONLY, "-q", GOOD]),
      run([...FORMAT_ONLY, UNKNOWN_CHARSET]),
      run([...FORMAT_ONLY, "--quiet", UNKNOWN_CHARSET]),
    ]);
    for (const r of [good, goodQ, charset, charsetQ]) expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(good.stdout).toBe(`total: 0 errors, 0 warnings, 256 lines checked\n\n${GOOD} has no obvious review points and is ready for submission.\n`);
    expect(goodQ.stdout).toBe("");
    expect(charset.stdout).toMatch(/^NOTE: .*charset.*\n\ntotal: 0 errors, 0 warnings, 145 lines checked\n\n.* has no diff to review\.\n$/);
    expect(charsetQ.stdout).toBe("");
    const bad = await run([...FORMAT_ONLY, "-q", TRUNCATED]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe(`ERROR:patch-format: ${TRUNCATED_MESSAGE}\n#300: FILE: ${TRUNCATED}:300 (mm/memfile_notifier.c, line unknown):\n\ntotal: 1 errors, 0 warnings, 300 lines checked\n`);
  });
});

describe("--output", () => {
  it("writes the report to the file (relative to the working directory), nothing on stdout, same exit status", async () => {
    const input = path.join(REPO, TRUNCATED);
    const [toFile, toStdout] = await Promise.all([
      run([...FORMAT_ONLY, "--format", "json", "--output", "report.json", input], { cwd: tmp }),
      run([...FORMAT_ONLY, "--format", "json", input], { cwd: tmp }),
    ]);
    expect(toFile).toMatchObject({ status: 1, stdout: "", stderr: "" });
    const written = readFileSync(path.join(tmp, "report.json"), "utf8");
    expect(written).toBe(toStdout.stdout);
    expect((JSON.parse(written) as JsonReport).summary.errors).toBe(1);
  });

  it("-o into a directory that does not exist: exit 2 with a one-line message naming the file, not an internal error", async () => {
    const r = await run([...FORMAT_ONLY, "-o", "no-such-dir/report.txt", GOOD], { cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no-such-dir/report.txt");
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("rule selection and thresholds", () => {
  it("--ignore patch-format: the truncated mail has no patch-format finding, and the exit status follows the rest", async () => {
    const r = await runJson(["--ignore", "patch-format", TRUNCATED]);
    expect(r.stderr).toBe("");
    const findings = r.report.messages[0]!.findings;
    expect(findings.length).toBeGreaterThan(0); // the list rules still see the code before the cut
    expect(findings.filter((f) => f.rule === "patch-format")).toEqual([]);
    expect(r.status).toBe(findings.some((f) => f.severity === "error") ? 1 : 0);
    const clean = await runJson(["--ignore", "patch-format", GOOD]);
    expect([clean.status, clean.report.summary.errors]).toEqual([0, 0]);
  });

  it("--only or --ignore with an unknown rule: exit 2, a message naming it, nothing on stdout", async () => {
    const [only, ignore] = await Promise.all([run(["--only", "no-such-rule", GOOD]), run(["--ignore", "patch-format,no-such-rule", GOOD])]);
    for (const r of [only, ignore]) {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe("kreview: unknown rule 'no-such-rule' (see 'kreview rules')\n");
    }
  });

  it("--strict is accepted: a clean patch exits 0 and the total counts checks", async () => {
    const r = await run([...FORMAT_ONLY, "--strict", GOOD]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("total: 0 errors, 0 warnings, 0 checks, 256 lines checked");
  });

  // No built-in rule reports at warning level yet, so only the clean case and the argument check.
  it("--max-warnings 0 on a clean patch exits 0", async () => {
    const r = await run([...FORMAT_ONLY, "--max-warnings", "0", GOOD]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
  });

  it("--max-warnings x (or -1, or 1.5) is a usage error: exit 2, a message naming the value, no internal error", async () => {
    const bad = ["x", "-1", "1.5"];
    const runs = await Promise.all(bad.map((v) => run(["--max-warnings", v, GOOD])));
    runs.forEach((r, i) => {
      expect(r.status, bad[i]).toBe(2);
      expect(r.stdout, bad[i]).toBe("");
      expect(r.stderr, bad[i]).toContain(`'${bad[i]}'`);
      expect(r.stderr, bad[i]).not.toMatch(/internal error/);
      expect(r.stderr, bad[i]).not.toMatch(/^\s+at /m);
    });
  });
});

describe("the JSON messageId", () => {
  it("is the Message-ID header without its angle brackets (docs/json-output.md)", async () => {
    const r = await runJson([...FORMAT_ONLY, GOOD]);
    expect(readFileSync(path.join(REPO, GOOD), "utf8")).toMatch(/^Message-Id: <20211031152028\.3724121-3-ruansy\.fnst@fujitsu\.com>$/im);
    expect(r.report.messages[0]!.messageId).toBe("20211031152028.3724121-3-ruansy.fnst@fujitsu.com");
  });
});

describe("information commands", () => {
  it("--version and -V print the package.json version", async () => {
    const [long, short] = await Promise.all([run(["--version"]), run(["-V"])]);
    for (const r of [long, short]) expect(r).toMatchObject({ status: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("--help exits 0 and shows usage, options and examples", async () => {
    const r = await run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")[0]).toBe("Usage: kreview [options] [command] [inputs...]");
    for (const s of ["--format <format>", "--max-warnings <n>", "--ignore <rules>", "--only <rules>", "--strict", "Examples:"]) {
      expect(r.stdout).toContain(s);
    }
    expect(r.stdout).toMatch(/^ {2}kreview 0001-mm-fix\.patch +lint a patch made by git format-patch$/m);
    expect(r.stdout).toMatch(/^ {2}git diff \| kreview +lint a plain diff from stdin$/m);
  });

  it("`kreview rules` lists patch-format with its severity and summary", async () => {
    const r = await run(["rules"]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toMatch(/^patch-format +error +a hunk of the patch does not add up/m);
    for (const line of r.stdout.trimEnd().split("\n")) expect(line).toMatch(/^[a-z][a-z0-9-]* +(error|warning|check) +\S/);
  });

  it("`kreview explain patch-format` prints its documentation with the fixed headings", async () => {
    const r = await run(["explain", "patch-format"]);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("# patch-format (error, confidence high)");
    const headings = lines.filter((l) => l.startsWith("### "));
    expect(headings).toEqual(["### What it does", "### Why is this bad?", "### Example", "### Reviewer said", "### Known problems"]);
  });

  it("`kreview explain nope` exits 2 with a message naming it", async () => {
    const r = await run(["explain", "nope"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("kreview: unknown rule 'nope' (see 'kreview rules')\n");
  });

  it("an unknown option or format exits 2 with commander's message", async () => {
    const [opt, format] = await Promise.all([run(["--bogus", GOOD]), run(["--format", "xml", GOOD])]);
    expect(opt.status).toBe(2);
    expect(opt.stdout).toBe("");
    expect(opt.stderr).toBe("error: unknown option '--bogus'\n");
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/^error: option '--format <format>' argument 'xml' is invalid\. Allowed choices are text, terse, json, sarif, b4-review, email\.\n$/);
  });
});
