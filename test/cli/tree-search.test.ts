import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { treeSource } from "../../src/cli/tree.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "kreview-search-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, git: boolean): string {
  const root = path.join(tmp, name);
  for (const [f, text] of Object.entries({
    "drivers/a/a.c": "int foo_get(void) { return 0; }\nEXPORT_SYMBOL(foo_get);\n",
    "drivers/b/b.c": "static int x(void) { return foo_get() + foo_getter(); }\n",
    "include/linux/foo.h": "int foo_get(void);\n",
    "drivers/b/notes.txt": "foo_get\n",
    "drivers/c/c.c": "int foo_getter(void);\n",
  })) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  if (git) {
    const g = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "ignore" });
    g("init", "-q");
    g("add", ".");
  }
  return root;
}

describe("searching the tree for a name", () => {
  for (const git of [false, true]) {
    it(`${git ? "with git grep" : "walking a tree without git"}: the .c and .h files that name it as a whole word, not a longer name, not other files`, () => {
      const src = treeSource(tree(git ? "git" : "plain", git));
      const found = src.search!(["foo_get", "nobody_calls_this"]);
      expect(found).not.toBeNull();
      expect(found!.get("foo_get")!.sort()).toEqual(["drivers/a/a.c", "drivers/b/b.c", "include/linux/foo.h"]);
      expect(found!.get("nobody_calls_this")).toEqual([]);
    });
  }
});
