/**
 * Every way an input reaches kreview: a file, several files, a directory,
 * stdin named `-`, stdin with no argument (b4), plain diffs, the web-archive
 * form, and inputs that cannot be read. Real fixtures only; temporary copies
 * where a layout (a directory, a cut-off page) is needed.
 *
 * Nothing may reach stderr when nothing failed: b4 counts every stderr line as
 * a failure, so every success case checks `stderr === ""`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMAT_ONLY, fixture, makeTmp, removeTmp, REPO, run, runJson } from "./run.js";

const FORMAT_PATCH = "fixtures/patch/binary-format-patch.patch";
const GOOD = "fixtures/patch-format/good-complete-patch.eml";
const TRUNCATED = "fixtures/patch-format/bad-truncated-mail.eml";
const COVER = "fixtures/patch/cover-letter.eml";
const GIT_DIFF = "fixtures/patch/git-diff.txt";
const DIFF_U = "fixtures/patch/diff-u.txt";
const SEED_REVIEW = "fixtures/seeds/000_554857a8669a2fc2.txt";
const SEED_PATCH = "fixtures/seeds/002_b279c3b872f54bd8.txt";

const GOOD_SUBJECT = "[PATCH v8 2/8] dax: Introduce holder for dax_device";
/** The one error in the truncated mail (see fixtures/patch-format/README.md: cut after its 300th line). */
const TRUNCATED_TERSE =
  "-:300: ERROR: hunk ends after 77 of 114 lines: the mail may be truncated or the counts are wrong (in mm/memfile_notifier.c) [patch-format]";

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

describe("a git format-patch file", () => {
  it("is one patch with its subject, clean, exit 0, nothing on stderr", async () => {
    const [json, text] = await Promise.all([runJson([...FORMAT_ONLY, FORMAT_PATCH]), run([...FORMAT_ONLY, FORMAT_PATCH])]);
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    expect(json.report.messages).toHaveLength(1);
    expect(json.report.messages[0]).toMatchObject({
      source: FORMAT_PATCH,
      index: 0,
      messageId: "",
      subject: "[PATCH] dax: take the write lock when clearing the holder",
      kind: "patch",
      findings: [],
      problems: [],
    });
    expect(text.stderr).toBe("");
    expect(text.status).toBe(0);
    // The `From <sha> Mon Sep 17 ...` line and the trailing empty line are the mbox envelope: 62 of the file's 64 lines.
    expect(text.stdout).toBe(
      "total: 0 errors, 0 warnings, 62 lines checked\n\n" + `${FORMAT_PATCH} has no obvious review points and is ready for submission.\n`,
    );
  });
});

describe("several paths in one call", () => {
  it("reports each input in the order given, one message each", async () => {
    const inputs = [GOOD, COVER, GIT_DIFF, SEED_REVIEW, TRUNCATED];
    const r = await runJson([...FORMAT_ONLY, ...inputs]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1); // the truncated mail's patch-format error
    expect(r.report.messages.map((m) => [m.source, m.index, m.kind])).toEqual([
      [GOOD, 0, "patch"],
      [COVER, 0, "no-diff"],
      [GIT_DIFF, 0, "patch"],
      [SEED_REVIEW, 0, "reply"],
      [TRUNCATED, 0, "patch"],
    ]);
    expect(r.report.messages.map((m) => m.findings.length)).toEqual([0, 0, 0, 0, 1]);
    expect(r.report.summary).toEqual({ messages: 5, patches: 3, errors: 1, warnings: 0, checks: 0 });
  });
});

describe("several inputs, each its own report (checkpatch's habits with several files)", () => {
  // out/: two copies of the truncated mail (identical findings), a clean patch, and an mbox holding a clean patch and the truncated mail
  const OUT = "review-out";
  const sep = "From kreview Mon Sep 17 00:00:00 2001\n";
  beforeAll(() => {
    const dir = path.join(tmp, OUT);
    mkdirSync(dir);
    copyFileSync(path.join(REPO, TRUNCATED), path.join(dir, "0001-a.patch"));
    copyFileSync(path.join(REPO, TRUNCATED), path.join(dir, "0002-b.patch"));
    copyFileSync(path.join(REPO, GOOD), path.join(dir, "0003-c.patch"));
    writeFileSync(path.join(dir, "series.mbox"), Buffer.concat([Buffer.from(sep), fixture(GOOD), Buffer.from(`\n${sep}`), fixture(TRUNCATED)]));
  });
  const a = path.join(OUT, "0001-a.patch");
  const b = path.join(OUT, "0002-b.patch");
  const c = path.join(OUT, "0003-c.patch");
  const mbox = path.join(OUT, "series.mbox");
  const dashed = (title: string) => `${"-".repeat(title.length)}\n${title}\n${"-".repeat(title.length)}\n`;
  const block = (input: string, line: number) =>
    `ERROR:patch-format: hunk ends after 77 of 114 lines: the mail may be truncated or the counts are wrong\n#${line}: FILE: ${input}:${line} (mm/memfile_notifier.c, line unknown):\n\n`;

  it("text: each file under its name with its own total and verdict; a banner per message only in the mbox", async () => {
    const r = await run([...FORMAT_ONLY, `${OUT}/`], { cwd: tmp });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    // in the mbox the truncated mail's line 300 comes after a separator, the good patch, a blank line and a separator
    const goodLines = fixture(GOOD).toString("utf8").split("\n").length - 1;
    const offset = 1 + goodLines + 1 + 1;
    expect(r.stdout).toBe(
      dashed(a) + block(a, 300) + "total: 1 errors, 0 warnings, 300 lines checked\n\n" + `${a} has review points, please check them.\n` +
        dashed(b) + block(b, 300) + "total: 1 errors, 0 warnings, 300 lines checked\n\n" + `${b} has review points, please check them.\n` +
        dashed(c) + "total: 0 errors, 0 warnings, 256 lines checked\n\n" + `${c} has no obvious review points and is ready for submission.\n` +
        dashed(mbox) + dashed(`${mbox}, message 2: [PATCH v5 02/13] mm: Introduce memfile_notifier`) + block(mbox, offset + 300) +
        "total: 1 errors, 0 warnings, 556 lines checked\n\n" + `${mbox} has review points, please check them.\n`,
    );
  });

  it("terse: each line starts with the input and its line; -q text: the clean file prints nothing", async () => {
    const [terse, quiet] = await Promise.all([run([...FORMAT_ONLY, "--format", "terse", OUT], { cwd: tmp }), run([...FORMAT_ONLY, "-q", OUT], { cwd: tmp })]);
    expect(terse.stderr).toBe("");
    expect(terse.status).toBe(1);
    const msg = "ERROR: hunk ends after 77 of 114 lines: the mail may be truncated or the counts are wrong (in mm/memfile_notifier.c) [patch-format]";
    expect(terse.stdout.split("\n").map((l) => l.replace(/:\d+: ERROR:.*/, ""))).toEqual([a, b, mbox, ""]);
    expect(terse.stdout.split("\n")[0]).toBe(`${a}:300: ${msg}`);
    expect(quiet.status).toBe(1);
    expect(quiet.stdout).not.toContain(c);
    expect(quiet.stdout.match(/^total: /gm)).toHaveLength(3);
    expect(quiet.stdout).not.toContain("please check them");
  });
});

describe("a directory", () => {
  it("contributes its *.patch, *.eml and *.mbox files, sorted by name, and nothing else", async () => {
    const dir = path.join(tmp, "outgoing");
    mkdirSync(dir);
    copyFileSync(path.join(REPO, FORMAT_PATCH), path.join(dir, "0001-dax-take-the-write-lock.patch"));
    copyFileSync(path.join(REPO, COVER), path.join(dir, "0000-cover-letter.eml"));
    copyFileSync(path.join(REPO, "fixtures/seeds/threads/dax-holder/series-v8.mbox"), path.join(dir, "series-v8.mbox"));
    copyFileSync(path.join(REPO, GIT_DIFF), path.join(dir, "notes.txt")); // not a patch extension: skipped
    writeFileSync(path.join(dir, "README"), "what is in here\n");

    const r = await runJson([...FORMAT_ONLY, "outgoing"], { cwd: tmp });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const sources = r.report.messages.map((m) => m.source);
    expect([...new Set(sources)]).toEqual([
      path.join("outgoing", "0000-cover-letter.eml"),
      path.join("outgoing", "0001-dax-take-the-write-lock.patch"),
      path.join("outgoing", "series-v8.mbox"),
    ]);
    // 1 + 1 + the series' 11 messages
    expect(r.report.messages).toHaveLength(13);
    expect(r.report.messages[0]!.kind).toBe("no-diff");
    expect(r.report.messages[1]!.subject).toBe("[PATCH] dax: take the write lock when clearing the holder");
    expect(r.report.messages.filter((m) => m.source.endsWith("series-v8.mbox")).map((m) => m.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("a real thread folder: patch, review, answer and fixed version, each read as what it is", async () => {
    const r = await runJson([...FORMAT_ONLY, "fixtures/seeds/threads/memfile-notifier"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.report.messages.map((m) => [path.basename(m.source), m.kind, m.subject])).toEqual([
      ["v5-02-author-reply.eml", "reply", "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier"],
      ["v5-02-patch.eml", "patch", "[PATCH v5 02/13] mm: Introduce memfile_notifier"],
      ["v5-02-review.eml", "reply", "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier"],
      ["v6-01-patch-fixed.eml", "patch", "[PATCH v6 1/8] mm: Introduce memfile_notifier"],
    ]);
  });

  it("a directory with nothing to lint is an error naming it, exit 2", async () => {
    const dir = path.join(tmp, "empty-dir");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "notes.txt"), "nothing\n");
    const r = await run(["empty-dir"], { cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("kreview: empty-dir: directory holds no *.patch, *.eml or *.mbox file\n");
  });
});

describe("stdin", () => {
  it("`-` reads one whole email from stdin; the source is `-` and the verdict says `Your patch`", async () => {
    const mail = fixture(GOOD);
    const [json, text] = await Promise.all([runJson([...FORMAT_ONLY, "-"], { stdin: mail }), run([...FORMAT_ONLY, "-"], { stdin: mail })]);
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    expect(json.report.messages).toHaveLength(1);
    expect(json.report.messages[0]).toMatchObject({ source: "-", index: 0, subject: GOOD_SUBJECT, kind: "patch", findings: [] });
    expect(text.stderr).toBe("");
    expect(text.stdout).toBe("total: 0 errors, 0 warnings, 256 lines checked\n\nYour patch has no obvious review points and is ready for submission.\n");
  });

  it("no argument with a mail piped (as b4 runs it, --format terse): clean mail prints nothing at all", async () => {
    const r = await run(["--format", "terse", ...FORMAT_ONLY], { stdin: fixture(GOOD) });
    expect(r).toMatchObject({ status: 0, stdout: "", stderr: "" });
  });

  it("no argument with a truncated mail piped: one terse ERROR line at the input line where it breaks, exit 1", async () => {
    const r = await run(["--format", "terse", ...FORMAT_ONLY], { stdin: fixture(TRUNCATED) });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(TRUNCATED_TERSE + "\n");
  });

  it("`git diff | kreview`: a header-less diff on stdin is a patch with no subject and no Message-ID", async () => {
    const r = await runJson([...FORMAT_ONLY], { stdin: fixture(GIT_DIFF) });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.report.messages).toEqual([{ source: "-", index: 0, messageId: "", subject: "", kind: "patch", findings: [], problems: [] }]);
  });

  it("empty stdin (not a tty) is an unreadable input: exit 2, stderr says so", async () => {
    const r = await run([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("kreview: -: empty input\n");
  });
  // No argument on a terminal ("kreview" typed alone) needs a tty for stdin: not testable here.
});

describe("plain diffs and the web-archive form", () => {
  it("git diff and diff -u files are patches with no headers; every line is counted", async () => {
    const [gitDiff, diffU, text] = await Promise.all([
      runJson([...FORMAT_ONLY, GIT_DIFF]),
      runJson([...FORMAT_ONLY, DIFF_U]),
      run([...FORMAT_ONLY, GIT_DIFF]),
    ]);
    for (const r of [gitDiff, diffU]) {
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.report.messages).toHaveLength(1);
      expect(r.report.messages[0]).toMatchObject({ messageId: "", subject: "", kind: "patch", findings: [], problems: [] });
    }
    expect(text.stdout.split("\n")[0]).toBe("total: 0 errors, 0 warnings, 29 lines checked"); // git-diff.txt has 29 lines
  });

  it("seed 002, a whole patch as a web archive shows it (tabs after '+' collapsed), is a patch", async () => {
    const r = await runJson([...FORMAT_ONLY, SEED_PATCH]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.report.messages).toHaveLength(1);
    expect(r.report.messages[0]).toMatchObject({ kind: "patch", findings: [], problems: [] });
  });

  it("seed 002 cut inside its first hunk: the web form's hunks are counted, the error names the page line", async () => {
    // Line 51 of the seed is `@@ -0,0 +1,53 @@` for include/linux/memfile_notifier.h; keep 29 of its 53 lines.
    const lines = fixture(SEED_PATCH).toString("utf8").split("\n");
    expect(lines[50]).toBe("@@ -0,0 +1,53 @@");
    writeFileSync(path.join(tmp, "cut-002.txt"), lines.slice(0, 80).join("\n") + "\n");
    const r = await run(["--format", "terse", ...FORMAT_ONLY, "cut-002.txt"], { cwd: tmp });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      "cut-002.txt:80: ERROR: hunk ends after 29 of 53 lines: the mail may be truncated or the counts are wrong (in include/linux/memfile_notifier.h) [patch-format]\n",
    );
  });
});

describe("a cover letter", () => {
  it("is no-diff with no finding from any rule, exit 0", async () => {
    const [json, text] = await Promise.all([runJson([COVER]), run([COVER])]);
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    expect(json.report.messages).toEqual([
      {
        source: COVER,
        index: 0,
        messageId: expect.any(String),
        subject: "[PATCH 0/5] cxl/pmem: Add core infrastructure for PMEM support",
        kind: "no-diff",
        findings: [],
        problems: [],
      },
    ]);
    expect(text.stdout).toBe(`total: 0 errors, 0 warnings, 74 lines checked\n\n${COVER} has no diff to review.\n`);
  });
});

describe("inputs that cannot be read", () => {
  it("a binary file beside a good patch: stderr names it, the good patch is still reported, exit 2", async () => {
    const bytes = randomBytes(4096);
    bytes[0] = 0x7f; // not the gzip magic, whatever random gave
    bytes[100] = 0;
    bytes[2000] = 0;
    writeFileSync(path.join(tmp, "firmware.bin"), bytes);
    writeFileSync(path.join(tmp, "good.eml"), fixture(GOOD));

    const [json, text] = await Promise.all([
      runJson([...FORMAT_ONLY, "firmware.bin", "good.eml"], { cwd: tmp }),
      run([...FORMAT_ONLY, "firmware.bin", "good.eml"], { cwd: tmp }),
    ]);
    for (const r of [json, text]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toBe("kreview: firmware.bin: not a text file (binary data)\n");
    }
    expect(json.report.messages.map((m) => [m.source, m.kind, m.subject])).toEqual([["good.eml", "patch", GOOD_SUBJECT]]);
    expect(text.stdout).toContain("good.eml has no obvious review points and is ready for submission.\n");
  });

  it("a missing path: exit 2, stderr names it; the other inputs are still reported", async () => {
    const [alone, withGood] = await Promise.all([
      run(["no-such-dir/0001-missing.patch"]),
      runJson([...FORMAT_ONLY, "no-such-dir/0001-missing.patch", GOOD]),
    ]);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toBe("kreview: no-such-dir/0001-missing.patch: no such file or directory\n");
    expect(withGood.status).toBe(2);
    expect(withGood.stderr).toBe("kreview: no-such-dir/0001-missing.patch: no such file or directory\n");
    expect(withGood.report.messages.map((m) => m.subject)).toEqual([GOOD_SUBJECT]);
  });

  it("a truncated mail: a patch-format ERROR at line 300, where it breaks, exit 1", async () => {
    const lines = fixture(TRUNCATED).toString("utf8").split("\n");
    expect(lines).toHaveLength(301); // 300 lines and the final newline
    const r = await runJson([...FORMAT_ONLY, TRUNCATED]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.report.messages).toHaveLength(1);
    const m = r.report.messages[0]!;
    expect(m.kind).toBe("patch");
    expect(m.subject).toBe("[PATCH v5 02/13] mm: Introduce memfile_notifier");
    expect(m.findings).toHaveLength(1);
    expect(m.findings[0]).toMatchObject({
      rule: "patch-format",
      severity: "error",
      file: "mm/memfile_notifier.c",
      line: null,
      column: null,
      patchLine: 300,
      confidence: "high",
    });
  });
});
