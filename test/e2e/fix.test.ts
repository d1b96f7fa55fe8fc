/**
 * `--fix` and `--fix-inplace` as a user meets them (docs/baselines-and-fixes.md),
 * on the real v5 memfile_notifier patch, whose `!notifier | !pfn_ops` has a
 * machine-applicable fix: the fixed patch no longer has the finding, still
 * parses with the same hunks, and `git apply --check` takes it against a tree
 * made from the patch's own pre-image.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Patch } from "../../src/patch/model.js";
import { patchesOf } from "../helpers/pipeline.js";
import { fixture, makeTmp, removeTmp, run, runJson } from "./run.js";

const SEED = "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml";
const BAD = "\tif (!inode || !notifier | !pfn_ops)";
const GOOD = "\tif (!inode || !notifier || !pfn_ops)";

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));
const file = (name: string) => path.join(tmp, name);

/** The hunk headers of a patch file as the patch model reads them, with whether each hunk is whole. */
async function hunksOf(p: string): Promise<string[]> {
  const [patch] = await patchesOf(p);
  return patch!.files.flatMap((f) => f.hunks.map((h) => `${f.path} -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} ${h.complete ? "complete" : "CUT"}`));
}

/**
 * A tree the patch applies to: each file it changes, made of its pre-image
 * lines where the hunks show them and filler elsewhere (ending where the
 * last hunk ends, as git apply checks for a hunk at the end of a file).
 */
function preimageTree(patch: Patch, dir: string): void {
  for (const f of patch.files) {
    if (f.oldPath === null) continue; // a new file: nothing to make
    const lines: string[] = [];
    for (const h of f.hunks) {
      let no = h.oldStart;
      for (const l of h.lines) {
        if (l.kind === "+") continue;
        while (lines.length < no - 1) lines.push(`# filler ${lines.length + 1}`);
        lines[no - 1] = l.text;
        no++;
      }
    }
    mkdirSync(path.dirname(path.join(dir, f.oldPath)), { recursive: true });
    writeFileSync(path.join(dir, f.oldPath), lines.join("\n") + "\n");
  }
}

function gitApply(args: string[], cwd: string) {
  const r = spawnSync("git", ["apply", ...args], { cwd, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("--fix on a real patch", () => {
  it("writes <file>.kreview-fixed with the machine fix, says so on stderr, reports the input as usual and leaves it alone", async () => {
    writeFileSync(file("p.eml"), fixture(SEED));
    const plain = await run(["--no-config", "p.eml"], { cwd: tmp });
    const r = await run(["--no-config", "--fix", "p.eml"], { cwd: tmp });
    expect(r.stdout).toBe(plain.stdout); // the report is about the input as it is
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("kreview: wrote p.eml.kreview-fixed: 1 fix (bitwise-or-in-condition at mm/memfile_notifier.c:83)\n");
    expect(readFileSync(file("p.eml"))).toEqual(fixture(SEED));

    const before = readFileSync(file("p.eml"), "utf8").split("\n");
    const after = readFileSync(file("p.eml.kreview-fixed"), "utf8").split("\n");
    expect(after).toHaveLength(before.length);
    const changed = before.map((l, i) => [i + 1, l, after[i]] as const).filter(([, a, b]) => a !== b);
    expect(changed).toEqual([[306, `+${BAD}`, `+${GOOD}`]]);
  });

  it("kreview on the fixed patch no longer reports it, and says the rest as before", async () => {
    const orig = await runJson(["--no-config", "p.eml"], { cwd: tmp });
    const fixed = await runJson(["--no-config", "p.eml.kreview-fixed"], { cwd: tmp });
    const rules = (r: typeof orig) => r.report.messages.flatMap((m) => m.findings.map((f) => `${f.rule}@${f.line}`));
    expect(rules(orig)).toContain("bitwise-or-in-condition@83");
    expect(rules(fixed)).toEqual(rules(orig).filter((k) => k !== "bitwise-or-in-condition@83"));
  });

  it("the fixed patch parses with the same hunks and applies where the original does (git apply --check)", async () => {
    expect(await hunksOf(file("p.eml.kreview-fixed"))).toEqual(await hunksOf(file("p.eml")));
    const tree = file("tree");
    const [patch] = await patchesOf(file("p.eml"));
    preimageTree(patch!, tree);
    expect(gitApply(["--check", file("p.eml")], tree)).toEqual({ status: 0, stderr: "" });
    expect(gitApply(["--check", file("p.eml.kreview-fixed")], tree)).toEqual({ status: 0, stderr: "" });
    expect(gitApply([file("p.eml.kreview-fixed")], tree).status).toBe(0);
    expect(readFileSync(path.join(tree, "mm/memfile_notifier.c"), "utf8").split("\n")[82]).toBe(GOOD);
  });

  it("--fix-inplace rewrites the input itself, keeping its mode", async () => {
    writeFileSync(file("q.eml"), fixture(SEED));
    chmodSync(file("q.eml"), 0o640);
    const r = await run(["--no-config", "--fix-inplace", "q.eml"], { cwd: tmp });
    expect(r.stderr).toBe("kreview: q.eml: fixed in place: 1 fix (bitwise-or-in-condition at mm/memfile_notifier.c:83)\n");
    expect(readFileSync(file("q.eml"))).toEqual(readFileSync(file("p.eml.kreview-fixed")));
    expect(statSync(file("q.eml")).mode & 0o777).toBe(0o640);
    expect(existsSync(file("q.eml.kreview-fixed"))).toBe(false);
  });
});

/** A format-patch mail adding `body` to foo() in drivers/foo.c. */
function mail(n: number, body: string[]): string {
  return [
    "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
    "From: A U Thor <author@example.org>",
    `Subject: [PATCH ${n}/2] foo: check the arguments`,
    "",
    "Signed-off-by: A U Thor <author@example.org>",
    "---",
    "diff --git a/drivers/foo.c b/drivers/foo.c",
    "--- a/drivers/foo.c",
    "+++ b/drivers/foo.c",
    `@@ -10,3 +10,${3 + body.length} @@ static int foo(struct bar *b, int x)`,
    " \tint y = 0;",
    ...body.map((l) => `+${l}`),
    " \treturn y;",
    " }",
    "-- ",
    "2.39.2",
    "",
    "",
  ].join("\n");
}

describe("a patch whose fixes are not all machine-applicable", () => {
  it("in an mbox, the first patch is fixed, the second, with a maybe-incorrect fix, is left whole and said so; an encoded body is left too", async () => {
    const one = mail(1, ["\tif (!b | !x)", "\t\treturn -EINVAL;"]);
    const two = mail(2, ["\tif (!b | !x)", "\t\treturn -EINVAL;", "\tif (!b->ops | !foo_ready(b))", "\t\treturn -EBUSY;"]);
    writeFileSync(file("s.mbox"), one + two);
    // The first patch again, its body sent quoted-printable: the lines kreview reads are not the file's.
    const qp = one.replace("\n\nSigned-off-by", "\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\nSigned-off-by").replace(/\t/g, "=09");
    writeFileSync(file("qp.eml"), qp);
    const r = await run(["--no-config", "--only", "bitwise-or-in-condition", "--fix", "s.mbox", "qp.eml"], { cwd: tmp });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "kreview: s.mbox, message 2 ([PATCH 2/2] foo: check the arguments): not fixed: the fix of bitwise-or-in-condition at drivers/foo.c:13 is maybe-incorrect; none of this patch's fixes are applied\n" +
        "kreview: wrote s.mbox.kreview-fixed: 1 fix (bitwise-or-in-condition at drivers/foo.c:11)\n" +
        "kreview: qp.eml: not fixed: its lines in the file are not the patch's lines as read (a mail body sent encoded or reflowed): bitwise-or-in-condition at drivers/foo.c:11; none of this patch's fixes are applied\n",
    );
    expect(readFileSync(file("s.mbox.kreview-fixed"), "utf8")).toBe(one.replace("+\tif (!b | !x)", "+\tif (!b || !x)") + two);
    expect(existsSync(file("qp.eml.kreview-fixed"))).toBe(false);
  });

  it("a patch with only a maybe-incorrect fix: no file is written", async () => {
    writeFileSync(file("m.patch"), mail(1, ["\tif (!b->ops | !foo_ready(b))", "\t\treturn -EBUSY;"]));
    const r = await run(["--no-config", "--only", "bitwise-or-in-condition", "--fix", "m.patch"], { cwd: tmp });
    expect(r.stderr).toBe("kreview: m.patch: not fixed: the fix of bitwise-or-in-condition at drivers/foo.c:11 is maybe-incorrect; none of this patch's fixes are applied\n");
    expect(existsSync(file("m.patch.kreview-fixed"))).toBe(false);
  });
});

describe("what --fix refuses, before linting: exit 2, one line", () => {
  class Sink extends Writable {
    text = "";
    override _write(chunk: Buffer, _enc: string, cb: () => void): void {
      this.text += chunk.toString();
      cb();
    }
  }
  async function kreview(args: string[], stdinText?: string) {
    const stdout = new Sink();
    const stderr = new Sink();
    const stdin = Readable.from(stdinText === undefined ? [] : [Buffer.from(stdinText)]) as Readable & { isTTY?: boolean };
    const status = await main(["--no-config", "--no-tree", ...args], { stdin, stdout, stderr, cwd: tmp });
    return { status, stdout: stdout.text, stderr: stderr.text };
  }

  it("stdin, --git, a gzip archive, both options at once", async () => {
    writeFileSync(file("a.mbox.gz"), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    for (const [args, message] of [
      [["--fix", "-"], "kreview: --fix: stdin has no file to write the fixed patch to: name the patch file instead\n"],
      [["--fix-inplace", "--git", "-1"], "kreview: --fix-inplace rewrites patch files, and --git lints commits: a fix to a commit belongs in the commit (git commit --amend, or git rebase -i)\n"],
      [["--fix", "a.mbox.gz"], "kreview: --fix: a.mbox.gz is gzip-compressed: kreview does not rewrite compressed archives (gunzip it first)\n"],
      [["--fix", "--fix-inplace", "p.eml"], "kreview: --fix and --fix-inplace: choose one (a new file beside the input, or the input itself)\n"],
    ] as const) {
      const r = await kreview([...args], "");
      expect(r).toEqual({ status: 2, stdout: "", stderr: message });
    }
  });
});
