/**
 * `kreview hook install|uninstall|status`: kreview as git send-email's
 * `sendemail-validate` hook, so a patch with an error-level finding stops
 * the whole send before anything leaves the machine. `kreview hook run` is
 * what the installed hook calls.
 *
 * A hook the user already has is never lost: install moves it aside
 * (`.kreview-chained`) and kreview's hook runs it first, or with --force
 * keeps it as `.kreview-backup`; uninstall puts it back. kreview knows its
 * own hook by a marker line and touches no other.
 */
import { childProcess } from "./lazy.js";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { builtinRules } from "../../rules/index.js";
import { createLinter, NativeParserError, type Linter, type MessageResult } from "../engine/index.js";
import type { Patch } from "../patch/index.js";
import { formatters, type ReportMeta } from "../report/index.js";
import { lintInputs, resolveInputs } from "./lint-inputs.js";
import type { CliIO } from "./main.js";
import { findKernelTree, treeSource } from "./tree.js";
import { ConfigError, loadConfig, type ConfigSettings } from "./config.js";
import { Baseline, BaselineError } from "./baseline.js";
import { exitStatus } from "./status.js";
import { VERSION } from "./version.js";

export const HOOK_NAME = "sendemail-validate";
/** The line by which kreview recognises a hook as its own. */
export const HOOK_MARKER = "# kreview sendemail-validate hook";
export const CHAINED_NAME = `${HOOK_NAME}.kreview-chained`;
export const BACKUP_NAME = `${HOOK_NAME}.kreview-backup`;
/** Under the git dir: the files of the send-email run in progress, for the series-wide rules. */
const SERIES_DIR = "kreview-sendemail";

/** A failure to report on stderr with exit status 2 (not a repository, a refusal). */
class HookError extends Error {}

/** Adds `hook` and its subcommands to the program; `done` receives each action's exit status. */
export function registerHook(program: Command, io: CliIO, done: (status: number) => void): void {
  const act = async (action: () => Promise<number>) => {
    try {
      done(await action());
    } catch (e) {
      // A file-system error (a read-only hooks directory) names its path: one line, not a stack.
      if (!(e instanceof HookError) && !(e as NodeJS.ErrnoException).path) throw e;
      io.stderr.write(`kreview: ${(e as Error).message}\n`);
      done(2);
    }
  };
  const hook = program
    .command("hook")
    .description(`install, remove or show kreview as git send-email's ${HOOK_NAME} hook`);
  hook
    .command("install")
    .description(`install the ${HOOK_NAME} hook in this repository; an existing hook is kept and run first`)
    .option("--force", `replace an existing hook instead of chaining it (it is kept as ${BACKUP_NAME})`)
    .action((opts: { force?: boolean }) => act(() => install(hooksDir(io.cwd), opts.force === true, io)));
  hook
    .command("uninstall")
    .description("remove kreview's hook and put back the hook it replaced, if any")
    .action(() => act(() => uninstall(hooksDir(io.cwd), io)));
  hook
    .command("status")
    .description("say which sendemail-validate hook is installed, and where")
    .action(() => act(() => status(hooksDir(io.cwd), io)));
  // What the installed hook calls: git passes the patch file, and the SMTP headers file from git 2.41 on.
  hook
    .command("run", { hidden: true })
    .argument("<file>", "the outgoing patch file")
    .argument("[headers]", "the SMTP headers file (git >= 2.41; not read)")
    .allowExcessArguments(true)
    .action((file: string) => act(() => hookRun(file, io, process.env)));
}

// ---- where the hook lives ----

/** Runs git with explicit arguments in `cwd`; returns its trimmed stdout. */
function git(args: string[], cwd: string): string {
  return childProcess().execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * The hooks directory git send-email uses from `cwd`: `--git-path hooks`
 * honours core.hooksPath and maps a linked worktree to the shared hooks.
 */
function hooksDir(cwd: string): string {
  try {
    return path.resolve(cwd, git(["rev-parse", "--git-path", "hooks"], cwd));
  } catch {
    throw new HookError(`${cwd}: not a git repository (run 'kreview hook' inside the repository you send patches from)`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p); // a dangling symlink is still something not to overwrite
    return true;
  } catch {
    return false;
  }
}

interface HookState {
  dir: string;
  /** What `sendemail-validate` is. */
  hook: "none" | "kreview" | "other";
  chained: boolean;
  backup: boolean;
  /** The text of the hook when it is kreview's. */
  text?: string;
}

async function inspect(dir: string): Promise<HookState> {
  const file = path.join(dir, HOOK_NAME);
  const [present, chained, backup] = await Promise.all([exists(file), exists(path.join(dir, CHAINED_NAME)), exists(path.join(dir, BACKUP_NAME))]);
  if (!present) return { dir, hook: "none", chained, backup };
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return { dir, hook: "other", chained, backup }; // unreadable, a directory...: not ours in any case
  }
  const ours = text.split("\n").includes(HOOK_MARKER);
  return { dir, hook: ours ? "kreview" : "other", chained, backup, text: ours ? text : undefined };
}

// ---- the hook file ----

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** bin/kreview of this installation (dist/src/cli/hook.js → bin/kreview). */
function kreviewBin(): string {
  return fileURLToPath(new URL("../../../bin/kreview", import.meta.url));
}

function hookScript(node: string, kreview: string): string {
  return `#!/bin/sh
${HOOK_MARKER}
# Installed by 'kreview hook install'; 'kreview hook uninstall' removes it.
# git send-email runs it once per outgoing file ($1; $2 the SMTP headers from
# git 2.41 on) and sends nothing when it fails. Bypass once: --no-validate.

# The hook that was here before, moved aside at install time, runs first with
# the same arguments and environment; its failure fails this hook. Like git,
# run it only when it is executable.
chained="$(dirname "$0")/${CHAINED_NAME}"
if [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi

# Absolute paths recorded at install time: git's environment may have another PATH.
node=${shQuote(node)}
kreview=${shQuote(kreview)}
if [ ! -f "$kreview" ]; then
	echo "kreview ${HOOK_NAME} hook: $kreview is gone; run 'kreview hook install' again, or send with --no-validate" >&2
	exit 2
fi
exec "$node" "$kreview" hook run "$@"
`;
}

/** The node and kreview paths a hook of ours records, for `status`. */
function recordedPaths(text: string): { node?: string; kreview?: string } {
  const get = (name: string) => {
    const m = new RegExp(`^${name}='((?:[^']|'\\\\'')*)'$`, "m").exec(text);
    return m ? m[1].replace(/'\\''/g, "'") : undefined;
  };
  return { node: get("node"), kreview: get("kreview") };
}

async function writeHook(file: string): Promise<void> {
  // "wx": never write over a file that appeared meanwhile
  await fs.writeFile(file, hookScript(process.execPath, kreviewBin()), { flag: "wx", mode: 0o755 });
  await fs.chmod(file, 0o755); // the umask may have taken the x bits
}

// ---- install / uninstall / status ----

async function install(dir: string, force: boolean, io: CliIO): Promise<number> {
  const st = await inspect(dir);
  const file = path.join(dir, HOOK_NAME);
  if (st.hook === "kreview") {
    io.stdout.write(`kreview's ${HOOK_NAME} hook is already installed in ${dir}\n`);
    return 0;
  }
  // A leftover from an earlier install would be overwritten, or silently run again: let the user decide.
  for (const [present, name] of [[st.chained, CHAINED_NAME], [st.backup, BACKUP_NAME]] as const) {
    if (present) throw new HookError(`${path.join(dir, name)} is left from an earlier install; rename it back to ${HOOK_NAME} or remove it, then install again (nothing changed)`);
  }
  await fs.mkdir(dir, { recursive: true });
  if (st.hook === "none") {
    await writeHook(file);
    io.stdout.write(`installed kreview's ${HOOK_NAME} hook in ${dir}\n`);
    return 0;
  }
  const aside = path.join(dir, force ? BACKUP_NAME : CHAINED_NAME);
  await fs.rename(file, aside); // rename keeps the bytes and the mode
  try {
    await writeHook(file);
  } catch (e) {
    await fs.rename(aside, file);
    throw new HookError(`${file}: cannot write the hook: ${(e as Error).message} (the existing hook is back in place)`);
  }
  io.stdout.write(
    force
      ? `replaced ${file} with kreview's hook; the old hook is kept as ${aside} (uninstall restores it)\n`
      : `moved the existing hook to ${aside}; kreview's hook in ${dir} runs it first, then kreview\n`,
  );
  return 0;
}

async function uninstall(dir: string, io: CliIO): Promise<number> {
  const st = await inspect(dir);
  const file = path.join(dir, HOOK_NAME);
  if (st.hook === "other") throw new HookError(`${file} is not kreview's hook, left alone`);
  if (st.chained && st.backup) {
    throw new HookError(`both ${CHAINED_NAME} and ${BACKUP_NAME} are in ${dir}: keep one by hand, then uninstall again (nothing changed)`);
  }
  const saved = st.chained ? CHAINED_NAME : st.backup ? BACKUP_NAME : null;
  if (st.hook === "none" && !saved) {
    io.stdout.write(`no ${HOOK_NAME} hook installed in ${dir}: nothing to do\n`);
    return 0;
  }
  if (st.hook === "kreview") await fs.unlink(file);
  if (saved) {
    await fs.rename(path.join(dir, saved), file);
    io.stdout.write(`${st.hook === "kreview" ? "removed kreview's hook and " : ""}restored ${file} from ${saved}\n`);
  } else io.stdout.write(`removed kreview's ${HOOK_NAME} hook from ${dir}\n`);
  return 0;
}

async function status(dir: string, io: CliIO): Promise<number> {
  const st = await inspect(dir);
  const lines = [`hooks directory: ${dir}`];
  if (st.hook === "none") lines.push(`${HOOK_NAME}: none`);
  else if (st.hook === "other") lines.push(`${HOOK_NAME}: someone else's hook (not kreview's)`);
  else {
    const extra = st.chained ? `, chained to the earlier hook ${CHAINED_NAME}` : st.backup ? `, the hook it replaced kept as ${BACKUP_NAME}` : "";
    lines.push(`${HOOK_NAME}: kreview's hook${extra}`);
    const { node, kreview } = recordedPaths(st.text ?? "");
    for (const p of [node, kreview]) if (p && !existsSync(p)) lines.push(`warning: the hook runs ${p}, which is gone: install again`);
  }
  if (st.hook !== "kreview") {
    for (const [present, name] of [[st.chained, CHAINED_NAME], [st.backup, BACKUP_NAME]] as const) {
      if (present) lines.push(`note: ${name} is left from an earlier install`);
    }
  }
  io.stdout.write(lines.map((l) => `${l}\n`).join(""));
  return 0;
}

// ---- the hook's own run ----

/**
 * Lints one outgoing file as git send-email hands it over: checkpatch's block
 * form on stdout (git shows it), 1 on an error-level finding so nothing is
 * sent, 2 when the file cannot be read. With git >= 2.41's counters, also
 * lists the file and, at the last one, runs the series-wide rules over the
 * whole series. Exported for tests that bring their own linter.
 *
 * It checks what the sender wrote: a patch. A review reply (the one
 * `kreview --format email` writes, or any other) quotes someone else's diff,
 * and what it quotes is not the sender's to fix: it passes. The report is
 * quiet (`kreview -q`): a file with nothing to say prints nothing as it is
 * sent, one with findings prints them and its total. The baseline
 * `.kreview.json` names takes out the findings it lists, as `kreview FILE`
 * does (a bad baseline is exit 2, naming it). The series-wide
 * findings at the last file stand on earlier files: that report is not
 * quiet, so each file's verdict names it.
 */
export async function hookRun(file: string, io: CliIO, env: NodeJS.ProcessEnv, given?: Linter): Promise<number> {
  const settings = await configured(io.cwd);
  const linter = given ?? defaultLinter(settings, io.cwd);
  const baseline = await configuredBaseline(settings, io.cwd);
  // The file alone is not the series: a series-wide rule run on it would
  // miss the other patches (a helper used only in the next one) and could
  // block a good send. Those rules run only over a whole counted series, so
  // on git before 2.41, which gives no counters, they do not run at all.
  let worst = await lintAndReport([file], io, { ...linter, wantsSeries: false }, baseline);
  const counters = sendEmailCounters(env);
  if (counters) worst = Math.max(worst, await trackSeries(path.resolve(io.cwd, file), counters, io, linter, baseline));
  return worst;
}

/** The settings of the `.kreview.json` that `kreview FILE` would read in `cwd` (none: no file). */
async function configured(cwd: string): Promise<ConfigSettings> {
  try {
    return (await loadConfig({ cwd, rules: builtinRules.map((r) => r.id), formats: Object.keys(formatters) }))?.settings ?? {};
  } catch (e) {
    if (e instanceof ConfigError) throw new HookError(e.message);
    throw e;
  }
}

/** The baseline `.kreview.json` names: what the developer judged stays silent at send time too. */
async function configuredBaseline(settings: ConfigSettings, cwd: string): Promise<Baseline | null> {
  if (typeof settings.baseline !== "string") return null;
  try {
    return await Baseline.read(settings.baseline, path.relative(cwd, settings.baseline) || settings.baseline);
  } catch (e) {
    if (e instanceof BaselineError) throw new HookError(e.message);
    throw e;
  }
}

/** Takes out of each result the findings the baseline lists, counting them for the total line. */
function suppress(results: MessageResult[], baseline: Baseline | null): void {
  if (baseline) for (const r of results) r.suppressed = baseline.suppress(r).length;
}

/**
 * The rules as `.kreview.json` sets them (ignore, only, strict, severity),
 * with the kernel tree git runs the hook in as context when it is one: what
 * `kreview FILE` would say in the same directory.
 */
function defaultLinter(settings: ConfigSettings, cwd: string): Linter {
  const tree = findKernelTree(cwd);
  try {
    return createLinter({
      rules: builtinRules,
      ignore: settings.ignore,
      only: settings.only,
      strict: settings.strict,
      severity: settings.severity,
      tree: tree ? treeSource(tree) : undefined,
    });
  } catch (e) {
    if (e instanceof NativeParserError) throw new HookError(e.message);
    throw e;
  }
}

function reportMeta(linter: Linter, baseline: Baseline | null): ReportMeta {
  return { version: VERSION, rules: linter.rules.map((r) => ({ id: r.id, severity: r.severity, summary: r.summary })), quiet: true, baseline: baseline !== null };
}

/** A result as the hook judges it: the findings in the diff a reply quotes are the quoted author's, not the sender's. */
function sendersOwn(r: MessageResult): MessageResult {
  return r.kind === "reply" && r.findings.length > 0 ? { ...r, findings: [] } : r;
}

async function lintAndReport(files: string[], io: CliIO, linter: Linter, baseline: Baseline | null): Promise<number> {
  const { inputs, failures } = await resolveInputs(files, io.cwd, io.stdin);
  const run = await lintInputs(inputs, linter);
  failures.push(...run.failures);
  const results = run.results.map(sendersOwn);
  suppress(results, baseline);
  const text = results.length > 0 ? formatters.text(results, reportMeta(linter, baseline)) : "";
  if (text) io.stdout.write(text);
  return exitStatus(results, failures, io.stderr);
}

/** GIT_SENDEMAIL_FILE_COUNTER / _TOTAL (git >= 2.41), when both are there and make sense. */
function sendEmailCounters(env: NodeJS.ProcessEnv): { counter: number; total: number } | null {
  const counter = Number(env.GIT_SENDEMAIL_FILE_COUNTER);
  const total = Number(env.GIT_SENDEMAIL_FILE_TOTAL);
  if (!Number.isInteger(counter) || !Number.isInteger(total) || counter < 1 || counter > total) return null;
  return { counter, total };
}

/**
 * git runs the hook once per file, in a new process each time, so the series
 * is kept as a list of paths in the git dir: started afresh at file 1 (a send
 * that was aborted leaves a stale list), linted and removed at the last file.
 */
async function trackSeries(file: string, { counter, total }: { counter: number; total: number }, io: CliIO, linter: Linter, baseline: Baseline | null): Promise<number> {
  let gitDir: string;
  try {
    gitDir = path.resolve(io.cwd, git(["rev-parse", "--git-dir"], io.cwd));
  } catch {
    throw new HookError(`${io.cwd}: not a git repository: cannot keep the list of the series' files`);
  }
  const dir = path.join(gitDir, SERIES_DIR);
  const list = path.join(dir, `${total}-files`);
  await fs.mkdir(dir, { recursive: true });
  if (counter === 1) await fs.writeFile(list, `${file}\n`);
  else await fs.appendFile(list, `${file}\n`);
  if (counter < total) return 0;
  const files = (await fs.readFile(list, "utf8")).split("\n").filter(Boolean);
  try {
    return await lintSeries(files, io, linter, baseline);
  } finally {
    await fs.rm(list, { force: true });
    await fs.rmdir(dir).catch(() => {}); // another send's list may still be there
  }
}

/**
 * Runs the series-wide rules over the patches of all the files as one series
 * and prints only what they found: each file's own findings were printed when
 * git handed it over.
 */
async function lintSeries(files: string[], io: CliIO, linter: Linter, baseline: Baseline | null): Promise<number> {
  const seriesWide = new Set(linter.rules.filter((r) => r.series).map((r) => r.id));
  if (seriesWide.size === 0) return 0;
  const { inputs, failures } = await resolveInputs(files, io.cwd, io.stdin);
  // the files of one send-email run are one series, whatever their subjects say
  for (const input of inputs) input.oneSeries = "send-email";
  const run = await lintInputs(inputs, linter);
  failures.push(...run.failures);
  const seriesOwn = run.results
    .filter((r) => r.kind === "patch")
    .map((r) => ({ ...r, problems: [], internalError: undefined, findings: r.findings.filter((f) => seriesWide.has(f.rule)) }));
  suppress(seriesOwn, baseline);
  const found = seriesOwn.filter((r) => r.findings.length > 0);
  // These findings stand on files sent before this one: not quiet, so each file's verdict (and, with several, its header) names it.
  if (found.length > 0) io.stdout.write(formatters.text(found, { ...reportMeta(linter, baseline), quiet: false }));
  return exitStatus(found, failures, io.stderr);
}
