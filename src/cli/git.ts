/**
 * `--git <rev | a..b | -N | rev-N>`: the commits of the repository kreview runs in, as
 * one series, in the form they would be mailed: `git format-patch --stdout`
 * is run and its mbox becomes one input, named `git:<range>`, that goes
 * through the same pipeline as any mbox (so subjects are `[PATCH n/m] ...`,
 * and merges are left out, as format-patch leaves them out).
 *
 * The user never sees that mbox, so its line numbers mean nothing to them:
 * each commit's mail is cut out at format-patch's `From <sha> Mon Sep 17
 * 00:00:00 2001` line and read on its own, lines counted from that line, and
 * its messages carry the sha. Reports then head each commit as checkpatch
 * --git does (`Commit <sha12> ("subject")`) with line numbers of that
 * commit's patch. The commits stay one input, so one series.
 *
 * git is run with an argument array, never through a shell, and the range is
 * placed after `--end-of-options` and before `--`, so no value can turn into
 * a git option or a path. A value starting with `-` other than `-N` is
 * refused before git is run, with a message that says so.
 *
 * `REV-N` is checkpatch's: the last N commits from REV (`HEAD-3`, `v6.12-2`),
 * unless the whole value names a revision itself (a branch `fix-2`), which
 * git is asked first.
 */
import { childProcess } from "./lazy.js";
import { Readable } from "node:stream";
import { splitMessages, type RawMessage } from "../input/index.js";
import type { InputSpec } from "./lint-inputs.js";

/** Something git could not do for `--git`; the message is one line, without the `kreview: ` prefix. */
export class GitError extends Error {}

/**
 * The user's git configuration may change what format-patch writes in ways
 * the patch reader should not have to guess (paths without `a/`/`b/`,
 * patches as attachments, a cover letter, colour): those settings are undone
 * here. `-M` shows renames as renames, as checkpatch's --git does.
 */
const NEUTRAL_CONFIG = ["-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false"];
const FORMAT_PATCH = ["format-patch", "--stdout", "--no-color", "-M", "--no-cover-letter", "--no-attach"];

/**
 * format-patch's revision arguments for a `--git` value. A single revision is
 * `-1 <rev>^!` rather than checkpatch's `-1 <rev>`: on a merge commit `-1
 * <rev>` silently formats the newest non-merge commit behind it instead,
 * while `<rev>^!` (the commit without its parents) leaves nothing, which is
 * reported.
 */
export function revisionArgs(range: string, isRevision = true): string[] {
  if (/^-[1-9]\d*$/.test(range)) return [range]; // the last N commits from HEAD
  if (range === "") throw new GitError("--git: needs a revision, a range a..b, -N or REV-N");
  if (range.startsWith("-")) throw new GitError(`--git ${range}: not a revision, a range a..b, -N or REV-N (values starting with '-' are refused)`);
  const counted = countedForm(range);
  if (counted && !isRevision) return [`-${counted.count}`, "--end-of-options", counted.rev]; // the last N commits from REV
  // a range already (a..b, a...b, or rev^! / rev^@ / rev^- which name sets of commits)
  if (range.includes("..") || /\^[!@-]/.test(range)) return ["--end-of-options", range];
  return ["-1", "--end-of-options", `${range}^!`];
}

/** `REV-N` split (`HEAD-3` → HEAD, 3), or null when the value is not of that form. */
function countedForm(range: string): { rev: string; count: number } | null {
  const m = /^([^-].*)-([1-9]\d*)$/.exec(range);
  return m && !m[1]!.includes("..") ? { rev: m[1]!, count: Number(m[2]) } : null;
}

/** The commits of `range` in `cwd`'s repository as one mbox input. Throws GitError. */
export async function gitInput(range: string, cwd: string): Promise<InputSpec> {
  // `fix-2` may be a branch: only a value that names no commit is read as REV-N
  const isRevision = countedForm(range) ? (await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${range}^{commit}`], cwd)).status === 0 : true;
  const args = [...NEUTRAL_CONFIG, ...FORMAT_PATCH, ...revisionArgs(range, isRevision), "--"];
  const { status, stdout, stderr } = await runGit(args, cwd);
  // git names the revision it was given: keep our `^!` out of the message
  if (status !== 0) throw new GitError(`--git ${range}: ${gitFailure(stderr, cwd).replaceAll(`${range}^!`, range)}`);
  if (stdout.length === 0) throw new GitError(`--git ${range}: no commits to lint (merge commits are left out, as format-patch leaves them out)`);
  const name = `git:${range}`;
  return {
    name,
    open: () => Readable.from([stdout]),
    size: stdout.length,
    split: (chunks) => commitMessages(name, chunks),
    units: Math.max(1, commitsOf(stdout).length),
    // every commit its own report, all of them one series
    oneSeries: name,
  };
}

/** format-patch's mbox separator: the commit's sha, then git's fixed date. */
const COMMIT_SEPARATOR = /^From ([0-9a-f]{40}) Mon Sep 17 00:00:00 2001\r?$/;

/** The mails of format-patch's output, each from its separator line to the next. */
export function commitsOf(mbox: Buffer): { sha: string; bytes: Buffer }[] {
  const out: { sha: string; bytes: Buffer }[] = [];
  let start = 0;
  let sha: string | null = null;
  for (let at = 0; at < mbox.length; ) {
    const nl = mbox.indexOf(0x0a, at);
    const end = nl === -1 ? mbox.length : nl + 1;
    // the separator is 70 bytes and its newline: only short lines starting with "F" are decoded
    const m = mbox[at] === 0x46 && end - at <= 72 ? COMMIT_SEPARATOR.exec(mbox.toString("latin1", at, nl === -1 ? end : nl)) : null;
    if (m) {
      if (sha !== null) out.push({ sha, bytes: mbox.subarray(start, at) });
      sha = m[1];
      start = at;
    }
    at = end;
  }
  if (sha !== null) out.push({ sha, bytes: mbox.subarray(start) });
  return out;
}

/**
 * The messages of format-patch's output, one commit at a time: each read by
 * the input layer as an mbox of its own (so its lines count from its
 * separator), indexed in the series and tagged with its sha. Output without
 * any separator (a format-patch that writes none) is read as it is.
 */
async function* commitMessages(name: string, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<RawMessage> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  const mbox = Buffer.concat(parts);
  const commits = commitsOf(mbox);
  if (commits.length === 0) {
    yield* splitMessages(name, once(mbox));
    return;
  }
  let index = 0;
  for (const { sha, bytes } of commits) {
    for await (const raw of splitMessages(name, once(bytes))) yield { ...raw, index: index++, commit: sha };
  }
}

interface GitRun {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs git and buffers its output: a series is small, and a failure must be known before linting starts. */
function runGit(args: string[], cwd: string): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e: NodeJS.ErrnoException) => {
      reject(new GitError(e.code === "ENOENT" ? "--git: cannot run git: it is not installed or not on PATH" : `--git: cannot run git: ${e.message}`));
    });
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** git's complaint in one line: its first `fatal:`/`error:` line, without that word. */
function gitFailure(stderr: string, cwd: string): string {
  if (/not a git repository/i.test(stderr)) return `${cwd} is not inside a git repository`;
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0];
  return line ? line.replace(/^(fatal|error):\s*/, "") : "git format-patch failed";
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}
