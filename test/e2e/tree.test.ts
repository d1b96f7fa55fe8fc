/**
 * The kernel tree as context, through the real binary: a finding the hunk
 * alone cannot settle (the function's head and the lock that guards the list
 * are above the hunk) is settled when kreview runs in the tree; a tree whose
 * file does not match falls back to the hunks and says so; paths that leave
 * the tree are refused; nothing in the tree is written.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTmp, removeTmp, run, runJson } from "./run.js";

const BASE = `// SPDX-License-Identifier: GPL-2.0
#include <linux/list.h>
#include <linux/spinlock.h>

struct example_dev {
	struct list_head entries;
	spinlock_t entries_lock;
	int count;
};

void example_dev_queue(struct example_dev *dev, struct example_entry *e)
{
	example_entry_prepare(e);
	example_entry_check(e);
	example_entry_stamp(e);
	example_entry_hold(e);
	example_entry_note(e);
	example_entry_mark(e);
	example_entry_trace(e);
	example_entry_count(e);
	dev->count++;
	example_dev_kick(dev);
}
`;

let tmp: string;
let tree: string;
let patchFile: string;

function git(args: string[], cwd = tree): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" } });
}

/** A hash of every file under a directory (but .git), to prove nothing was written. */
function snapshot(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      if (n === ".git") continue;
      const p = path.join(d, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile()) h.update(p).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex");
}

beforeAll(() => {
  tmp = makeTmp();
  tree = path.join(tmp, "linux");
  for (const d of ["scripts", "include/linux", "drivers/misc"]) mkdirSync(path.join(tree, d), { recursive: true });
  for (const f of ["MAINTAINERS", "Makefile", "Kbuild"]) writeFileSync(path.join(tree, f), "");
  writeFileSync(path.join(tree, "drivers/misc/example.c"), BASE);
  git(["init", "-q"]);
  git(["config", "user.name", "A U Thor"]);
  git(["config", "user.email", "author@example.org"]);
  git(["add", "-A"]);
  git(["commit", "-qm", "base"]);
  writeFileSync(path.join(tree, "drivers/misc/example.c"), BASE.replace("\tdev->count++;\n", "\tdev->count++;\n\tlist_add(&e->node, &dev->entries);\n"));
  git(["commit", "-qam", "misc: queue entries"]);
  patchFile = path.join(tmp, "0001-misc-queue-entries.patch");
  writeFileSync(patchFile, git(["format-patch", "--stdout", "-1", "HEAD"]));
  git(["reset", "-q", "--hard", "HEAD~1"]); // the tree holds the pre-image, as before sending
});
afterAll(() => removeTmp(tmp));

const listFindings = (r: Awaited<ReturnType<typeof runJson>>) => r.report.messages.flatMap((m) => m.findings).filter((f) => f.rule === "list-mutation-unlocked");

describe("the tree as context", () => {
  it("the hunk alone cannot see the head or the lock: no finding", async () => {
    const r = await runJson(["--no-tree", patchFile], { cwd: tree });
    expect(r.stderr).toBe("");
    expect(listFindings(r)).toEqual([]);
  });

  it("inside the tree, the whole function and the struct are seen: the list change outside its lock is reported", async () => {
    const before = snapshot(tree);
    for (const args of [[patchFile], ["--tree", tree, patchFile]]) {
      const r = await runJson(args, { cwd: args.length === 1 ? path.join(tree, "drivers") : tmp });
      expect(r.stderr).toBe("");
      expect(listFindings(r)).toEqual([
        expect.objectContaining({
          file: "drivers/misc/example.c",
          line: 22,
          message: "'dev->entries' is changed here without 'dev->entries_lock', which guards it: 'entries_lock' beside it in struct example_dev is named for it",
        }),
      ]);
      expect(r.report.messages[0]!.problems).toEqual([]);
    }
    expect(snapshot(tree)).toBe(before);
  });

  it("works on a tree that already holds the patch (the post-image), as with --git", async () => {
    git(["apply", patchFile]);
    try {
      const r = await runJson([patchFile], { cwd: tree });
      expect(listFindings(r).map((f) => f.line)).toEqual([22]);
    } finally {
      git(["checkout", "-q", "--", "."]);
    }
  });

  it("falls back to the hunks, and says so, when the tree's file does not match the patch", async () => {
    const file = path.join(tree, "drivers/misc/example.c");
    writeFileSync(file, BASE.replace("example_entry_count(e);", "example_entry_tally(e);"));
    try {
      const r = await runJson([patchFile], { cwd: tree });
      expect(listFindings(r)).toEqual([]);
      expect(r.report.messages[0]!.problems).toEqual([
        "drivers/misc/example.c: the tree's file does not match the patch's context: linted from the hunks alone",
      ]);
    } finally {
      git(["checkout", "-q", "--", "."]);
    }
  });

  it("never reads outside the tree: '..', absolute paths and symlinks that leave it are refused", async () => {
    const outside = path.join(tmp, "outside");
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, "secret.c"), BASE);
    symlinkSync(path.join(outside, "secret.c"), path.join(tree, "drivers/misc/link.c"));
    const text = readFileSync(patchFile, "utf8");
    const named = (p: string) => text.replaceAll("a/drivers/misc/example.c", `a/${p}`).replaceAll("b/drivers/misc/example.c", `b/${p}`);
    const cases: [string, string][] = [
      ["../outside/secret.c", "../outside/secret.c: not read from the tree: the patch names a path outside it"],
      ["drivers/misc/link.c", "drivers/misc/link.c: not read from the tree: it is a symlink that leads outside it"],
      [`${outside}/secret.c`, `${outside}/secret.c: not read from the tree: the patch names a path outside it`],
    ];
    const before = snapshot(outside) + snapshot(tree);
    for (const [p, problem] of cases) {
      const f = path.join(tmp, `named-${path.basename(p)}.patch`);
      writeFileSync(f, named(p));
      const r = await runJson([f], { cwd: tree });
      expect(r.stderr).toBe("");
      expect(r.report.messages[0]!.problems).toEqual([problem]);
      expect(listFindings(r)).toEqual([]);
    }
    expect(snapshot(outside) + snapshot(tree)).toBe(before);
  });

  it("outside any tree, the report says once which rules saw the hunks only (not on stderr); not with --no-tree, nor with -q", async () => {
    const elsewhere = path.join(tmp, "elsewhere");
    mkdirSync(elsewhere, { recursive: true });
    const [inTree, outside, noTree, quiet, json] = await Promise.all([
      run([patchFile], { cwd: tree }),
      run([patchFile], { cwd: elsewhere }),
      run(["--no-tree", patchFile], { cwd: elsewhere }),
      run(["-q", patchFile], { cwd: elsewhere }),
      runJson([patchFile], { cwd: elsewhere }),
    ]);
    // the same patch: an error in the tree, "ready" outside it, which the note now explains
    expect(inTree.status).toBe(1);
    expect(inTree.stdout).toContain("ERROR:list-mutation-unlocked:");
    expect(inTree.stdout).not.toContain("NOTE: no kernel tree");
    expect(outside.status).toBe(0);
    expect(outside.stderr).toBe("");
    expect(outside.stdout).toMatch(/has no obvious review points and is ready for submission\.\n\nNOTE: no kernel tree found: ([a-z-]+, )*list-mutation-unlocked(, [a-z-]+)* saw the hunks only, not whole files; run inside the tree or give --tree DIR \(--no-tree: hunks only, no note\)\n$/);
    // check-level rules report nothing without --strict: they are not named
    expect(outside.stdout).not.toMatch(/NOTE: .*safe-iterator-misuse/);
    expect(outside.stdout.match(/NOTE: /g)).toHaveLength(1);
    expect(noTree.stdout).toBe(outside.stdout.replace(/\n\nNOTE: .*\n$/, "\n"));
    expect(quiet).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(json.stderr).toBe("");
    expect((json.report as unknown as { notes: string[] }).notes).toEqual([expect.stringMatching(/^no kernel tree found: .*list-mutation-unlocked/)]);
    const strict = await run(["--strict", patchFile], { cwd: elsewhere });
    expect(strict.stdout).toMatch(/NOTE: no kernel tree found: .*safe-iterator-misuse/);
  });

  it("--tree that is not a kernel tree is a usage error", async () => {
    const r = await run(["--tree", tmp, patchFile], { cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--tree .*: not the top of a kernel tree/);
  });
});
