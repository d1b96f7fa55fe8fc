/**
 * The list table (src/c/kernel/lists.ts) against the kernel's own list walk
 * macros: every `list_for_each*` / `hlist_for_each*` of include/linux/list.h
 * and rculist.h of Linux 6.12 (their heads, copied into
 * fixtures/kernel/list-walk-macros.h) is a walk in the table, with the entry,
 * head and member at the argument the macro names `pos`, `head` and `member`
 * (a walk with no member has no entry: its `pos` is a bare list_head), and
 * `_safe` exactly when it takes a second cursor `n`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LIST_CALLS } from "../../src/c/kernel/lists.js";

const HEADS = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/kernel/list-walk-macros.h"), "utf8");

const macros = [...HEADS.matchAll(/^#define (\w+)\(([^)]*)\)$/gm)].map((m) => ({ name: m[1]!, params: m[2]!.split(",").map((p) => p.trim()) }));

describe("the list table's walks", () => {
  it("reads the kernel's macro heads", () => {
    expect(macros.length).toBeGreaterThan(30);
    expect(macros.map((m) => m.name)).toContain("list_for_each_entry_safe_from");
  });

  for (const { name, params } of macros) {
    it(`${name}(${params.join(", ")})`, () => {
      const api = LIST_CALLS[name];
      expect(api, `${name} is not in the table`).toBeDefined();
      expect(api!.op).toBe("walk");
      // With no member, `pos` is a bare struct list_head cursor, not an entry.
      expect(api!.entry).toBe(params.includes("member") ? params.indexOf("pos") : -1);
      expect(api!.head).toBe(params.indexOf("head"));
      expect(api!.member ?? -1).toBe(params.indexOf("member"));
      expect(api!.safe).toBe(params.includes("n"));
      expect(api!.rcu).toBe(/_rcu/.test(name));
    });
  }
});
