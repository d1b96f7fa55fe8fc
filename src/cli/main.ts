/**
 * kreview's command line. Thin: parse arguments, open inputs, hand them to
 * the engine, format, write, and return the exit status (never call exit).
 *
 * Exit status: 0 no error-level finding (and warnings within --max-warnings);
 * 1 an error-level finding (or one at --fail-on's level) or too many
 * warnings; 2 usage error, unreadable input or internal error. Nothing goes
 * to stderr unless something failed.
 *
 * checkpatch's spellings of options are src/cli/checkpatch-options.ts's.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { builtinRules } from "../../rules/index.js";
import { createLinter, NativeParserError, ruleKey, UnknownRuleError, type Linter, type Severity } from "../engine/index.js";
import { streams, type FormatName } from "../report/index.js";
import { ConfigError, loadConfig, mergeSettings, parseSeverityArg } from "./config.js";
import { addCheckpatchOptions, checkpatchArgv, checkpatchConfNote, checkpatchConflicts, findCheckpatchConf, type CheckpatchOpts } from "./checkpatch-options.js";
import { GitError, gitInput } from "./git.js";
import { registerHook } from "./hook.js";
import { lintInputs, resolveInputs, type InputSpec } from "./lint-inputs.js";
import { terminalProgress } from "./progress.js";
import { findKernelTree, isKernelTree, rulesWantingTree, treeSource } from "./tree.js";
import { exitStatus, Tally } from "./status.js";
import { Output, sameFileAsInput } from "./output.js";
import { VERSION } from "./version.js";
import { BaselineRun } from "./baseline.js";
import { FIX_SUFFIX, FixRun, fixUsageError } from "./fix.js";

export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  cwd: string;
}

const FORMATS: FormatName[] = ["text", "terse", "json", "sarif", "b4-review", "email"];
const LEVELS: Severity[] = ["error", "warning", "check"];

const EXAMPLES = `
Examples:
  kreview 0001-mm-fix.patch               lint a patch made by git format-patch
  kreview outgoing/                       lint every *.patch, *.eml, *.mbox in a directory
  kreview --format terse < mail.eml       one line per finding, as b4 and editors read it
  kreview --format json archive.mbox.gz   a whole list archive, as JSON
  git diff | kreview                      lint a plain diff from stdin
  kreview --git -3                        lint the last three commits as one series
  kreview -f drivers/foo/foo.c            lint a whole source file, as checkpatch -f
  kreview rules                           list the rules
  kreview explain bitwise-or-in-condition print a rule's documentation

checkpatch's options are taken too (--terse, --types, -g, --root, --no-summary, ...);
docs/checkpatch-options.md says what each does in kreview, and which are refused.`;

interface LintOptions extends CheckpatchOpts {
  format: FormatName;
  output?: string;
  maxWarnings?: number;
  quiet?: boolean;
  ignore?: string[];
  only?: string[];
  strict?: boolean;
  /** --severity RULE=LEVEL, merged over the configuration file's. */
  severity?: Record<string, Severity>;
  /** --git: a revision, a..b, -N or REV-N. */
  git?: string;
  /** false with --no-config. */
  config?: boolean;
  /** True when --format was typed (then it wins over the configuration file; commander's default does not). */
  formatGiven?: boolean;
  /** commander: `--tree DIR` gives a string, `--no-tree` gives false. */
  tree?: string | false;
  /** -j: worker threads. */
  jobs?: number;
  /** --timeout-per-message, in seconds. */
  timeoutPerMessage?: number;
  /** --baseline FILE (or the configuration's); false with --no-baseline. */
  baseline?: string | false;
  /** --write-baseline FILE. */
  writeBaseline?: string;
  /** --fix / --fix-inplace (src/cli/fix.ts). */
  fix?: boolean;
  fixInplace?: boolean;
  /** -f/--file: the inputs are whole source files. */
  file?: boolean;
  /** false with --no-summary. */
  summary?: boolean;
  mailback?: boolean;
  /** --fail-on: the lowest level that makes the exit status 1. */
  failOn?: Severity;
}

/** A message that takes longer than this is given up on (the slowest of the five corpus archives takes under 1 s). */
const DEFAULT_TIMEOUT_S = 5;

const ruleList = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];

export async function main(argv: string[], io: CliIO): Promise<number> {
  let status = 0;
  const program = new Command();
  program
    .name("kreview")
    .description("Review linter for Linux kernel patches: reads patches as they travel by mail and says what a reviewer would say.")
    .version(VERSION, "-V, --version")
    .argument("[inputs...]", "patch files, mbox archives (.mbox, .mbox.gz), emails, directories, or - for stdin")
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("text"))
    .option("-f, --file", "lint whole C source files, every line as added (checkpatch -f)")
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("--max-warnings <n>", "exit 1 when there are more warnings than this", parseCount)
    .addOption(new Option("--fail-on <level>", "exit 1 on a finding of this level or above (default: error; check: as checkpatch exits)").choices(LEVELS))
    .option("-q, --quiet", "print findings only: no notes, no verdict")
    .option("--no-summary", "leave out the total: lines (checkpatch --no-summary)")
    .option("--mailback", "no total or verdict for an input with no error or warning, no notes when none has one (checkpatch --mailback)")
    .option("--ignore <rules>", "do not run these rules (comma-separated ids)", ruleList)
    .option("--only <rules>", "run only these rules (comma-separated ids)", ruleList)
    .option("--strict", "also report check-level findings, as checkpatch --strict")
    .option("--no-strict", "leave check-level findings out even when .kreview.json sets strict")
    .option("--severity <rule=level>", "report a rule at another level: error, warning or check (repeatable, comma-separated)", parseSeverityArg)
    .option("-g, --git <range>", "lint commits of the current git repository as one series: a revision, a..b, -N (the last N) or REV-N (the last N from REV)")
    .option("--no-config", "do not read .kreview.json (nearest upward, else in the home directory)")
    .option("--tree <dir>", "the kernel tree the patches apply to (default: the one the current directory is in, if any)")
    .option("--no-tree", "lint from the hunks alone, even inside a kernel tree")
    .option("-j, --jobs <n>", "lint on this many threads (default: one per core; 1: no worker threads)", parseJobs)
    .option("--timeout-per-message <seconds>", `give up on a message that takes longer than this (0: no limit; default ${DEFAULT_TIMEOUT_S})`, parseSeconds)
    .option("--baseline <file>", "do not report the findings this baseline file lists (docs/baselines-and-fixes.md)")
    .option("--no-baseline", "report every finding, even with a baseline in .kreview.json")
    .option("--write-baseline <file>", "write this run's findings to a baseline file (never over a file that is not one)")
    .option("--fix", `write each patch with its machine-applicable fixes applied to <file>${FIX_SUFFIX}`)
    .option("--fix-inplace", "apply the machine-applicable fixes to the patch files themselves")
    .addHelpText("after", EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .action(async (inputs: string[], opts: LintOptions) => {
      if (opts.listTypes) {
        printRules(io); // checkpatch --list-types
        return;
      }
      status = await lint(inputs, { ...opts, formatGiven: program.getOptionValueSource("format") === "cli" }, io);
    });
  addCheckpatchOptions(program, ruleList);

  program
    .command("rules")
    .description("list the rules with their severity and a one-line summary")
    .action(() => printRules(io));

  program
    .command("explain")
    .description("print a rule's documentation")
    .argument("<rule>", "rule id")
    .action((id: string) => {
      const rule = builtinRules.find((r) => r.id === ruleKey(id));
      if (!rule) {
        io.stderr.write(`kreview: unknown rule '${id}' (see 'kreview rules')\n`);
        status = 2;
        return;
      }
      io.stdout.write(`# ${rule.id} (${rule.severity}, confidence ${rule.confidence})\n\n${rule.summary}\n\n${rule.docs.trim()}\n`);
    });

  // kreview as git send-email's sendemail-validate hook (src/cli/hook.ts)
  registerHook(program, io, (s) => {
    status = s;
  });

  try {
    await program.parseAsync(checkpatchArgv(argv), { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
  return status;
}

function printRules(io: CliIO): void {
  const width = Math.max(...builtinRules.map((r) => r.id.length));
  for (const r of builtinRules) io.stdout.write(`${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}\n`);
}

/** The tree to read whole files from: the one named, none, or the one the current directory is in. */
function kernelTree(opt: string | false | undefined, cwd: string): { dir: string | null } | { error: string } {
  if (opt === false) return { dir: null };
  if (typeof opt === "string") {
    const dir = path.resolve(cwd, opt);
    if (!existsSync(dir)) return { error: `--tree ${opt}: no such directory` };
    if (!isKernelTree(dir)) return { error: `--tree ${opt}: not the top of a kernel tree (no MAINTAINERS, Makefile, Kbuild, scripts/, include/)` };
    return { dir };
  }
  return { dir: findKernelTree(cwd) };
}

/**
 * Puts the command line over .kreview.json (src/cli/config.ts): lists add up,
 * the rest is replaced. Returns the one-line error when the file is wrong;
 * `read` says whether a file was read.
 */
async function applyConfig(opts: LintOptions, io: CliIO): Promise<{ opts: LintOptions; read: boolean } | string> {
  if (opts.config === false) return { opts, read: false };
  let loaded;
  try {
    loaded = await loadConfig({ cwd: io.cwd, rules: builtinRules.map((r) => r.id), formats: FORMATS });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  if (!loaded) return { opts, read: false };
  const merged = mergeSettings(loaded.settings, { ...opts, format: opts.formatGiven ? opts.format : undefined });
  return { opts: { ...opts, ...merged, format: (merged.format as FormatName | undefined) ?? opts.format }, read: true };
}

/**
 * checkpatch reads `.checkpatch.conf`; kreview does not (its `--ignore`
 * lists name checkpatch's types, its settings were chosen for checkpatch's
 * style checks). When kreview finds one and reads no `.kreview.json`, the
 * text report says so once. With --no-config, nothing is looked for.
 */
async function runNotes(opts: LintOptions, configRead: boolean, io: CliIO): Promise<string[]> {
  if (opts.config === false || configRead) return [];
  const conf = await findCheckpatchConf(io.cwd, os.homedir());
  return conf ? [checkpatchConfNote(conf)] : [];
}

function parseJobs(v: string): number {
  const n = parseCount(v);
  if (n < 1) throw new InvalidArgumentError(`takes a number of threads, 1 or more, not '${v}'`);
  return n;
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) throw new InvalidArgumentError(`takes a number of seconds, not '${v}'`);
  return n;
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n)) throw new InvalidArgumentError(`takes a whole number, not '${v}'`);
  return n;
}

async function lint(args: string[], opts: LintOptions, io: CliIO): Promise<number> {
  const configured = await applyConfig(opts, io);
  if (typeof configured === "string") {
    io.stderr.write(`kreview: ${configured}\n`);
    return 2;
  }
  opts = configured.opts;
  const conflict = await checkpatchConflicts(args, opts, io.cwd, FORMATS);
  if (conflict) {
    io.stderr.write(`kreview: ${conflict}\n`);
    return 2;
  }
  let linter: Linter;
  let treeDir: string | null;
  try {
    const tree = kernelTree(opts.tree, io.cwd);
    if ("error" in tree) {
      io.stderr.write(`kreview: ${tree.error}\n`);
      return 2;
    }
    treeDir = tree.dir;
    linter = createLinter({ rules: builtinRules, ignore: opts.ignore, only: opts.only, strict: opts.strict, severity: opts.severity, tree: tree.dir ? treeSource(tree.dir) : undefined });
  } catch (e) {
    if (e instanceof UnknownRuleError || e instanceof NativeParserError) {
      io.stderr.write(`kreview: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const fixUsage = fixUsageError(opts, opts.git !== undefined);
  if (fixUsage) {
    io.stderr.write(`kreview: ${fixUsage}\n`);
    return 2;
  }
  let gitSeries: InputSpec | undefined;
  if (opts.git !== undefined) {
    try {
      gitSeries = await gitInput(opts.git, io.cwd);
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      io.stderr.write(`kreview: ${e.message}\n`);
      return 2;
    }
  }
  if (args.length === 0 && !gitSeries) {
    if (io.stdin.isTTY) {
      io.stderr.write("kreview: no input: name a patch, mbox or directory, or pipe a patch to stdin (see --help)\n");
      return 2;
    }
    args = ["-"];
  }
  const { inputs, failures } = await resolveInputs(args, io.cwd, io.stdin, { sourceFiles: opts.file });
  if (opts.output) {
    // The report would overwrite a patch before (or while) it is read.
    const clash = await sameFileAsInput(path.resolve(io.cwd, opts.output), inputs);
    if (clash) {
      io.stderr.write(`kreview: -o ${opts.output}: that is the input ${clash}: refusing to write the report over it\n`);
      return 2;
    }
  }
  const baselines = await BaselineRun.open(opts, io.cwd, inputs, opts.output);
  if (typeof baselines === "string") {
    io.stderr.write(`kreview: ${baselines}\n`);
    return 2;
  }
  const fixes = await FixRun.open(opts, inputs, gitSeries !== undefined, opts.output ? path.resolve(io.cwd, opts.output) : undefined);
  if (typeof fixes === "string") {
    io.stderr.write(`kreview: ${fixes}\n`);
    return 2;
  }
  if (gitSeries) inputs.unshift(gitSeries);
  const sizes = inputs.map((i) => i.size);
  const progress = io.stderr.isTTY
    ? terminalProgress(io.stderr, { totalBytes: sizes.every((n) => n !== undefined) ? sizes.reduce((a, n) => a! + n!, 0) : undefined })
    : undefined;
  // Report and progress on one terminal: the line goes before each write and comes back at the next update.
  const sharedTerminal = Boolean(progress && !opts.output && (io.stdout as { isTTY?: boolean }).isTTY);
  // The email reply quotes the patch itself, so its results keep the parsed patches.
  const timeoutMs = (opts.timeoutPerMessage ?? DEFAULT_TIMEOUT_S) * 1000;
  const notes = await runNotes(opts, configured.read, io);
  // Each message's text is written as soon as it and those before it are done; nothing of it is kept.
  const out = opts.output ? Output.file(path.resolve(io.cwd, opts.output), opts.output) : new Output(io.stdout, "stdout");
  const report = streams[opts.format]({
    version: VERSION,
    rules: linter.rules.map((r) => ({ id: r.id, severity: r.severity, summary: r.summary })),
    strict: opts.strict,
    quiet: opts.quiet,
    // a --git series is one report per commit
    units: inputs.reduce((n, i) => n + (i.units ?? 1), 0),
    // no tree found, none refused with --no-tree: say which rules had less to go on
    noTree: opts.tree === undefined && treeDir === null ? rulesWantingTree(linter.rules, opts) : undefined,
    baseline: baselines.suppressing,
    summary: opts.summary,
    mailback: opts.mailback,
    notes,
  });
  const tally = new Tally();
  const run = await lintInputs(inputs, linter, {
    progress,
    keepPatches: opts.format === "email" || fixes !== null,
    timeoutMs,
    jobs: opts.jobs ?? os.availableParallelism(),
    workerLinter: { ignore: opts.ignore, only: opts.only, strict: opts.strict, severity: opts.severity, tree: treeDir },
    sourceFiles: opts.file,
    onResult: async (r) => {
      baselines.take(r);
      fixes?.take(r);
      tally.add(r);
      const text = report.message(r);
      if (text && sharedTerminal) progress!.clear();
      await out.write(text);
    },
    // A reader that went away, a full disk: nothing more can be said, so nothing more is read.
    stop: () => out.error !== null,
  });
  failures.push(...run.failures);
  progress?.done();
  await out.write(report.end());
  await out.end();
  const failed = out.failure();
  if (failed) failures.push(failed); // one line, exit 2: the report did not get out
  const unwritten = await baselines.finish();
  if (unwritten) failures.push(unwritten);
  if (fixes) {
    // What was written and what was left: said on stderr, so that the report on stdout stays what the format says.
    const { notes, failures: unfixed } = await fixes.finish();
    for (const n of notes) io.stderr.write(`kreview: ${n}\n`);
    failures.push(...unfixed);
  }

  const status = exitStatus(tally, failures, io.stderr, opts.maxWarnings, opts.failOn);
  // The reader left (EPIPE, `| head`): the run stopped before its end and its verdict is not known. Exit 2, quietly.
  return out.closed ? 2 : status;
}
