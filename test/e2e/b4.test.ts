/**
 * kreview as b4 runs it (docs/configuration.md, "b4"):
 *
 * - `b4 prep --check` / `b4 am --check` run `b4.*-perpatch-check-cmd`, split
 *   like a shell would split it, with no file argument, one whole message on
 *   stdin, cwd the git top level. b4 reads the output so: every non-empty
 *   stdout line is a finding, a failure when it contains `ERROR:` and a
 *   warning otherwise, a leading `-:` stripped; every stderr line is a
 *   failure; with no output at all the exit status decides.
 * - `b4 review` reads a JSON array instead (`--format b4-review`): one
 *   object per tool result, `{tool, status, summary, url, details}`, and
 *   shows `details` as a list of `{status, description}` when it parses as
 *   one (src/b4/review/checks.py, _run_external_cmd; review_tui/_modals.py,
 *   _render_detail_lines), an empty array as "nothing to report".
 *
 * The run is spawned exactly so, and the output classified as b4 does.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, makeTmp, removeTmp, run, runJson, type JsonFinding, type RunResult } from "./run.js";

const MEMFILE = "fixtures/bitwise-or-in-condition/bad-memfile-v5-patch.eml";
const GOOD = "fixtures/patch-format/good-complete-patch.eml";
const COVER = "fixtures/patch/cover-letter.eml";
const TRUNCATED = "fixtures/patch-format/bad-truncated-mail.eml";

/** What the docs tell users to put in `b4.prep-perpatch-check-cmd`. */
const CHECK_CMD = "kreview --format terse";
const REVIEW_CMD = "kreview --format b4-review";

let tmp: string;
/** The git top level b4 runs the command in. */
let top: string;
const savedHome = process.env.HOME;

beforeAll(() => {
  tmp = makeTmp();
  top = path.join(tmp, "linux");
  mkdirSync(top);
  mkdirSync(path.join(tmp, "home"));
  // run() hands this environment to kreview: no ~/.kreview.json of the user's reaches the test
  process.env.HOME = path.join(tmp, "home");
  execFileSync("git", ["init", "-q"], { cwd: top });
});
afterAll(() => {
  process.env.HOME = savedHome;
  removeTmp(tmp);
});

/** b4's way: the command's words (no shell runs it), no file argument, the message on stdin, cwd the top level. */
function b4Run(cmd: string, mail: string, cwd = top): Promise<RunResult> {
  const [prog, ...args] = cmd.split(/\s+/);
  expect(prog).toBe("kreview");
  return run(args, { stdin: fixture(mail), cwd });
}

interface B4Verdict {
  /** "pass" with no output and exit 0; "fail" with no output and another exit; else "findings". */
  outcome: "pass" | "fail" | "findings";
  failures: string[];
  warnings: string[];
}

/** b4's reading of a per-patch check's output (src/b4/__init__.py, run_local_check, as docs/configuration.md describes it). */
function b4Classify(r: RunResult): B4Verdict {
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const raw of r.stdout.split(/\r?\n/)) {
    if (raw.trim() === "") continue;
    const line = raw.startsWith("-:") ? raw.slice(2) : raw;
    if (line.includes("ERROR:")) failures.push(line);
    else warnings.push(line);
  }
  for (const line of r.stderr.split(/\r?\n/)) if (line.trim() !== "") failures.push(line);
  if (failures.length + warnings.length > 0) return { outcome: "findings", failures, warnings };
  return { outcome: r.status === 0 ? "pass" : "fail", failures, warnings };
}

/** The findings of the same message, from the JSON report (cwd and HOME as b4's run). */
async function findingsOf(mail: string): Promise<JsonFinding[]> {
  const r = await runJson([], { stdin: fixture(mail), cwd: top });
  return r.report.messages.flatMap((m) => m.findings);
}

describe(`b4.prep-perpatch-check-cmd = "${CHECK_CMD}"`, () => {
  it("the memfile_notifier patch: failures exactly for its error-level findings, warnings for the others", async () => {
    const r = await b4Run(CHECK_CMD, MEMFILE);
    expect(r.stderr).toBe("");
    const v = b4Classify(r);
    const findings = await findingsOf(MEMFILE);
    expect(v.outcome).toBe("findings");
    expect(v.failures).toHaveLength(findings.filter((f) => f.severity === "error").length);
    expect(v.warnings).toHaveLength(findings.filter((f) => f.severity !== "error").length);
    expect(v.failures).toContain(
      "mm/memfile_notifier.c:83: ERROR: bitwise '|' between truth values in a condition: did you mean '||' [bitwise-or-in-condition]",
    );
    expect(v.failures.filter((l) => l.endsWith("[list-mutation-unlocked]")).map((l) => l.split(": ")[0])).toEqual([
      "mm/memfile_notifier.c:49",
      "mm/memfile_notifier.c:54",
    ]);
    expect(v.warnings.find((l) => l.endsWith("[unregister-without-init]"))).toMatch(/^mm\/memfile_notifier\.c:54: WARNING: /);
    for (const w of v.warnings) expect(w).not.toContain("ERROR:");
  });

  it("the same patch with every finding made a warning: warnings only, none read as a failure", async () => {
    const rules = (await run(["rules"])).stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]!);
    const r = await b4Run(`${CHECK_CMD} --severity ${rules.map((id) => `${id}=warning`).join(",")}`, MEMFILE);
    const v = b4Classify(r);
    expect(v.failures).toEqual([]);
    expect(v.warnings.length).toBeGreaterThanOrEqual(4);
  });

  it("a finding with no post-image line: the `-:` b4 strips, and still a failure", async () => {
    const r = await b4Run(CHECK_CMD, TRUNCATED);
    expect(r.stdout).toMatch(/^-:300: ERROR: hunk ends after 77 of 114 lines/m);
    const v = b4Classify(r);
    expect(v.failures).toContain(
      "300: ERROR: hunk ends after 77 of 114 lines: the mail may be truncated or the counts are wrong (in mm/memfile_notifier.c) [patch-format]",
    );
  });

  it("a clean patch: no output at all, exit 0: b4 says pass", async () => {
    const r = await b4Run(CHECK_CMD, GOOD);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(b4Classify(r).outcome).toBe("pass");
  });

  it("a cover letter: no output, exit 0: pass", async () => {
    const r = await b4Run(CHECK_CMD, COVER);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(b4Classify(r).outcome).toBe("pass");
  });

  it("the tree's .kreview.json at the git top level is honoured (b4 runs there)", async () => {
    writeFileSync(path.join(top, ".kreview.json"), JSON.stringify({ ignore: ["bitwise-or-in-condition"] }));
    try {
      const v = b4Classify(await b4Run(CHECK_CMD, MEMFILE));
      expect(v.failures.some((l) => l.includes("bitwise-or-in-condition"))).toBe(false);
      expect(v.failures.some((l) => l.includes("list-mutation-unlocked"))).toBe(true);
    } finally {
      rmSync(path.join(top, ".kreview.json"));
    }
  });
});

describe(`b4.review-perpatch-check-cmd = "${REVIEW_CMD}"`, () => {
  interface B4Result {
    tool: string;
    status: string;
    summary: string;
    url: string;
    /** The detail view's lines: the JSON list parsed back, or the text's lines. */
    details: { status: string; description: string }[] | string[];
  }

  /** b4's reading of the command's stdout (checks.py _run_external_cmd, then the detail view's parse of `details`). */
  const b4Read = (r: RunResult): B4Result[] => {
    const data = JSON.parse(r.stdout) as unknown;
    const entries = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
    return entries.map((e) => {
      const raw = String(e.details ?? "");
      let details: B4Result["details"] = raw === "" ? [] : raw.split("\n");
      try {
        const list = JSON.parse(raw) as unknown;
        if (Array.isArray(list)) details = list as B4Result["details"];
      } catch {
        // plain text: b4 shows its lines
      }
      const status = ["pass", "warn", "fail"].includes(String(e.status)) ? String(e.status) : "fail";
      return { tool: String(e.tool), status, summary: String(e.summary ?? ""), url: String(e.url ?? ""), details };
    });
  };

  it("the memfile_notifier patch: one result, fail, its counts in the summary, one detail per finding with its terse line", async () => {
    const [r, terse] = await Promise.all([b4Run(REVIEW_CMD, MEMFILE), b4Run(CHECK_CMD, MEMFILE)]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(Object.keys((JSON.parse(r.stdout) as Record<string, unknown>[])[0]!)).toEqual(["tool", "status", "summary", "details"]);
    const checks = b4Read(r);
    expect(checks).toHaveLength(1);
    const c = checks[0]!;
    expect([c.tool, c.status, c.url]).toEqual(["kreview", "fail", ""]);
    const findings = await findingsOf(MEMFILE);
    const errors = findings.filter((f) => f.severity === "error").length;
    const warnings = findings.filter((f) => f.severity === "warning").length;
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
    expect(c.summary).toBe(`${n(errors, "error")}, ${n(warnings, "warning")}`);
    const lines = terse.stdout.trimEnd().split("\n");
    expect(c.details).toEqual(lines.map((description) => ({ status: description.includes(" ERROR: ") ? "fail" : "warn", description })));
  });

  it("warnings only: status warn, each detail warn", async () => {
    const rules = (await run(["rules"])).stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]!);
    const r = await b4Run(`${REVIEW_CMD} --severity ${rules.map((id) => `${id}=warning`).join(",")}`, MEMFILE);
    expect(r.status).toBe(0);
    const checks = b4Read(r);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.status).toBe("warn");
    expect(checks[0]!.summary).toMatch(/^\d+ warnings$/);
    expect(new Set((checks[0]!.details as { status: string }[]).map((d) => d.status))).toEqual(new Set(["warn"]));
  });

  it("a clean patch: a pass with a summary, as b4's checkpatch handler reports one (not [], which reads as nothing to report)", async () => {
    const r = await b4Run(REVIEW_CMD, GOOD);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual([{ tool: "kreview", status: "pass", summary: "no review points" }]);
    expect(b4Read(r)).toEqual([{ tool: "kreview", status: "pass", summary: "no review points", url: "", details: [] }]);
  });

  it("a cover letter (b4 runs a per-series command on it): a pass that says there is no diff", async () => {
    const r = await b4Run(REVIEW_CMD, COVER);
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(b4Read(r)).toEqual([{ tool: "kreview", status: "pass", summary: "no diff to review", url: "", details: [] }]);
  });

  it("several messages given by hand: one result per message, in order, the summary naming it", async () => {
    const r = await run(["--format", "b4-review", MEMFILE, GOOD, COVER, TRUNCATED]);
    const checks = b4Read(r);
    expect(checks.map((c) => c.status)).toEqual(["fail", "pass", "pass", "fail"]);
    expect(checks[0]!.summary).toMatch(new RegExp(`^\\d+ errors?, \\d+ warnings? in ${MEMFILE}, message 1: \\[PATCH v5 02/13\\] mm: Introduce memfile_notifier$`));
    expect(checks[1]!.summary).toBe(`no review points in ${GOOD}, message 1: [PATCH v8 2/8] dax: Introduce holder for dax_device`);
    expect(checks[3]!.summary).toMatch(new RegExp(` in ${TRUNCATED}, message 1: `));
  });
});
