/**
 * The kernel tree as context: finding it, and reading files from it safely.
 *
 * A patch names paths; the tree is the user's. Reads never leave the tree:
 * absolute paths, `..` segments and symlinks that resolve outside it are
 * refused with a message (it goes to the message's JSON problems), and
 * nothing is ever written.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
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
