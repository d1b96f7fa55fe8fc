/**
 * checkpatch's option spellings (docs/checkpatch-options.md), in process:
 * every refused option exits 2 with its reason (not "unknown option"), every
 * no-effect option changes nothing, every alias does what the kreview option
 * it stands for does, in command-line order, and the habits that do not
 * combine in kreview (-f terse, -f with --git) say what to write instead.
 * test/e2e/checkpatch.test.ts runs the real binary as b4 and a user do.
 */
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CHECKPATCH_OPTIONS, checkpatchArgv } from "../../src/cli/checkpatch-options.js";
import { main } from "../../src/cli/main.js";

const REPO = path.resolve(import.meta.dirname, "../..");
/** Three errors and three warnings (docs: the README's sample). */
const PATCH = "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function kreview(args: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
  const status = await main(["--no-config", "--no-tree", "-j", "1", ...args], { stdin, stdout, stderr, cwd: REPO });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

/** How each refused option of the table is typed, as checkpatch users type it. */
const REFUSED_TYPED: Record<string, string[][]> = {
  "-v, --verbose": [["-v"], ["--verbose"]],
  "--max-line-length=n": [["--max-line-length=100"], ["--max-line-length", "80"]],
  "--min-conf-desc-length=n": [["--min-conf-desc-length=4"]],
  "--tab-size=n": [["--tab-size=8"]],
  "--debug KEY=[0|1]": [["--debug", "values=1"]],
  "--test-only=WORD": [["--test-only=BUG"]],
  "--codespell": [["--codespell"]],
  "--codespellfile": [["--codespellfile=/usr/share/codespell/dictionary.txt"]],
  "--typedefsfile": [["--typedefsfile", "typedefs.txt"]],
  "--kconfig-prefix=WORD": [["--kconfig-prefix=CONFIG_"]],
};

const NO_EFFECT_TYPED: Record<string, string[][]> = {
  "--no-signoff": [["--no-signoff"]],
  "--patch": [["--patch"]],
  "--showfile": [["--showfile"]],
  "--show-types": [["--show-types"]],
  "--summary-file": [["--summary-file"]],
  "--ignore-perl-version": [["--ignore-perl-version"]],
  "--color[=WHEN], --no-color, --nocolor": [["--color"], ["--color=always"], ["--color=never"], ["--color=AUTO"], ["--no-color"], ["--nocolor"]],
};

describe("refused checkpatch options", () => {
  it("the test types every refused option of the table", () => {
    expect(Object.keys(REFUSED_TYPED).sort()).toEqual(CHECKPATCH_OPTIONS.filter((o) => o.kind === "refused").map((o) => o.checkpatch).sort());
  });

  for (const [row, typings] of Object.entries(REFUSED_TYPED)) {
    it(`${row}: exit 2, one line saying why, nothing linted`, async () => {
      for (const typed of typings) {
        const r = await kreview([...typed, PATCH]);
        expect(r.status, typed.join(" ")).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/^kreview: --[a-z-]+ \(checkpatch\): refused: \S.*\n$/);
        expect(r.stderr).not.toMatch(/unknown option/);
        // the reason is the table's
        const long = row.match(/--[a-z-]+/)![0];
        expect(r.stderr).toContain(`kreview: ${long} (checkpatch): refused: `);
      }
    });
  }
});

describe("checkpatch options with no effect in kreview", () => {
  it("the test types every no-effect option of the table", () => {
    expect(Object.keys(NO_EFFECT_TYPED).sort()).toEqual(CHECKPATCH_OPTIONS.filter((o) => o.kind === "no effect").map((o) => o.checkpatch).sort());
  });

  it("each prints what kreview prints without it, with the same exit status", async () => {
    const plain = await kreview([PATCH]);
    expect(plain.status).toBe(1);
    for (const typed of Object.values(NO_EFFECT_TYPED).flat()) {
      expect(await kreview([...typed, PATCH]), typed.join(" ")).toEqual(plain);
    }
  });

  it("a bare --color does not take the input after it as its value (checkpatch rewrites it to --color=auto too)", () => {
    expect(checkpatchArgv(["--color", "a.patch", "--", "--color"])).toEqual(["--color=auto", "a.patch", "--", "--color"]);
  });

  it("--color with a value that is no colour mode is a usage error", async () => {
    const r = await kreview(["--color=sometimes", PATCH]);
    expect(r).toEqual({ status: 2, stdout: "", stderr: "kreview: --color=sometimes: takes always, never or auto (kreview prints no colour either way)\n" });
  });
});

describe("checkpatch spellings of kreview options", () => {
  it("--terse and --emacs are --format terse", async () => {
    const terse = await kreview(["--format", "terse", PATCH]);
    expect(terse.stdout.split("\n")[0]).toMatch(/^mm\/memfile_notifier\.c:47: WARNING: .* \[bug-on\]$/);
    expect(await kreview(["--terse", PATCH])).toEqual(terse);
    expect(await kreview(["--emacs", PATCH])).toEqual(terse);
  });

  it("a later option wins, as in checkpatch: --terse --format json is JSON, --format json --terse is terse", async () => {
    const [json, terse] = await Promise.all([kreview(["--terse", "--format", "json", PATCH]), kreview(["--format", "json", "--terse", PATCH])]);
    expect(JSON.parse(json.stdout).tool).toBe("kreview");
    expect(terse).toEqual(await kreview(["--format", "terse", PATCH]));
  });

  it("--types is --only, adding to it, with ids in checkpatch's spelling", async () => {
    const only = await kreview(["--format", "terse", "--only", "bug-on", PATCH]);
    expect(only.stdout.trimEnd().split("\n").map((l) => l.replace(/.*\[/, "["))).toEqual(["[bug-on]", "[bug-on]"]);
    expect(await kreview(["--format", "terse", "--types", "BUG_ON", PATCH])).toEqual(only);
    const both = await kreview(["--format", "terse", "--types", "BUG_ON", "--only", "bitwise-or-in-condition", PATCH]);
    expect(both.stdout.match(/\[[a-z-]+\]$/gm)).toEqual(["[bug-on]", "[bitwise-or-in-condition]", "[bug-on]"]);
  });

  it("--subjective is --strict and --no-subjective is --no-strict", async () => {
    const [strict, subjective, noStrict, noSubjective] = await Promise.all([
      kreview(["--strict", PATCH]),
      kreview(["--subjective", PATCH]),
      kreview(["--strict", "--no-strict", PATCH]),
      kreview(["--strict", "--no-subjective", PATCH]),
    ]);
    expect(strict.stdout).toMatch(/^CHECK:/m);
    expect(subjective).toEqual(strict);
    expect(noStrict.stdout).not.toMatch(/^CHECK:/m);
    expect(noSubjective).toEqual(noStrict);
  });

  it("--root is --tree, -g is --git", async () => {
    const tree = await kreview(["--tree", "no-such-dir", PATCH]);
    expect(tree).toEqual({ status: 2, stdout: "", stderr: "kreview: --tree no-such-dir: no such directory\n" });
    expect(await kreview(["--root", "no-such-dir", PATCH])).toEqual(tree);
    const git = await kreview(["--git", "--output=x"]);
    expect(git.status).toBe(2);
    expect(await kreview(["-g", "--output=x"])).toEqual(git);
  });

  it("--list-types is `kreview rules`", async () => {
    const stdout = new Sink();
    expect(await main(["rules"], { stdin: Readable.from([]), stdout, stderr: new Sink(), cwd: REPO })).toBe(0);
    expect(stdout.text).toMatch(/^bug-on +warning +/m);
    expect(await kreview(["--list-types"])).toEqual({ status: 0, stdout: stdout.text, stderr: "" });
  });
});

describe("--no-summary and --mailback in the text report", () => {
  it("--no-summary leaves out the total line and nothing else", async () => {
    const [plain, none] = await Promise.all([kreview([PATCH]), kreview(["--no-summary", PATCH])]);
    expect(plain.stdout).toContain("\ntotal: 3 errors, 3 warnings, 340 lines checked\n\n");
    expect(none).toEqual({ ...plain, stdout: plain.stdout.replace("total: 3 errors, 3 warnings, 340 lines checked\n\n", "") });
  });

  it("--mailback prints nothing for a run with no error or warning, and the whole report otherwise", async () => {
    const clean = await kreview(["--mailback", "--only", "patch-format", PATCH]);
    expect(clean).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(await kreview(["--mailback", PATCH])).toEqual(await kreview([PATCH]));
  });
});

describe("habits that do not combine in kreview", () => {
  it("-f FORMAT (kreview's old -f): -f is --file now, and the message says to write --format", async () => {
    const r = await kreview(["-f", "terse", PATCH]);
    expect(r).toEqual({ status: 2, stdout: "", stderr: "kreview: -f terse: -f is --file, checkpatch's 'lint a source file'; the output format is --format terse\n" });
  });

  it("-f with --git, and -f with --format email, are usage errors", async () => {
    expect(await kreview(["-f", "--git", "-1", "fixtures/source/mm/memfile_notifier.c"])).toEqual({
      status: 2,
      stdout: "",
      stderr: "kreview: --git cannot be used with -f/--file (as in checkpatch)\n",
    });
    const email = await kreview(["-f", "--format", "email", "fixtures/source/mm/memfile_notifier.c"]);
    expect(email).toMatchObject({ status: 2, stdout: "" });
    expect(email.stderr).toMatch(/^kreview: --format email answers patch mails; a source file \(-f\/--file\) is not one\n$/);
  });
});
