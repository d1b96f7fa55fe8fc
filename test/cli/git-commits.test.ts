/**
 * `--git` reads format-patch's output one commit at a time: cut at each
 * `From <sha> Mon Sep 17 00:00:00 2001` line, so each commit's lines count
 * from its own separator, and each message carries its sha; the commits of
 * the range are still one series.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinRules } from "../../rules/index.js";
import { commitsOf, gitInput } from "../../src/cli/git.js";
import { lintInputs } from "../../src/cli/lint-inputs.js";
import { createLinter } from "../../src/engine/index.js";

const A = "a".repeat(40);
const B = "0123456789abcdef0123456789abcdef01234567";
const mail = (sha: string, subject: string, body: string) =>
  `From ${sha} Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.org>\nSubject: ${subject}\n\n${body}\n-- \n2.39.5\n\n`;

describe("commitsOf", () => {
  it("cuts at each separator, keeping every byte, in order", () => {
    const one = mail(A, "[PATCH 1/2] one", "From the start, this is not a separator.\nFrom me Mon Sep 17 00:00:00 2001");
    const two = mail(B, "[PATCH 2/2] two", "body");
    const commits = commitsOf(Buffer.from(one + two));
    expect(commits.map((c) => c.sha)).toEqual([A, B]);
    expect(commits.map((c) => c.bytes.toString())).toEqual([one, two]);
  });

  it("finds nothing in output with no separator (then the input layer reads it as it is)", () => {
    expect(commitsOf(Buffer.from("diff --git a/x b/x\n"))).toEqual([]);
    expect(commitsOf(Buffer.alloc(0))).toEqual([]);
  });
});

/**
 * A `--git` range is one input cut into a report per commit, and one series
 * all the same: the series-wide rule sees an export used by a later commit,
 * and its finding stands on the commit that exports.
 */
describe("--git commits are one series", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "kreview-git-series-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let tick = 0;
  const git = (...args: string[]) => {
    const date = `2026-11-01T10:${String(++tick).padStart(2, "0")}:00Z`;
    const who = { GIT_AUTHOR_NAME: "Dev", GIT_AUTHOR_EMAIL: "dev@example.org", GIT_COMMITTER_NAME: "Dev", GIT_COMMITTER_EMAIL: "dev@example.org" };
    return execFileSync("git", args, {
      cwd: tmp,
      encoding: "utf8",
      env: { ...process.env, ...who, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    }).trim();
  };
  const commit = (rel: string, content: string, subject: string) => {
    mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    writeFileSync(path.join(tmp, rel), content);
    git("add", rel);
    git("commit", "-q", "-m", `${subject}\n\nSigned-off-by: Dev <dev@example.org>`);
    return git("rev-parse", "HEAD");
  };

  it("an export used by the next commit is not reported; one no commit uses is, on its own commit", async () => {
    git("init", "-q", "-b", "main");
    commit("README", "base\n", "base");
    const exports = commit(
      "drivers/foo/core.c",
      "int foo_helper(int x)\n{\n\treturn x + 1;\n}\nEXPORT_SYMBOL_GPL(foo_helper);\n\nint foo_unused(int x)\n{\n\treturn x - 1;\n}\nEXPORT_SYMBOL_GPL(foo_unused);\n",
      "foo: add foo_helper() and foo_unused()",
    );
    const uses = commit("drivers/bar/bar.c", "int foo_helper(int x);\n\nint bar_probe(int x)\n{\n\treturn foo_helper(x);\n}\n", "bar: use foo_helper()");
    const input = await gitInput("-2", tmp);
    expect(input.oneSeries).toBe("git:-2");
    const linter = createLinter({ rules: builtinRules, only: ["export-without-user"] });
    const { results, failures } = await lintInputs([input], linter);
    expect(failures).toEqual([]);
    expect(results.map((r) => r.commit)).toEqual([exports, uses]);
    expect(results.map((r) => r.findings.map((f) => f.message.split(":")[0]))).toEqual([["'foo_unused' is exported, but nothing in the series uses it"], []]);
  });
});
