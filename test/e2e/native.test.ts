/**
 * When tree-sitter's native modules cannot be loaded (installed with
 * `npm ci --ignore-scripts` where the prebuilt binary needs a newer
 * libstdc++), linting says so in one line and exits 2; commands that parse
 * no C still work, because the modules are loaded only when a linter is made.
 * The failure is simulated with a preload that makes dlopen fail for them.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nativeFailureMessage } from "../../src/c/native.js";
import { REPO, run } from "./run.js";

const PRELOAD = path.join(REPO, "test/e2e/preload/no-native.cjs");
const broken = { env: { NODE_OPTIONS: `--require ${PRELOAD}` } };
const PATCH = "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml";

describe("a native parser that cannot be loaded", () => {
  it("linting is exit 2 with one line naming what is missing and how to fix it, nothing on stdout", async () => {
    const r = await run(["--no-config", PATCH], broken);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "kreview: cannot load the tree-sitter C parser (tree-sitter: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.31' not found): " +
        `run 'npm rebuild tree-sitter tree-sitter-c' in ${REPO}; building needs a C++ toolchain (g++, make, python3)\n`,
    );
  });

  it("commands that parse no C do not load it: kreview rules still lists the rules", async () => {
    const r = await run(["rules"], broken);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^bitwise-or-in-condition\s+error\s/m);
  });

  it("a package that is not there at all is told as such, with the command that installs it", () => {
    const e = Object.assign(new Error("Cannot find module 'tree-sitter-c'\nRequire stack:\n- /x/dist/src/c/native.js"), { code: "MODULE_NOT_FOUND" });
    expect(nativeFailureMessage("tree-sitter-c", e)).toMatch(/^cannot load the tree-sitter C parser \(tree-sitter-c is not installed\): run 'npm ci' in \S+; building needs a C\+\+ toolchain/);
    const nobuild = new Error("No native build was found for platform=linux arch=x64 runtime=node abi=115\n    attempted loading from: /x/node_modules/tree-sitter");
    expect(nativeFailureMessage("tree-sitter", nobuild)).toMatch(/^cannot load the tree-sitter C parser \(tree-sitter: No native build was found for platform=linux arch=x64 runtime=node abi=115\): run 'npm rebuild/);
    expect(nativeFailureMessage("tree-sitter", nobuild)).not.toContain("\n");
  });
});
