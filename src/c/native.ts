/**
 * tree-sitter and its C grammar are native modules (C and C++ compiled for
 * this machine's Node.js). When they cannot be loaded (installed with
 * `npm ci --ignore-scripts`, a prebuilt binary that needs a newer libstdc++
 * than the system has, a build that failed for want of a C++ toolchain)
 * kreview cannot lint anything, and the user needs one sentence saying so
 * and how to fix it, not a stack trace.
 *
 * The modules are loaded on first use, once per thread: commands that parse
 * no C (`--help`, `rules`, `explain`, `hook status`) never pay for them.
 * `loadNative()` throws NativeParserError with that sentence; the engine
 * calls it when a linter is made, so every way of linting fails the same
 * way before any input is read.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type TreeSitter from "tree-sitter";
import { clockSteps, type SteppingClasses } from "./budget.js";
import { MEMOIZED, memoizeNodes, uncacheNodes } from "./memo.js";

export interface Native {
  Parser: typeof TreeSitter;
  /** The C grammar (tree-sitter-c's Language object). */
  C: TreeSitter.Language;
}

/** The native parser could not be loaded; the message is the one line to show the user. */
export class NativeParserError extends Error {
  override name = "NativeParserError";
}

/** The two packages, in the order they are loaded (the grammar needs the runtime). */
export const NATIVE_PACKAGES = ["tree-sitter", "tree-sitter-c"] as const;

let loaded: Native | null = null;
let failure: NativeParserError | null = null;

/** The native modules, loaded on the first call. Throws NativeParserError when they cannot be. */
export function loadNative(): Native {
  if (loaded) return loaded;
  if (failure) throw failure;
  const require = createRequire(import.meta.url);
  let current: string = NATIVE_PACKAGES[0];
  try {
    const Parser = require(current) as typeof TreeSitter;
    current = NATIVE_PACKAGES[1];
    const C = require(current) as TreeSitter.Language;
    // Node answers kept, tree steps on the budget's clock: both before the first tree is made.
    const binding = Parser as unknown as SteppingClasses & { Tree: { prototype: object } };
    memoizeNodes(binding.SyntaxNode);
    uncacheNodes(binding.Tree);
    clockSteps(binding, MEMOIZED);
    loaded = { Parser, C };
    return loaded;
  } catch (e) {
    failure = new NativeParserError(nativeFailureMessage(current, e));
    throw failure;
  }
}

/** Where kreview is installed: `npm rebuild` must run there. */
function packageRoot(): string {
  // this file is src/c/native.ts, compiled to dist/src/c/native.js
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, path.basename(path.resolve(here, "../..")) === "dist" ? "../../.." : "../..");
}

/**
 * "cannot load the tree-sitter C parser (tree-sitter: libstdc++.so.6:
 * version `GLIBCXX_3.4.31' not found): run 'npm rebuild tree-sitter
 * tree-sitter-c' in /opt/kreview; building needs a C++ toolchain (g++, make,
 * python3)". One line: the cause's first line, without the path of the
 * binary that needed it.
 */
export function nativeFailureMessage(pkg: string, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  let cause = (raw.split("\n")[0] ?? "").replace(/\s*\(required by [^)]*\)/, "").trim();
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "MODULE_NOT_FOUND" && cause.includes(`'${pkg}'`)) {
    return `cannot load the tree-sitter C parser (${pkg} is not installed): run 'npm ci' in ${packageRoot()}; building needs a C++ toolchain (g++, make, python3)`;
  }
  if (cause.length > 200) cause = `${cause.slice(0, 197)}...`;
  return (
    `cannot load the tree-sitter C parser (${pkg}: ${cause || "unknown error"}): ` +
    `run 'npm rebuild ${NATIVE_PACKAGES.join(" ")}' in ${packageRoot()}; building needs a C++ toolchain (g++, make, python3)`
  );
}
