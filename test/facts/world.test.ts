import { describe, expect, it } from "vitest";
import { factsOf } from "./helpers.js";

describe("the world", () => {
  it("sees functions, structs and globals inside #ifdef blocks", () => {
    const { facts } = factsOf(`#ifdef CONFIG_MEMCG
static int nr_max;

void free_info(struct memcg *m)
{
	kvfree(m->info);
}
#else
static void free_info(struct memcg *m)
{
}
#endif
`);
    expect(facts.world.functions.map((f) => f.name)).toEqual(["free_info", "free_info"]);
    expect(facts.world.isGlobal("nr_max")).toBe(true);
  });
});
