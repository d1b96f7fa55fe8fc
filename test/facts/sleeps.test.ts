/**
 * Which calls may sleep through what they call: bodies in the patch, and
 * with a tree, in the files its directory's Makefile builds into the module.
 */
import { describe, expect, it } from "vitest";
import { buildCFiles } from "../../src/c/view.js";
import { PatchFacts } from "../../src/facts/index.js";
import type { TreeSource } from "../../src/c/whole.js";
import { newCFile, patchOf } from "../helpers/model.js";

function tree(files: Record<string, string>): TreeSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read(p) {
      reads.push(p);
      return p in files ? { text: files[p] } : null;
    },
  };
}

const makefile = "obj-$(CONFIG_X) += x.o\nx-y := core.o drd.o\n";
const core = `#include "core.h"

static void x_wait(struct x *x)
{
	while (!ready(x))
		usleep_range(100, 200);
}

void x_force(struct x *x)
{
	writel(1, x->regs);
	x_wait(x);
}

void x_poke(struct x *x)
{
	writel(1, x->regs);
}

void x_maybe(struct x *x)
{
	if (!in_interrupt())
		msleep(1);
}

void x_locked(struct x *x)
{
	spin_lock(&x->lock);
	mdelay(1);
	spin_unlock(&x->lock);
	msleep(1);
}
`;

function chainOf(name: string, t?: TreeSource) {
  const cfiles = buildCFiles(patchOf([newCFile("drivers/x/drd.c", "void x_drd(struct x *x)\n{\n\tx_force(x);\n}\n")]));
  const facts = new PatchFacts(cfiles, "post", t);
  return facts.sleeps.chain(name, "drivers/x/drd.c")?.calls ?? null;
}

describe("sleep facts", () => {
  it("follow a callee into the module's other files, two calls down", () => {
    const t = tree({ "drivers/x/Makefile": makefile, "drivers/x/core.c": core });
    expect(chainOf("x_force", t)).toEqual(["x_force", "x_wait", "usleep_range"]);
  });

  it("know nothing of a callee without a tree, or outside the module's files", () => {
    expect(chainOf("x_force")).toBeNull();
    const t = tree({ "drivers/x/Makefile": "obj-y += drd.o\n", "drivers/x/core.c": core });
    expect(chainOf("x_force", t)).toBeNull();
    expect(t.reads).not.toContain("drivers/x/core.c");
  });

  it("say nothing of a body that does not sleep, looks at its context first, or takes an atomic lock itself", () => {
    const t = tree({ "drivers/x/Makefile": makefile, "drivers/x/core.c": core });
    expect(chainOf("x_poke", t)).toBeNull();
    expect(chainOf("x_maybe", t)).toBeNull();
    expect(chainOf("x_locked", t)).toBeNull();
  });

  it("read patch functions before the tree", () => {
    const cfiles = buildCFiles(patchOf([newCFile("drivers/x/drd.c", "static void x_settle(struct x *x)\n{\n\tcancel_work_sync(&x->work);\n}\n\nvoid x_drd(struct x *x)\n{\n\tx_settle(x);\n}\n")]));
    const t = tree({});
    const facts = new PatchFacts(cfiles, "post", t);
    expect(facts.sleeps.chain("x_settle", "drivers/x/drd.c")?.calls).toEqual(["x_settle", "cancel_work_sync"]);
    expect(t.reads).toEqual([]);
  });
});
