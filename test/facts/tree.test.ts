/**
 * With the kernel tree, the facts see the rest of the file: the function
 * head the hunk hides, the other functions that take a list's lock, the
 * comment at the struct member. Without it, the same hunk is "unknown".
 */
import { describe, expect, it } from "vitest";
import { buildCFiles } from "../../src/c/view.js";
import { ChangeFacts, PatchFacts, listGuard } from "../../src/facts/index.js";
import { fileDiff, hunk, patchOf } from "../helpers/model.js";

const FILE = [
  "struct dev {", // 1
  "\tspinlock_t lock;",
  "\tstruct list_head items;\t/* protected by lock */",
  "};",
  "",
  "void dev_add(struct dev *d, struct item *it)", // 6
  "{",
  "\tspin_lock(&d->lock);",
  "\tlist_add(&it->node, &d->items);",
  "\tspin_unlock(&d->lock);",
  "}",
  "",
  "void dev_del(struct dev *d, struct item *it)", // 13
  "{",
  "\tint n = 0;",
  "",
  "\tn++;",
  "\tlist_del(&it->node);",
  "}",
  "",
].join("\n");

// The patch shows only two lines of dev_del().
const patch = () => patchOf([fileDiff("drivers/dev.c", [hunk(" \tn++;\n+\tn--;\n \tlist_del(&it->node);", { oldStart: 17, newStart: 17 })])]);

function useOfDel(withTree: boolean) {
  const cfiles = buildCFiles(patch(), withTree ? { tree: { read: () => ({ text: FILE }) } } : {});
  const facts = new PatchFacts(cfiles, "post");
  const changes = new ChangeFacts(facts, () => new PatchFacts(cfiles, "pre"));
  const u = facts.lists().uses.find((x) => x.name === "list_del")!;
  return { u, facts, changes };
}

describe("the rest of the file, from the tree", () => {
  it("gives the function head, the list by its struct, and the lock the comment names", () => {
    const { u, facts, changes } = useOfDel(true);
    expect([u.fn?.name, u.fn?.headVisible, u.list?.key]).toEqual(["dev_del", true, "dev::items"]);
    const g = listGuard(u, facts, changes);
    // The list is found through its entries' type (list_del names no head): the lock by its member name.
    expect([g?.evidence, g?.display, g?.want.typeKey]).toEqual(["stated", "lock", "dev::lock"]);
    expect([...facts.heldAt(u.call, u.view)!.keys()]).toEqual([]);
    expect(facts.world.structs.get("dev")?.locks.map((l) => l.name)).toEqual(["lock"]);
  });

  it("without the tree, the same hunk hides the head: the function is unknown, not unlocked", () => {
    const { u } = useOfDel(false);
    expect(u.fn?.headVisible).toBe(false);
    expect(u.list).toBeNull();
  });
});
