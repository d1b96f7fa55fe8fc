/**
 * Facts about the kernel tree beyond the files a patch touches: which files
 * name a symbol, and how a file is built (its module, built in or not).
 * Series-wide rules ask them (an export with no user in the series may have
 * one in the tree); the answers are kept for the whole run.
 */
import { Kbuild, type BuildUnit } from "../c/kbuild.js";
import type { TreeSource } from "../c/whole.js";

export type { BuildUnit } from "../c/kbuild.js";

export interface TreeFacts {
  /** Per name, the tree paths of the `.c`/`.h` files that name it as a whole word; null when the tree cannot be searched. */
  uses(names: readonly string[]): Map<string, string[]> | null;
  /** How a `.c` file of the tree is built; null when its Makefile does not say. */
  unit(file: string): BuildUnit | null;
}

export function treeFacts(tree: TreeSource): TreeFacts {
  const kbuild = new Kbuild(tree);
  const cache = new Map<string, string[]>();
  return {
    uses(names) {
      if (!tree.search) return null;
      const todo = names.filter((n) => !cache.has(n));
      if (todo.length > 0) {
        const found = tree.search(todo);
        if (!found) return null;
        for (const n of todo) cache.set(n, found.get(n) ?? []);
      }
      return new Map(names.map((n) => [n, cache.get(n)!]));
    },
    unit: (file) => kbuild.unit(file),
  };
}
