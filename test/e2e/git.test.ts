/**
 * `--git <rev | a..b | -N | rev-N>` on a real repository made for the test:
 *
 *   base    foo: add foo_check()          (adds drivers/foo/foo.c)
 *   clean   foo: comment the error return
 *   merge   Merge branch 'side'           (side: add a readme)
 *   HEAD    foo: reject a zero argument   (adds `if (!a | !b)`)
 *
 * Each commit gets its own date, so git's order is fixed. The series is what
 * `git format-patch` makes of the range: merges left out, subjects
 * `[PATCH n/m] ...`. Failures of git (a bad revision, an empty range, no
 * repository, a value that would be an option) are one line, exit 2.
 *
 * HOME and GIT_CONFIG_NOSYSTEM are set in this test process's environment,
 * which `run()` hands to kreview and so to the git it runs: no user or system
 * git configuration, and no ~/.kreview.json, reaches the test.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTmp, removeTmp, REPO, run, runJson } from "./run.js";

const GOOD = path.join(REPO, "fixtures/patch-format/good-complete-patch.eml");

const BASE_C = `// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>

int foo_check(int a, int b)
{
	if (a && b)
		return 0;
	return -EINVAL;
}
`;
const CLEAN_C = BASE_C.replace("\treturn -EINVAL;\n", "\t/* neither may be zero */\n\treturn -EINVAL;\n");
const BAD_C = CLEAN_C.replace("\t\treturn 0;\n", "\t\treturn 0;\n\tif (!a | !b)\n\t\treturn -EINVAL;\n");
/** The line of `if (!a | !b)` in drivers/foo/foo.c after the bad commit. */
const BAD_LINE = BAD_C.split("\n").indexOf("\tif (!a | !b)") + 1;

const CLEAN_SUBJECT = "foo: comment the error return";
const SIDE_SUBJECT = "side: add a readme";
const BAD_SUBJECT = "foo: reject a zero argument";

let tmp: string;
let repo: string;
let outside: string;
let mergeSha: string;
const saved = { HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM };

let tick = 0;
/** git in the test repository, as a fixed author at a date one minute after the last. */
function git(...args: string[]): string {
  tick++;
  const date = `2026-11-01T10:${String(tick).padStart(2, "0")}:00Z`;
  return execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Dev Eloper",
      GIT_AUTHOR_EMAIL: "dev@example.org",
      GIT_COMMITTER_NAME: "Dev Eloper",
      GIT_COMMITTER_EMAIL: "dev@example.org",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  }).trim();
}

/** A literal string inside a RegExp. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function commitFile(rel: string, content: string, subject: string): void {
  mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  writeFileSync(path.join(repo, rel), content);
  git("add", rel);
  git("commit", "-q", "-m", subject);
}

beforeAll(() => {
  tmp = makeTmp();
  repo = path.join(tmp, "repo");
  outside = path.join(tmp, "not-a-repo");
  mkdirSync(path.join(tmp, "home"));
  mkdirSync(repo);
  mkdirSync(outside);
  process.env.HOME = path.join(tmp, "home");
  process.env.GIT_CONFIG_NOSYSTEM = "1";

  git("init", "-q", "-b", "main");
  commitFile("drivers/foo/foo.c", BASE_C, "foo: add foo_check()");
  git("tag", "base");
  commitFile("drivers/foo/foo.c", CLEAN_C, CLEAN_SUBJECT);
  git("checkout", "-q", "-b", "side", "base");
  commitFile("README", "foo\n", SIDE_SUBJECT);
  git("checkout", "-q", "main");
  git("merge", "-q", "--no-ff", "--no-edit", "side");
  mergeSha = git("rev-parse", "HEAD");
  commitFile("drivers/foo/foo.c", BAD_C, BAD_SUBJECT);
});

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  removeTmp(tmp);
});

describe("--git lints commits as format-patch mails them", () => {
  it("--git HEAD: the last commit, with its subject and sha, and the bitwise-or finding", async () => {
    const r = await runJson(["--git", "HEAD"], { cwd: repo });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.report.messages).toHaveLength(1);
    const m = r.report.messages[0]!;
    expect(m).toMatchObject({ source: "git:HEAD", index: 0, commit: git("rev-parse", "HEAD"), subject: `[PATCH] ${BAD_SUBJECT}`, kind: "patch" });
    expect(m.findings.map((f) => [f.rule, f.file, f.line])).toContainEqual(["bitwise-or-in-condition", "drivers/foo/foo.c", BAD_LINE]);
  });

  it("--git -2: each commit headed as checkpatch heads it, lines of that commit's own patch, a verdict per commit", async () => {
    const json = await runJson(["--git", "-2"], { cwd: repo });
    expect(json.stderr).toBe("");
    expect(json.report.messages.map((m) => m.subject)).toEqual([`[PATCH 1/2] ${SIDE_SUBJECT}`, `[PATCH 2/2] ${BAD_SUBJECT}`]);
    const [side, bad] = [git("rev-parse", "HEAD~1^2"), git("rev-parse", "HEAD")];
    expect(json.report.messages.map((m) => [m.source, m.index, m.commit])).toEqual([
      ["git:-2", 0, side],
      ["git:-2", 1, bad],
    ]);

    const text = await run(["--git", "-2"], { cwd: repo });
    expect(text.stderr).toBe("");
    expect(text.status).toBe(1);
    // the line the user can see: that of `git format-patch -1 --stdout <sha>`, not of the two-commit mbox
    const own = git("format-patch", "--stdout", "-1", bad).split("\n").indexOf("+\tif (!a | !b)") + 1;
    expect(own).toBeGreaterThan(10);
    const sideTitle = `Commit ${side.slice(0, 12)} ("${SIDE_SUBJECT}")`;
    const badTitle = `Commit ${bad.slice(0, 12)} ("${BAD_SUBJECT}")`;
    const dashed = (t: string) => `${"-".repeat(t.length)}\n${t}\n${"-".repeat(t.length)}\n`;
    expect(text.stdout).toMatch(
      new RegExp(
        `^${escape(dashed(sideTitle))}total: 0 errors, 0 warnings, \\d+ lines checked\n\n${escape(sideTitle)} has no obvious review points and is ready for submission\\.\n` +
          `${escape(dashed(badTitle))}ERROR:bitwise-or-in-condition: bitwise '\\|' between truth values in a condition: did you mean '\\|\\|'\n` +
          `#${own}: FILE: drivers/foo/foo\\.c:${BAD_LINE}:\n\\+\tif \\(!a \\| !b\\)\n`,
      ),
    );
    expect(text.stdout).toContain(`\n${badTitle} has review points, please check them.\n`);
    expect(text.stdout).not.toContain("git:-2");

    const terse = await run(["--git", "-2", "--format", "terse"], { cwd: repo });
    expect(terse.stdout).toBe(`${bad.slice(0, 12)}:${own}: drivers/foo/foo.c:${BAD_LINE}: ERROR: bitwise '|' between truth values in a condition: did you mean '||' [bitwise-or-in-condition]\n`);
  });

  it("--git base..HEAD: every commit of the range in order, the merge left out, findings only on the bad one", async () => {
    const r = await runJson(["--git", "base..HEAD"], { cwd: repo });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.report.messages.map((m) => [m.source, m.index, m.subject, m.kind])).toEqual([
      ["git:base..HEAD", 0, `[PATCH 1/3] ${CLEAN_SUBJECT}`, "patch"],
      ["git:base..HEAD", 1, `[PATCH 2/3] ${SIDE_SUBJECT}`, "patch"],
      ["git:base..HEAD", 2, `[PATCH 3/3] ${BAD_SUBJECT}`, "patch"],
    ]);
    expect(r.report.messages.slice(0, 2).flatMap((m) => m.findings)).toEqual([]);

    const terse = await run(["--git", "base..HEAD", "--format", "terse"], { cwd: repo });
    expect(terse.stdout).toMatch(new RegExp(`^[0-9a-f]{12}:\\d+: drivers/foo/foo\\.c:${BAD_LINE}: ERROR: .* \\[bitwise-or-in-condition\\]$`, "m"));
  });

  it("a single clean commit is clean: exit 0, nothing on stderr, the verdict naming the commit", async () => {
    const r = await run(["--git", "HEAD~1^2"], { cwd: repo }); // side: add a readme
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const title = `Commit ${git("rev-parse", "--short=12", "HEAD~1^2")} ("${SIDE_SUBJECT}")`;
    expect(r.stdout).toMatch(new RegExp(`^total: 0 errors, 0 warnings, \\d+ lines checked\n\n${escape(title)} has no obvious review points and is ready for submission\\.\n`));
  });

  it("--git REV-N, as checkpatch reads it: the last N commits from REV", async () => {
    const subjects = async (range: string) => (await runJson(["--git", range], { cwd: repo })).report.messages.map((m) => m.subject);
    expect(await subjects("HEAD-2")).toEqual(await subjects("-2"));
    expect(await subjects("HEAD-2")).toEqual([`[PATCH 1/2] ${SIDE_SUBJECT}`, `[PATCH 2/2] ${BAD_SUBJECT}`]);
    expect(await subjects("base-1")).toEqual(["[PATCH] foo: add foo_check()"]);
    const r = await runJson(["--git", "HEAD~1^2-1"], { cwd: repo });
    expect(r.report.messages.map((m) => [m.source, m.subject])).toEqual([["git:HEAD~1^2-1", `[PATCH] ${SIDE_SUBJECT}`]]);
  });

  it("--git fix-2 where fix-2 is a branch: that commit, not two commits from 'fix'", async () => {
    git("branch", "fix-2", "base");
    try {
      const r = await runJson(["--git", "fix-2"], { cwd: repo });
      expect(r.stderr).toBe("");
      expect(r.report.messages.map((m) => m.subject)).toEqual(["[PATCH] foo: add foo_check()"]);
    } finally {
      git("branch", "-D", "fix-2");
    }
  });

  it("--git with input files too: the series first, then the files", async () => {
    const r = await runJson(["--git", "HEAD", GOOD], { cwd: repo });
    expect(r.stderr).toBe("");
    expect(r.report.messages.map((m) => m.source)).toEqual(["git:HEAD", GOOD]);
  });
});

describe("--git failures: one line on stderr, exit 2, nothing linted", () => {
  const cases: [string, string[], () => string, string][] = [
    ["a revision that does not exist", ["--git", "nope"], () => repo, "kreview: --git nope: bad revision 'nope'\n"],
    ["a range with a bad end", ["--git", "base..nope"], () => repo, "kreview: --git base..nope: bad revision 'base..nope'\n"],
    ["REV-N with a bad REV", ["--git", "nope-2"], () => repo, "kreview: --git nope-2: bad revision 'nope'\n"],
    ["an empty range", ["--git", "HEAD..HEAD"], () => repo, "kreview: --git HEAD..HEAD: no commits to lint (merge commits are left out, as format-patch leaves them out)\n"],
    ["a merge commit alone", ["--git", "MERGE"], () => repo, "kreview: --git MERGE: no commits to lint (merge commits are left out, as format-patch leaves them out)\n"],
    ["outside a repository", ["--git", "HEAD"], () => outside, "kreview: --git HEAD: OUTSIDE is not inside a git repository\n"],
    ["an option in disguise", ["--git", "--output=pwned"], () => repo, "kreview: --git --output=pwned: not a revision, a range a..b, -N or REV-N (values starting with '-' are refused)\n"],
    ["-N that is not a count", ["--git=-2x"], () => repo, "kreview: --git -2x: not a revision, a range a..b, -N or REV-N (values starting with '-' are refused)\n"],
  ];
  for (const [name, args, cwd, expected] of cases) {
    it(name, async () => {
      const argv = args.map((a) => a.replace("MERGE", mergeSha));
      const r = await run(argv, { cwd: cwd() });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(expected.replaceAll("MERGE", mergeSha).replace("OUTSIDE", outside));
    });
  }

  it("the option in disguise reached no git command: no file was written", () => {
    expect(existsSync(path.join(repo, "pwned"))).toBe(false);
  });
});
