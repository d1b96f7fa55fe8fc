/**
 * checkpatch.pl's options on kreview's command line, so that a kernel
 * developer's habits (and scripts that ran checkpatch) work: the table of
 * docs/checkpatch-options.md, as data, and what it does to commander.
 *
 * Each checkpatch option is one of:
 *
 *   same       kreview has it under the same spelling, with the same meaning
 *   alias      another spelling of a kreview option: it sets that option,
 *              in command-line order (a later option wins, as in checkpatch)
 *   no effect  what it asks for is what kreview does anyway: accepted, nothing changes
 *   refused    it tunes something kreview does not have: exit 2, saying why
 *   habit      no option: what checkpatch always does, and the kreview option that does it
 *
 * The aliases and the refused options are registered hidden (`--help` names
 * the page instead); the `same` ones are kreview's own, registered in main.ts.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { type Command, Option } from "commander";

export type CheckpatchKind = "same" | "alias" | "no effect" | "refused" | "habit";

export interface CheckpatchOption {
  /** checkpatch's spelling, as its --help writes it. */
  checkpatch: string;
  kind: CheckpatchKind;
  /** What kreview does with it, in the words of the docs table (Markdown). */
  kreview: string;
}

/** Why each refused option is refused: what kreview prints after `kreview: OPTION (checkpatch): refused: `, and the docs say. */
const REFUSALS = {
  "--verbose": "kreview has no verbose mode: 'kreview explain RULE' prints a rule's documentation, with the review that motivated it",
  "--max-line-length": "kreview has no line-length check: it reviews what checkpatch does not check (run checkpatch for style)",
  "--min-conf-desc-length": "kreview does not check Kconfig help texts (run checkpatch for that)",
  "--tab-size": "kreview has no indentation checks (run checkpatch for style)",
  "--debug": "it turns on debugging of checkpatch's own parser; kreview reads C with tree-sitter and has no such switches",
  "--test-only": "it filters checkpatch's messages by their text; choose kreview's findings by rule with --only",
  "--codespell": "kreview has no spelling checks (run checkpatch --codespell for those)",
  "--codespellfile": "kreview has no spelling checks (run checkpatch --codespell for those)",
  "--typedefsfile": "it tells checkpatch's parser about type names; kreview parses C with tree-sitter, which needs none",
  "--kconfig-prefix": "kreview does not check Kconfig symbols (run checkpatch for that)",
} as const;

/** Why each no-effect option changes nothing. */
const NO_EFFECTS = {
  "--no-signoff": "kreview does not check `Signed-off-by:` lines",
  "--patch": "inputs are read as patches already (and kreview tells patch files, mails, mboxes and diffs apart itself)",
  "--showfile": "kreview always names the position in the patched file (`FILE: path:line` in the text form, at the start of a terse line), and the input line after `#`",
  "--show-types": "kreview always shows the rule (`ERROR:rule-id:` in the text form, `[rule-id]` in the terse one)",
  "--summary-file": "kreview prints one `total:` for the run and names each input in its verdict line",
  "--ignore-perl-version": "kreview is not Perl",
  "--color": "kreview prints no colour; `WHEN` must still be `always`, `never` or `auto`",
} as const;

/** The table of docs/checkpatch-options.md, in checkpatch's --help order (test/meta checks the page against it). */
export const CHECKPATCH_OPTIONS: readonly CheckpatchOption[] = [
  { checkpatch: "-q, --quiet", kind: "same", kreview: "findings only: no notes, no verdict" },
  { checkpatch: "-v, --verbose", kind: "refused", kreview: REFUSALS["--verbose"] },
  { checkpatch: "--no-tree", kind: "same", kreview: "lint from the hunks alone, even inside a kernel tree" },
  { checkpatch: "--no-signoff", kind: "no effect", kreview: NO_EFFECTS["--no-signoff"] },
  { checkpatch: "--patch", kind: "no effect", kreview: NO_EFFECTS["--patch"] },
  { checkpatch: "--emacs", kind: "alias", kreview: "`--format terse`: `path:line: LEVEL: message [rule]`, one line per finding, which Emacs' compile mode reads" },
  { checkpatch: "--terse", kind: "alias", kreview: "`--format terse`; the position is always the patched file's, as with checkpatch's `--terse --showfile`" },
  { checkpatch: "--showfile", kind: "no effect", kreview: NO_EFFECTS["--showfile"] },
  {
    checkpatch: "-g, --git",
    kind: "alias",
    kreview:
      "`--git REV`: `-g` takes the revision as its value, one revision or range (`REV`, `A..B`, `-N`, and checkpatch's `REV-N`, the last N commits from REV, unless the whole value names a revision, such as a branch `fix-2`)",
  },
  { checkpatch: "-f, --file", kind: "same", kreview: "lint whole source files, every line taken as added; findings name the file as given and its own line numbers. `--format` has no short form: `-f terse` is answered with what to write" },
  { checkpatch: "--subjective, --strict", kind: "alias", kreview: "`--strict` (the same spelling); `--subjective` sets it too, `--no-subjective` is `--no-strict`" },
  { checkpatch: "--list-types", kind: "alias", kreview: "`kreview rules`: the rules, their level and what they catch" },
  { checkpatch: "--types TYPE(,TYPE2...)", kind: "alias", kreview: "`--only RULE,...`: kreview's rule ids, in any case, `_` for `-` (`--types BUG_ON` is `--only bug-on`)" },
  { checkpatch: "--ignore TYPE(,TYPE2...)", kind: "same", kreview: "kreview's rule ids, in any case, `_` for `-`; checkpatch's message types are not rule ids (an unknown id is an error)" },
  { checkpatch: "--show-types", kind: "no effect", kreview: NO_EFFECTS["--show-types"] },
  { checkpatch: "--max-line-length=n", kind: "refused", kreview: REFUSALS["--max-line-length"] },
  { checkpatch: "--min-conf-desc-length=n", kind: "refused", kreview: REFUSALS["--min-conf-desc-length"] },
  { checkpatch: "--tab-size=n", kind: "refused", kreview: REFUSALS["--tab-size"] },
  { checkpatch: "--root=PATH", kind: "alias", kreview: "`--tree PATH`: the kernel tree the patches apply to" },
  { checkpatch: "--no-summary", kind: "same", kreview: "no `total:` lines" },
  { checkpatch: "--mailback", kind: "same", kreview: "an input with no error or warning gets no `total:` or verdict, and the notes at the end go when no input has one; check-level findings stay" },
  { checkpatch: "--summary-file", kind: "no effect", kreview: NO_EFFECTS["--summary-file"] },
  { checkpatch: "--debug KEY=[0|1]", kind: "refused", kreview: REFUSALS["--debug"] },
  { checkpatch: "--test-only=WORD", kind: "refused", kreview: REFUSALS["--test-only"] },
  {
    checkpatch: "--fix",
    kind: "same",
    kreview: "writes `<input>.kreview-fixed` beside each input (a patch file, or a source file with `-f`), with the machine-applicable fixes applied (checkpatch writes `<input>.EXPERIMENTAL-checkpatch-fixes`): `docs/baselines-and-fixes.md`",
  },
  { checkpatch: "--fix-inplace", kind: "same", kreview: "rewrites the inputs themselves with those fixes: `docs/baselines-and-fixes.md`" },
  { checkpatch: "--ignore-perl-version", kind: "no effect", kreview: NO_EFFECTS["--ignore-perl-version"] },
  { checkpatch: "--codespell", kind: "refused", kreview: REFUSALS["--codespell"] },
  { checkpatch: "--codespellfile", kind: "refused", kreview: REFUSALS["--codespellfile"] },
  { checkpatch: "--typedefsfile", kind: "refused", kreview: REFUSALS["--typedefsfile"] },
  { checkpatch: "--color[=WHEN], --no-color, --nocolor", kind: "no effect", kreview: NO_EFFECTS["--color"] },
  { checkpatch: "--kconfig-prefix=WORD", kind: "refused", kreview: REFUSALS["--kconfig-prefix"] },
  { checkpatch: "-h, --help, --version", kind: "same", kreview: "`--help` prints kreview's usage; `-V, --version` its version (checkpatch's `--version` prints its help)" },
  {
    checkpatch: "exit status 1 on any message",
    kind: "habit",
    kreview:
      "`--fail-on check`: kreview exits 1 on an error-level finding only (and on more warnings than `--max-warnings`), as ESLint does; `--fail-on warning` adds warnings, `--fail-on check` every finding printed (checks are printed under `--strict`, as checkpatch's)",
  },
];

const COLOR_WHEN = /^(always|never|auto)$/i;

/**
 * The arguments as commander should see them. A bare `--color` is
 * `--color=auto`, as checkpatch rewrites it, so that it does not take the
 * next argument (an input) as its value. Nothing after `--` is touched.
 */
export function checkpatchArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let ended = false;
  for (const arg of argv) {
    if (arg === "--") ended = true;
    out.push(!ended && arg === "--color" ? "--color=auto" : arg);
  }
  return out;
}

/** What main.ts needs to know after parsing, beyond kreview's own options. */
export interface CheckpatchOpts {
  /** --list-types: print the rules instead of linting. */
  listTypes?: boolean;
}

/**
 * Registers the aliases, the no-effect options and the refused ones on the
 * lint command. `ruleList` is the parser of `--only`, which `--types` feeds.
 */
export function addCheckpatchOptions(program: Command, ruleList: (v: string, prev?: string[]) => string[]): void {
  const hidden = (flags: string) => program.addOption(new Option(flags).hideHelp());
  const refuse = (option: keyof typeof REFUSALS) => () => {
    program.error(`kreview: ${option} (checkpatch): refused: ${REFUSALS[option]}`, { exitCode: 2, code: "kreview.checkpatchRefused" });
  };
  const set = (key: string, value: unknown) => program.setOptionValueWithSource(key, value, "cli");

  // aliases, applied where they stand among the other options
  for (const flags of ["--terse", "--emacs"]) {
    hidden(flags);
    program.on(`option:${flags.slice(2)}`, () => set("format", "terse"));
  }
  hidden("--subjective");
  program.on("option:subjective", () => set("strict", true));
  hidden("--no-subjective");
  program.on("option:no-subjective", () => set("strict", false));
  hidden("--types <types>");
  program.on("option:types", (v: string) => set("only", ruleList(v, program.getOptionValue("only") as string[] | undefined)));
  hidden("--root <path>");
  program.on("option:root", (v: string) => set("tree", v));
  hidden("--list-types");

  // no effect
  for (const flags of ["--no-signoff", "--patch", "--showfile", "--show-types", "--summary-file", "--ignore-perl-version", "--no-color", "--nocolor"]) hidden(flags);
  hidden("--color [when]");
  program.on("option:color", (v: string | null) => {
    if (v !== null && !COLOR_WHEN.test(v)) {
      program.error(`kreview: --color=${v}: takes always, never or auto (kreview prints no colour either way)`, { exitCode: 2, code: "kreview.checkpatchColor" });
    }
  });

  // refused, with the reason
  const refused: [string, keyof typeof REFUSALS][] = [
    ["-v, --verbose", "--verbose"],
    ["--max-line-length <n>", "--max-line-length"],
    ["--min-conf-desc-length <n>", "--min-conf-desc-length"],
    ["--tab-size <n>", "--tab-size"],
    ["--debug <key=value>", "--debug"],
    ["--test-only <word>", "--test-only"],
    ["--codespell", "--codespell"],
    ["--codespellfile <file>", "--codespellfile"],
    ["--typedefsfile <file>", "--typedefsfile"],
    ["--kconfig-prefix <word>", "--kconfig-prefix"],
  ];
  for (const [flags, option] of refused) {
    hidden(flags);
    program.on(`option:${option.slice(2)}`, refuse(option));
  }
}

/**
 * The one-line usage error of checkpatch habits that do not combine in
 * kreview, or null. `-f` is `--file` (checkpatch's) and no longer
 * `--format`: `-f terse` would lint a file named `terse`, so an input that
 * is a format's name and no file says what to write instead.
 */
export async function checkpatchConflicts(
  inputs: readonly string[],
  opts: { file?: boolean; git?: string; format: string },
  cwd: string,
  formats: readonly string[],
): Promise<string | null> {
  if (!opts.file) return null;
  if (opts.git !== undefined) return "--git cannot be used with -f/--file (as in checkpatch)";
  if (opts.format === "email") return "--format email answers patch mails; a source file (-f/--file) is not one";
  for (const input of inputs) {
    if (!formats.includes(input)) continue;
    const exists = await fs.stat(path.resolve(cwd, input)).then(
      () => true,
      () => false,
    );
    if (!exists) return `-f ${input}: -f is --file, checkpatch's 'lint a source file'; the output format is --format ${input}`;
  }
  return null;
}

export const CHECKPATCH_CONF = ".checkpatch.conf";

/**
 * Where checkpatch would read its options from: `.checkpatch.conf` in the
 * current directory, else in the home directory, else in `.scripts/` under
 * the current directory (checkpatch's search path, `.:$HOME:.scripts`).
 * Returns the file as a person would name it, or null when there is none.
 */
export async function findCheckpatchConf(cwd: string, home: string): Promise<string | null> {
  const places: [string, string][] = [[path.join(cwd, CHECKPATCH_CONF), CHECKPATCH_CONF]];
  if (home !== "") places.push([path.join(home, CHECKPATCH_CONF), `~/${CHECKPATCH_CONF}`]);
  places.push([path.join(cwd, ".scripts", CHECKPATCH_CONF), `.scripts/${CHECKPATCH_CONF}`]);
  for (const [file, shown] of places) {
    try {
      await fs.stat(file);
      return shown;
    } catch {
      // absent or unreachable: checkpatch would not read it either
    }
  }
  return null;
}

/** The note the text report prints once when kreview finds a `.checkpatch.conf` and reads no `.kreview.json`. */
export function checkpatchConfNote(shown: string): string {
  return `${shown} holds checkpatch's options: kreview does not read it (kreview's settings go in .kreview.json, and with one this note goes: docs/checkpatch-options.md)`;
}
