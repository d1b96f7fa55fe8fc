/**
 * `kreview hook install|uninstall|status|run` as a user meets them: the real
 * bin/kreview run as a process in temporary git repositories, the installed
 * hook run as git runs it, and at the end real `git send-email --validate`
 * "sending" through a fake sendmail that records what it is given.
 *
 * Every git and kreview process here gets an empty global git config and a
 * temporary HOME, so a developer's own core.hooksPath or sendemail.* settings
 * cannot leak in. The send-email tests need git send-email (Debian package
 * git-email); without it they say so and pass without running.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinRules } from "../../rules/index.js";
import { hookRun } from "../../src/cli/hook.js";
import { createLinter, type Rule, type Site } from "../../src/engine/index.js";
import { BIN, makeTmp, removeTmp, REPO } from "./run.js";

const HOOK = "sendemail-validate";
const MARKER = "# kreview sendemail-validate hook";
const BAD = path.join(REPO, "fixtures/bitwise-or-in-condition/bad-memfile-v5-patch.eml");
const GOOD = path.join(REPO, "fixtures/patch-format/good-complete-patch.eml");
const COVER = path.join(REPO, "fixtures/patch/cover-letter.eml");
const OTHER = path.join(REPO, "fixtures/patch/rename-iomap.eml");

let tmp: string;
let env: NodeJS.ProcessEnv;
let repoCount = 0;

beforeAll(() => {
  tmp = realpathSync(makeTmp()); // git reports physical paths
  const globalConfig = path.join(tmp, "empty-gitconfig");
  writeFileSync(globalConfig, "");
  // HOME too: no ~/.gitconfig, and no kreview configuration from the developer's home
  env = { ...process.env, NO_COLOR: "1", HOME: tmp, GIT_CONFIG_GLOBAL: globalConfig, GIT_CONFIG_NOSYSTEM: "1" };
  // A test run from inside a git hook (or send-email) must not aim git at that repository.
  for (const v of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_SENDEMAIL_FILE_COUNTER", "GIT_SENDEMAIL_FILE_TOTAL"]) delete env[v];
});
afterAll(() => removeTmp(tmp));

// ---- helpers ----

interface Proc {
  status: number | null;
  stdout: string;
  stderr: string;
}

const proc = (r: SpawnSyncReturns<string>): Proc => {
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** `node bin/kreview ...args` in `cwd`, stdin closed. */
function kreview(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Proc {
  return proc(spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }));
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A fresh repository with an identity (and one commit, so worktrees can be added). */
function newRepo(): string {
  const dir = path.join(tmp, `repo-${++repoCount}`);
  mkdirSync(dir);
  git(["init", "-q"], dir);
  git(["config", "user.name", "Kreview Test"], dir);
  git(["config", "user.email", "test@example.org"], dir);
  git(["commit", "-q", "--allow-empty", "-m", "initial"], dir);
  return dir;
}

/** Every entry of a directory tree: type, mode and content (a symlink's target), for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      const key = path.relative(dir, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out[key] = `dir ${mode}`;
        walk(p);
      } else if (st.isSymbolicLink()) out[key] = `link -> ${readlinkSync(p)}`;
      else out[key] = `file ${mode} ${readFileSync(p).toString("base64")}`;
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** A hook of "someone else": logs "old-hook ran $1" and exits with $OLD_HOOK_STATUS (default 0). */
function writeOldHook(hooks: string, log: string): string {
  const file = path.join(hooks, HOOK);
  writeFileSync(file, `#!/bin/sh\n# the user's own validation\necho "old-hook ran $1" >> '${log}'\nexit "\${OLD_HOOK_STATUS:-0}"\n`);
  chmodSync(file, 0o750); // an unusual mode, to see that it is kept
  return file;
}

/** Runs the installed hook as git does: cwd the worktree, the patch's absolute path as $1. */
function runHook(hooks: string, cwd: string, patch: string, extraEnv: NodeJS.ProcessEnv = {}): Proc {
  return proc(spawnSync(path.join(hooks, HOOK), [patch], { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }));
}

const hooksOf = (repo: string) => path.join(repo, ".git", "hooks");

// ---- install, status, uninstall ----

describe("kreview hook install / status / uninstall", () => {
  it("installs into a fresh repository, reports it, and uninstall leaves the hooks directory as it was", () => {
    const repo = newRepo();
    const hooks = hooksOf(repo);
    const before = snapshot(hooks);

    const s0 = kreview(["hook", "status"], repo);
    expect(s0).toEqual({ status: 0, stdout: `hooks directory: ${hooks}\n${HOOK}: none\n`, stderr: "" });

    const inst = kreview(["hook", "install"], repo);
    expect(inst).toEqual({ status: 0, stdout: `installed kreview's ${HOOK} hook in ${hooks}\n`, stderr: "" });
    const file = path.join(hooks, HOOK);
    expect(lstatSync(file).mode & 0o111).toBe(0o111);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("#!/bin/sh\n")).toBe(true);
    expect(text.split("\n")).toContain(MARKER);
    // absolute paths, so the hook works under git's environment whatever its PATH
    expect(text).toContain(`node='${process.execPath}'`);
    expect(text).toContain(`kreview='${BIN}'`);

    const s1 = kreview(["hook", "status"], repo);
    expect(s1).toEqual({ status: 0, stdout: `hooks directory: ${hooks}\n${HOOK}: kreview's hook\n`, stderr: "" });

    const un = kreview(["hook", "uninstall"], repo);
    expect(un).toEqual({ status: 0, stdout: `removed kreview's ${HOOK} hook from ${hooks}\n`, stderr: "" });
    expect(snapshot(hooks)).toEqual(before);

    const again = kreview(["hook", "uninstall"], repo);
    expect(again).toEqual({ status: 0, stdout: `no ${HOOK} hook installed in ${hooks}: nothing to do\n`, stderr: "" });
  });

  it("chains an existing hook: it still runs first, its failure still fails the hook, and uninstall restores it byte for byte", () => {
    const repo = newRepo();
    const hooks = hooksOf(repo);
    const log = path.join(tmp, `old-hook-${repoCount}.log`);
    writeOldHook(hooks, log);
    const before = snapshot(hooks);

    const inst = kreview(["hook", "install"], repo);
    expect(inst.status).toBe(0);
    expect(inst.stderr).toBe("");
    expect(inst.stdout).toBe(`moved the existing hook to ${path.join(hooks, `${HOOK}.kreview-chained`)}; kreview's hook in ${hooks} runs it first, then kreview\n`);
    // the old hook moved aside untouched, mode included
    expect(snapshot(hooks)[`${HOOK}.kreview-chained`]).toBe(before[HOOK]);
    expect(kreview(["hook", "status"], repo).stdout).toBe(`hooks directory: ${hooks}\n${HOOK}: kreview's hook, chained to the earlier hook ${HOOK}.kreview-chained\n`);

    // old hook passes, kreview passes
    const ok = runHook(hooks, repo, GOOD);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(""); // a clean file passes quietly
    expect(readFileSync(log, "utf8")).toBe(`old-hook ran ${GOOD}\n`);

    // old hook passes, kreview finds errors
    const bad = runHook(hooks, repo, BAD);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("ERROR:bitwise-or-in-condition:");
    expect(readFileSync(log, "utf8")).toBe(`old-hook ran ${GOOD}\nold-hook ran ${BAD}\n`);

    // old hook fails (it sees our environment): its status fails the hook, and kreview is not even run
    const failing = runHook(hooks, repo, GOOD, { OLD_HOOK_STATUS: "3" });
    expect(failing.status).toBe(3);
    expect(failing.stdout).toBe("");
    expect(readFileSync(log, "utf8")).toBe(`old-hook ran ${GOOD}\nold-hook ran ${BAD}\nold-hook ran ${GOOD}\n`);

    const un = kreview(["hook", "uninstall"], repo);
    expect(un).toEqual({ status: 0, stdout: `removed kreview's hook and restored ${path.join(hooks, HOOK)} from ${HOOK}.kreview-chained\n`, stderr: "" });
    expect(snapshot(hooks)).toEqual(before);
  });

  it("--force replaces an existing hook, keeps a backup that is not run, and uninstall restores it", () => {
    const repo = newRepo();
    const hooks = hooksOf(repo);
    const log = path.join(tmp, `old-hook-${repoCount}.log`);
    writeOldHook(hooks, log);
    const before = snapshot(hooks);

    const inst = kreview(["hook", "install", "--force"], repo);
    const backup = path.join(hooks, `${HOOK}.kreview-backup`);
    expect(inst).toEqual({ status: 0, stdout: `replaced ${path.join(hooks, HOOK)} with kreview's hook; the old hook is kept as ${backup} (uninstall restores it)\n`, stderr: "" });
    expect(snapshot(hooks)[`${HOOK}.kreview-backup`]).toBe(before[HOOK]);
    expect(existsSync(path.join(hooks, `${HOOK}.kreview-chained`))).toBe(false);
    expect(kreview(["hook", "status"], repo).stdout).toBe(`hooks directory: ${hooks}\n${HOOK}: kreview's hook, the hook it replaced kept as ${HOOK}.kreview-backup\n`);

    const r = runHook(hooks, repo, GOOD);
    expect(r.status).toBe(0);
    expect(existsSync(log)).toBe(false); // replaced, not chained

    const un = kreview(["hook", "uninstall"], repo);
    expect(un).toEqual({ status: 0, stdout: `removed kreview's hook and restored ${path.join(hooks, HOOK)} from ${HOOK}.kreview-backup\n`, stderr: "" });
    expect(snapshot(hooks)).toEqual(before);
  });

  it("a second install changes nothing, with or without --force", () => {
    const repo = newRepo();
    const hooks = hooksOf(repo);
    expect(kreview(["hook", "install"], repo).status).toBe(0);
    const installed = snapshot(hooks);
    for (const args of [["hook", "install"], ["hook", "install", "--force"]]) {
      expect(kreview(args, repo)).toEqual({ status: 0, stdout: `kreview's ${HOOK} hook is already installed in ${hooks}\n`, stderr: "" });
      expect(snapshot(hooks)).toEqual(installed);
    }
  });

  it("refuses to install over a leftover .kreview-chained or .kreview-backup, and changes nothing", () => {
    const repo = newRepo();
    const hooks = hooksOf(repo);
    writeOldHook(hooks, path.join(tmp, "unused.log"));
    for (const [leftover, args] of [
      [`${HOOK}.kreview-chained`, ["hook", "install"]],
      [`${HOOK}.kreview-backup`, ["hook", "install", "--force"]],
    ] as const) {
      for (const name of readdirSync(hooks)) if (name.includes(".kreview-")) rmSync(path.join(hooks, name));
      writeFileSync(path.join(hooks, leftover), "#!/bin/sh\n# an earlier hook\nexit 0\n", { mode: 0o755 });
      const before = snapshot(hooks);
      const r = kreview([...args], repo);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`kreview: ${path.join(hooks, leftover)} is left from an earlier install; rename it back to ${HOOK} or remove it, then install again (nothing changed)\n`);
      expect(snapshot(hooks)).toEqual(before);
      expect(kreview(["hook", "status"], repo).stdout).toBe(`hooks directory: ${hooks}\n${HOOK}: someone else's hook (not kreview's)\nnote: ${leftover} is left from an earlier install\n`);
    }
  });

  it("uninstall refuses to delete a hook that is not kreview's", () => {
    const repo = newRepo();
    const hooks = hooksOf(repo);
    writeOldHook(hooks, path.join(tmp, "unused.log"));
    const before = snapshot(hooks);
    const r = kreview(["hook", "uninstall"], repo);
    expect(r).toEqual({ status: 2, stdout: "", stderr: `kreview: ${path.join(hooks, HOOK)} is not kreview's hook, left alone\n` });
    expect(snapshot(hooks)).toEqual(before);
  });

  it("installs where core.hooksPath points, absolute or relative to the worktree (from a subdirectory too)", () => {
    const repo = newRepo();
    const custom = path.join(tmp, `custom-hooks-${repoCount}`); // does not exist yet: install creates it
    git(["config", "core.hooksPath", custom], repo);
    const inst = kreview(["hook", "install"], repo);
    expect(inst).toEqual({ status: 0, stdout: `installed kreview's ${HOOK} hook in ${custom}\n`, stderr: "" });
    expect(readFileSync(path.join(custom, HOOK), "utf8")).toContain(MARKER);
    expect(existsSync(path.join(hooksOf(repo), HOOK))).toBe(false);
    expect(kreview(["hook", "status"], repo).stdout).toBe(`hooks directory: ${custom}\n${HOOK}: kreview's hook\n`);
    expect(kreview(["hook", "uninstall"], repo).status).toBe(0);
    expect(readdirSync(custom)).toEqual([]);

    git(["config", "core.hooksPath", "githooks"], repo);
    const sub = path.join(repo, "sub");
    mkdirSync(sub);
    expect(kreview(["hook", "install"], sub)).toEqual({ status: 0, stdout: `installed kreview's ${HOOK} hook in ${path.join(repo, "githooks")}\n`, stderr: "" });
    // the hook is where git itself looks for it
    expect(path.resolve(repo, git(["rev-parse", "--git-path", `hooks/${HOOK}`], repo))).toBe(path.join(repo, "githooks", HOOK));
    expect(existsSync(path.join(repo, "githooks", HOOK))).toBe(true);
  });

  it("from a linked worktree, installs into the hooks directory the worktrees share", () => {
    const repo = newRepo();
    const wt = path.join(tmp, `worktree-${repoCount}`);
    git(["worktree", "add", "-q", wt], repo);
    const hooks = hooksOf(repo);
    expect(kreview(["hook", "install"], wt)).toEqual({ status: 0, stdout: `installed kreview's ${HOOK} hook in ${hooks}\n`, stderr: "" });
    expect(readFileSync(path.join(hooks, HOOK), "utf8")).toContain(MARKER);
    expect(kreview(["hook", "status"], repo).stdout).toBe(`hooks directory: ${hooks}\n${HOOK}: kreview's hook\n`);
    expect(kreview(["hook", "uninstall"], wt).status).toBe(0);
    expect(existsSync(path.join(hooks, HOOK))).toBe(false);
  });

  it("outside a git repository: a message naming the directory, exit 2", () => {
    const dir = path.join(tmp, "not-a-repo");
    mkdirSync(dir);
    for (const sub of ["install", "uninstall", "status"]) {
      // GIT_CEILING_DIRECTORIES: do not find a repository that happens to contain the temporary directory
      const r = kreview(["hook", sub], dir, { GIT_CEILING_DIRECTORIES: tmp });
      expect(r).toEqual({ status: 2, stdout: "", stderr: `kreview: ${dir}: not a git repository (run 'kreview hook' inside the repository you send patches from)\n` });
    }
  });

  it("'hook run' is left out of the help", () => {
    const r = kreview(["hook", "--help"], tmp);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("install");
    expect(r.stdout).not.toMatch(/^\s+run\b/m);
  });
});

// ---- the hook's own run ----

describe("kreview hook run (what the installed hook calls)", () => {
  let repo: string;
  beforeAll(() => {
    repo = newRepo();
  });

  it("a patch with an error-level finding: checkpatch's block form on stdout, exit 1", () => {
    const r = kreview(["hook", "run", BAD], repo);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("ERROR:bitwise-or-in-condition: bitwise '|' between truth values in a condition");
    expect(r.stdout).toContain("#306: FILE: mm/memfile_notifier.c:83:");
    expect(r.stdout).toMatch(/total: \d+ errors, \d+ warnings, 340 lines checked/);
  });

  it("honours the repository's .kreview.json, as 'kreview FILE' does", () => {
    const cfg = path.join(repo, ".kreview.json");
    writeFileSync(cfg, JSON.stringify({ severity: { "bitwise-or-in-condition": "warning", "list-mutation-unlocked": "warning" } }));
    try {
      const r = kreview(["hook", "run", BAD], repo);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("WARNING:bitwise-or-in-condition:");
      writeFileSync(cfg, "{ \"ignore\": [\"no-such-rule\"] }\n");
      const broken = kreview(["hook", "run", BAD], repo);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toMatch(/\.kreview\.json:1:\d+: unknown rule 'no-such-rule'/);
    } finally {
      rmSync(cfg, { force: true });
    }
  });

  it("honours the baseline .kreview.json names: a judged finding does not block the send, a new one does", () => {
    const cfg = path.join(repo, ".kreview.json");
    const base = path.join(repo, "judged.json");
    // The baseline as --write-baseline makes it from the same patch, in this directory.
    const wrote = kreview(["--no-config", "--no-tree", "--write-baseline", base, BAD], repo);
    expect(wrote.status).toBe(1);
    writeFileSync(cfg, JSON.stringify({ baseline: "judged.json" }));
    try {
      const r = kreview(["hook", "run", BAD], repo);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain("ERROR:");
      // Only the bitwise finding judged: the others block the send again.
      const entries = JSON.parse(readFileSync(base, "utf8"));
      entries.findings = entries.findings.filter((e: { rule: string }) => e.rule === "bitwise-or-in-condition");
      writeFileSync(base, JSON.stringify(entries));
      const partly = kreview(["hook", "run", BAD], repo);
      expect(partly.status).toBe(1);
      expect(partly.stdout).not.toContain("ERROR:bitwise-or-in-condition:");
      expect(partly.stdout).toContain("ERROR:list-mutation-unlocked:");
      expect(partly.stdout).toMatch(/total: \d+ errors, \d+ warnings, 340 lines checked, 1 suppressed by the baseline/);
      writeFileSync(base, "not json\n");
      const broken = kreview(["hook", "run", BAD], repo);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toContain("judged.json");
    } finally {
      rmSync(cfg, { force: true });
      rmSync(base, { force: true });
    }
  });

  it("a clean patch and a cover letter pass quietly; a second argument (git 2.41's headers file) is accepted", () => {
    const good = kreview(["hook", "run", GOOD, path.join(tmp, "no-such-headers")], repo);
    expect(good).toEqual({ status: 0, stdout: "", stderr: "" });
    const cover = kreview(["hook", "run", COVER], repo);
    expect(cover).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("a review reply passes: what it quotes is the author's code, not the sender's; the patch it answers is still refused", () => {
    const replies = path.join(tmp, "hook-run-replies.mbox");
    const made = kreview(["--format", "email", BAD, "-o", replies], repo);
    expect(made.status).toBe(1);
    // the reply quotes the bad line, and kreview reads it as a reply with that finding
    expect(readFileSync(replies, "utf8")).toContain("> +\tif (!inode || !notifier | !pfn_ops)");
    const asReply = kreview(["--format", "json", replies], repo);
    expect(JSON.parse(asReply.stdout).messages[0]).toMatchObject({ kind: "reply", findings: expect.arrayContaining([expect.objectContaining({ rule: "bitwise-or-in-condition" })]) });
    expect(kreview(["hook", "run", replies], repo)).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(kreview(["hook", "run", BAD], repo).status).toBe(1);
  });

  it("an unreadable file: a message naming it on stderr, exit 2", () => {
    const missing = path.join(tmp, "no-such.patch");
    const r = kreview(["hook", "run", missing], repo);
    expect(r).toEqual({ status: 2, stdout: "", stderr: `kreview: ${missing}: no such file or directory\n` });
  });

  it("with git 2.41's counters: lists the series' files in the git dir, restarts at file 1, and removes the list after the last", () => {
    const listDir = path.join(repo, ".git", "kreview-sendemail");
    const list = path.join(listDir, "3-files");
    const counters = (n: number) => ({ GIT_SENDEMAIL_FILE_COUNTER: String(n), GIT_SENDEMAIL_FILE_TOTAL: "3" });
    // a list left by an aborted send must not leak into this one
    mkdirSync(listDir, { recursive: true });
    writeFileSync(list, "/stale/0001-old.patch\n");

    const r1 = kreview(["hook", "run", COVER], repo, counters(1));
    expect(r1.status).toBe(0);
    expect(readFileSync(list, "utf8")).toBe(`${COVER}\n`);
    // each file is still checked alone as it comes: the same output as without counters
    const r2 = kreview(["hook", "run", GOOD], repo, counters(2));
    expect(r2).toEqual(kreview(["hook", "run", GOOD], repo));
    expect(readFileSync(list, "utf8")).toBe(`${COVER}\n${GOOD}\n`);

    const alone = kreview(["hook", "run", OTHER], repo);
    const r3 = kreview(["hook", "run", OTHER], repo, counters(3));
    // at the last file the series-wide rule runs over the three files: GOOD exports what none of them uses
    expect(r3.status).toBe(0);
    expect(r3.stdout.startsWith(alone.stdout)).toBe(true);
    const series = r3.stdout.slice(alone.stdout.length);
    expect(series).toContain("WARNING:export-without-user: 'dax_set_holder' is exported, but nothing in the series uses it");
    expect(series).toContain("good-complete-patch.eml has review points");
    expect(existsSync(list)).toBe(false);
    expect(existsSync(listDir)).toBe(false);
  });

  it("inside a kernel tree, lints with the tree's whole files as context, as 'kreview FILE' does there", () => {
    // The lock that guards the list is declared above the hunk: only the whole file shows it.
    const tree = newRepo();
    for (const d of ["scripts", "include", "drivers/demo"]) mkdirSync(path.join(tree, d), { recursive: true });
    for (const f of ["MAINTAINERS", "Makefile", "Kbuild"]) writeFileSync(path.join(tree, f), "");
    const body = Array.from({ length: 8 }, (_, i) => `\tdemo_step${i}(item);\n`).join("");
    const before = `#include <linux/list.h>\n#include <linux/spinlock.h>\n\nstruct demo_queue {\n\tstruct list_head items;\n\tspinlock_t items_lock;\n};\n\nvoid demo_queue_add(struct demo_queue *q, struct demo_item *item)\n{\n${body}\tdemo_kick(q);\n}\n`;
    const source = path.join(tree, "drivers/demo/queue.c");
    writeFileSync(source, before);
    git(["add", "-A"], tree);
    git(["commit", "-qm", "demo: queue"], tree);
    writeFileSync(source, before.replace("\tdemo_kick(q);\n", "\tlist_add(&item->node, &q->items);\n\tdemo_kick(q);\n"));
    git(["commit", "-qam", "demo: queue items"], tree);
    const patch = path.join(tmp, "0001-demo-queue-items.patch");
    writeFileSync(patch, git(["format-patch", "--stdout", "-1"], tree) + "\n");
    git(["reset", "-q", "--hard", "HEAD~1"], tree); // not applied yet, as before sending

    const inTree = kreview(["hook", "run", patch], tree);
    expect(inTree.status).toBe(1);
    expect(inTree.stdout).toContain("ERROR:list-mutation-unlocked:");
    expect(inTree.stdout).toBe(kreview(["-q", patch], tree).stdout);
    const alone = kreview(["hook", "run", patch], repo);
    expect(alone.status).toBe(0);
    expect(alone.stdout).not.toContain("list-mutation-unlocked");
  });

  it("without counters (git before 2.41), keeps no list", () => {
    const r = kreview(["hook", "run", GOOD], repo);
    expect(r.status).toBe(0);
    expect(existsSync(path.join(repo, ".git", "kreview-sendemail"))).toBe(false);
  });

  it("at the last file, a series-wide rule sees every patch of every listed file, in order, as one series", async () => {
    // No built-in rule is series-wide yet, so this drives the hook's entry point in-process with one that is.
    const seen: string[][] = [];
    const seriesRule: Rule = {
      id: "test-series",
      type: "problem",
      severity: "error",
      confidence: "high",
      summary: "test: counts the patches of a series",
      messages: { count: "series of {{n}} patches" },
      docs: "",
      series: {
        collect: (ctx) => {
          const cf = ctx.cfiles[0];
          const node = cf?.post.root.descendantsOfType("identifier").find((n) => cf.post.isAdded(n));
          return node ? ctx.site(node, cf.post) : undefined;
        },
        check(ctx) {
          seen.push(ctx.members.map((m) => m.subject));
          const last = ctx.members.length - 1;
          const site: Site = (ctx.members[last].data as Site | undefined) ?? { file: "", line: null, column: null, function: null, patchLine: null };
          ctx.report({ member: last, messageId: "count", data: { n: ctx.members.length }, site });
        },
      },
    };
    const linter = createLinter({ rules: [...builtinRules, seriesRule] });
    expect(linter.wantsSeries).toBe(true);
    const files = [COVER, GOOD, OTHER];
    const outputs: string[] = [];
    const statuses: number[] = [];
    for (const [i, file] of files.entries()) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const chunks: Buffer[] = [];
      stdout.on("data", (c: Buffer) => chunks.push(c));
      const io = { stdin: new PassThrough(), stdout, stderr, cwd: repo };
      const counters = { GIT_SENDEMAIL_FILE_COUNTER: String(i + 1), GIT_SENDEMAIL_FILE_TOTAL: String(files.length) };
      statuses.push(await hookRun(file, io, { ...env, ...counters }, linter));
      outputs.push(Buffer.concat(chunks).toString("utf8"));
    }
    // once, at the last file, over the two patches (the cover letter has no diff)
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(2);
    expect(seen[0][0]).toContain("dax: Introduce holder for dax_device");
    expect(outputs[0] + outputs[1]).not.toContain("series of");
    expect(outputs[2]).toContain("ERROR:test-series: series of 2 patches");
    expect(statuses).toEqual([0, 0, 1]);
    expect(existsSync(path.join(repo, ".git", "kreview-sendemail"))).toBe(false);
  });
});

// ---- git send-email, for real ----

/** git send-email ships apart from git (Debian: git-email); `--dump-aliases` runs it without sending or reading a repository. */
function sendEmailMissing(): string | null {
  const r = spawnSync("git", ["send-email", "--dump-aliases"], { cwd: tmp, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return r.status === 0 ? null : "git send-email is not installed (Debian package git-email)";
}

describe("git send-email --validate with kreview's hook", () => {
  let skip: string | null = null;
  let repo: string;
  let record: string;
  let fakeSendmail: string;

  beforeAll(() => {
    skip = sendEmailMissing();
    if (skip) {
      console.log(`skipping send-email tests: ${skip}`);
      return;
    }
    repo = newRepo();
    record = path.join(tmp, "sent.mbox");
    fakeSendmail = path.join(tmp, "fake-sendmail.sh");
    // sendmail's interface: recipients as arguments, the message on stdin
    writeFileSync(fakeSendmail, `#!/bin/sh\n{ echo "=== to: $*"; cat; } >> '${record}'\n`, { mode: 0o755 });
    expect(kreview(["hook", "install"], repo).status).toBe(0);
  });

  /** `git send-email` of `files` from `cwd`, "sent" through the fake sendmail; stdin closed, so it cannot wait on a prompt. */
  const sendEmail = (cwd: string, files: string[], extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Proc =>
    proc(
      spawnSync(
        "git",
        ["send-email", `--smtp-server=${fakeSendmail}`, "--from=Kreview Test <test@example.org>", "--to=list@example.org", "--confirm=never", "--quiet", "--8bit-encoding=UTF-8", "--no-chain-reply-to", "--suppress-cc=all", ...extra, ...files],
        { cwd, env: { ...env, ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 },
      ),
    );
  /** The Subject lines of what the fake sendmail was given, and forget them. */
  const takeSent = (): string[] => {
    if (!existsSync(record)) return [];
    const sent = readFileSync(record, "utf8");
    removeTmp(record);
    return sent.split("\n").filter((l) => l.startsWith("Subject: "));
  };

  it("a patch with an error-level finding: the send is aborted by the hook and nothing is sent", () => {
    if (skip) return;
    const r = sendEmail(repo, [BAD]);
    expect(r.status).not.toBe(0);
    const said = r.stdout + r.stderr;
    expect(said).toContain(`${BAD}: rejected by sendemail-validate hook`);
    expect(said).toContain("ERROR:bitwise-or-in-condition:"); // the user sees why
    expect(said).toContain("no patches were sent");
    expect(takeSent()).toEqual([]);
  });

  it("a clean series (cover letter and patch) is sent whole", () => {
    if (skip) return;
    const r = sendEmail(repo, [COVER, GOOD]);
    expect(r.status, r.stderr).toBe(0);
    const sent = takeSent();
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain("[PATCH 0/5] cxl/pmem");
    expect(sent[1]).toContain("dax: Introduce holder for dax_device");
  });

  it("a bad patch in the middle of a series stops the whole series", () => {
    if (skip) return;
    const r = sendEmail(repo, [COVER, BAD, GOOD]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`${BAD}: rejected by sendemail-validate hook`);
    expect(takeSent()).toEqual([]);
  });

  it("the review replies the README tells maintainers to send go out through the hook; the bad patch they answer still does not", () => {
    if (skip) return;
    // kreview --format email series.mbox -o replies.mbox; mkdir replies; git mailsplit -oreplies replies.mbox; git send-email replies/
    const work = path.join(tmp, "maintainer");
    mkdirSync(path.join(work, "replies"), { recursive: true }); // git mailsplit writes into a directory that exists
    const made = kreview(["--format", "email", BAD, OTHER, "-o", "replies.mbox"], work);
    expect(made.status).toBe(1); // the patch it answers has an error-level finding
    const split = spawnSync("git", ["mailsplit", "-oreplies", "replies.mbox"], { cwd: work, env, encoding: "utf8" });
    expect(split.status, split.stderr).toBe(0);
    const files = readdirSync(path.join(work, "replies"));
    expect(files.length).toBeGreaterThanOrEqual(1);
    const r = sendEmail(repo, [path.join(work, "replies")]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("rejected by sendemail-validate hook");
    const sent = takeSent();
    expect(sent).toHaveLength(files.length);
    expect(sent[0]).toContain("Subject: Re: [PATCH v5 02/13] mm: Introduce memfile_notifier");

    const refused = sendEmail(repo, [BAD]);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(`${BAD}: rejected by sendemail-validate hook`);
    expect(takeSent()).toEqual([]);
  });

  it("--no-validate bypasses the hook", () => {
    if (skip) return;
    const r = sendEmail(repo, [BAD], ["--no-validate"]);
    expect(r.status, r.stderr).toBe(0);
    expect(takeSent()).toHaveLength(1);
  });

  it("a hook that was there before still runs under send-email, and its failure still stops the send", () => {
    if (skip) return;
    const own = newRepo();
    const log = path.join(tmp, "old-hook-send.log");
    writeOldHook(hooksOf(own), log);
    expect(kreview(["hook", "install"], own).status).toBe(0);
    const send = (extraEnv: NodeJS.ProcessEnv) => sendEmail(own, [GOOD], [], extraEnv);
    const ok = send({});
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(log, "utf8")).toBe(`old-hook ran ${GOOD}\n`);
    expect(takeSent()).toHaveLength(1);

    const refused = send({ OLD_HOOK_STATUS: "4" });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain("rejected by sendemail-validate hook");
    expect(readFileSync(log, "utf8")).toBe(`old-hook ran ${GOOD}\nold-hook ran ${GOOD}\n`);
    expect(takeSent()).toEqual([]);
  });

  it("from a linked worktree, send-email runs the shared hook", () => {
    if (skip) return;
    const wt = path.join(tmp, "send-worktree");
    git(["worktree", "add", "-q", wt], repo);
    const copy = path.join(wt, "0001-bad.patch");
    copyFileSync(BAD, copy);
    const r = sendEmail(wt, [copy]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("rejected by sendemail-validate hook");
    expect(takeSent()).toEqual([]);
  });
});
