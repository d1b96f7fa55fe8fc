/**
 * The kernel tree as context: finding it, and reading files from it safely.
 *
 * A patch names paths; the tree is the user's. Reads never leave the tree:
 * absolute paths, `..` segments and symlinks that resolve outside it are
 * refused with a message (it goes to the message's JSON problems), and
 * nothing is ever written.
 */
import { childProcess } from "./lazy.js";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Rule, Severity, TreeRead, TreeSource } from "../engine/index.js";

/** What checkpatch.pl looks for to call a directory the top of a kernel tree (a subset). */
const MARKERS = ["MAINTAINERS", "Makefile", "Kbuild", "scripts", "include"];
/** Files larger than this are not read whole (no C source in the kernel comes near it). */
const MAX_BYTES = 16 * 1024 * 1024;

export function isKernelTree(dir: string): boolean {
  return MARKERS.every((m) => existsSync(path.join(dir, m)));
}

/** The kernel tree the current directory is in, searching upward, or null. */
export function findKernelTree(start: string): string | null {
  let dir = path.resolve(start);
  for (;;) {
    if (isKernelTree(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function treeSource(root: string): TreeSource {
  const realRoot = realpathSync(root);
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + path.sep);
  return {
    search: treeSearch(realRoot),
    read(name: string): TreeRead {
      if (path.isAbsolute(name) || name.split(/[\\/]/).includes("..") || name.includes("\0")) {
        return { refused: `${name}: not read from the tree: the patch names a path outside it` };
      }
      let real: string;
      try {
        real = realpathSync(path.join(realRoot, name));
      } catch {
        return null; // not in the tree (a file the series adds, or another tree)
      }
      if (!inside(real)) return { refused: `${name}: not read from the tree: it is a symlink that leads outside it` };
      const st = statSync(real);
      if (!st.isFile()) return { refused: `${name}: not read from the tree: not a regular file` };
      if (st.size > MAX_BYTES) return { refused: `${name}: not read from the tree: larger than ${MAX_BYTES >> 20} MiB` };
      return { text: readFileSync(real, "utf8") };
    },
  };
}

/**
 * The rules of a run that look past the hunks (`usesTree`) and may report:
 * check-level ones only under --strict. Without a tree they had less to go
 * on, and the report says so.
 */
export function rulesWantingTree(rules: readonly Rule[], options: { strict?: boolean; severity?: Record<string, Severity> }): string[] {
  return rules.filter((r) => r.usesTree && (options.strict || (options.severity?.[r.id] ?? r.severity) !== "check")).map((r) => r.id);
}

/** Whole-tree searches a run may make without git (each reads every C file of the tree). */
const MAX_SCANS = 4;
const WORD = /^[A-Za-z_]\w*$/;

/**
 * Whole-word search of the tree's C files: `git grep` where the tree is a
 * git checkout, else a walk of the tree (a few seconds on a kernel tree:
 * at most MAX_SCANS of them a run, then the search says it cannot).
 */
export function treeSearch(root: string): NonNullable<TreeSource["search"]> {
  const realRoot = realpathSync(root);
  const isGit = existsSync(path.join(realRoot, ".git"));
  let files: string[] | null = null;
  let scans = 0;
  const wordIn = (text: string, name: string) => new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(text);
  return (names) => {
    const wanted = names.filter((n) => WORD.test(n));
    const out = new Map<string, string[]>(wanted.map((n) => [n, []]));
    if (wanted.length === 0) return out;
    let candidates: string[];
    if (isGit) {
      const args = ["-C", realRoot, "grep", "--untracked", "-l", "-w", "-F", "--no-color", ...wanted.flatMap((n) => ["-e", n]), "--", "*.c", "*.h"];
      const r = childProcess().spawnSync("git", args, { encoding: "utf8", maxBuffer: 64 << 20 });
      if (r.status !== 0 && r.status !== 1) return null;
      candidates = r.stdout.split("\n").filter(Boolean);
    } else {
      if (scans >= MAX_SCANS) return null;
      scans++;
      files ??= listCFiles(realRoot);
      candidates = files.filter((f) => {
        let buf: Buffer;
        try {
          buf = readFileSync(path.join(realRoot, f));
        } catch {
          return false;
        }
        return wanted.some((n) => buf.indexOf(n) >= 0);
      });
    }
    for (const f of candidates) {
      let text: string;
      try {
        text = readFileSync(path.join(realRoot, f), "utf8");
      } catch {
        continue;
      }
      for (const n of wanted) if (text.includes(n) && wordIn(text, n)) out.get(n)!.push(f);
    }
    return out;
  };
}

function listCFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (e.isFile() && /\.[ch]$/.test(e.name)) out.push(r);
    }
  };
  walk(root, "");
  return out;
}
