import { defineRule, naming, pathDisplay, type CView, type FunctionFacts, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

/** `obj->m = p;` where `obj` and `p` are pointer parameters: the caller's pointer kept in the object. */
interface Store {
  f: FunctionFacts;
  node: SyntaxNode;
  struct: string;
  member: string;
  display: string;
}

function stores(f: FunctionFacts): Store[] {
  const params = new Map([...f.ids.decls.values()].filter((d) => d.kind === "param" && d.pointer).map((d) => [d.name, d]));
  const out: Store[] = [];
  for (const a of descendantsOfType(f.fn.node, "assignment_expression")) {
    if (a.childForFieldName("operator")?.text !== "=" || !f.view.isAdded(a)) continue;
    const left = a.childForFieldName("left");
    const right = a.childForFieldName("right");
    const lp = left ? f.ids.path(left) : null;
    const rp = right ? f.ids.path(right) : null;
    if (!lp || !rp || lp.steps.length !== 1 || rp.steps.length !== 0) continue;
    const obj = params.get(lp.root);
    if (!obj?.type || !params.has(rp.root) || rp.root === lp.root) continue;
    // An object being set up (fresh) is not yet anyone's to read after its teardown.
    if (f.stages.stageOf({ root: lp.root, steps: [], rootKind: "param", rootType: obj.type }, a)) continue;
    out.push({ f, node: a, struct: obj.type, member: lp.steps[0].member, display: pathDisplay(lp) });
  }
  return out;
}

/** Does the function clear `member` of its `struct` parameter (`x->member = NULL`, `memset(x, 0, ...)`)? */
function clears(f: FunctionFacts, struct: string, member: string): boolean {
  for (const a of descendantsOfType(f.fn.node, "assignment_expression")) {
    const left = a.childForFieldName("left");
    const lp = left ? f.ids.path(left) : null;
    if (lp && lp.steps.length === 1 && lp.steps[0].member === member && f.ids.typeKey(lp) === `${struct}::${member}`) return true;
  }
  return descendantsOfType(f.fn.node, "call_expression").some((c) => /^memset$|^kfree$|^kvfree$/.test(c.childForFieldName("function")?.text ?? ""));
}

export default defineRule({
  id: "holder-not-cleared",
  type: "problem",
  severity: "warning",
  confidence: "medium",
  summary: "a caller's pointer kept in a longer-lived object that the object's teardown never clears",
  usesTree: true,
  messages: {
    dangling: "'{{field}}' keeps the caller's pointer, but '{{teardown}}()' ends the {{struct}} without clearing it: whoever reads it after that follows a dangling pointer; clear it in '{{teardown}}()'",
  },
  docs: `### What it does
Finds a setter the patch adds (named \`*_set_*\`, \`*_register*\`, \`*_attach*\`,
\`*_bind*\`, ...) that stores a pointer it is handed into an object it is handed (\`dax_dev->holder_data = holder;\`), when the function of
the same file that ends that object's life (\`kill_*\`, \`*_destroy\`,
\`*_release\`, \`*_remove\`, \`*_unregister\`, taking the same struct) does not
clear the field. It needs that function's body: with \`--tree\`, or when the
patch shows it whole.

### Why is this bad?
The object outlives its teardown for as long as anything holds a reference;
a field still pointing at the holder (a filesystem, a mapped device) that
has gone away is a use-after-free waiting for the next reader, and a holder
cannot tell the device is dead.

### Example
\`\`\`c
void dax_set_holder(struct dax_device *dax_dev, void *holder, const struct dax_holder_operations *ops)
{
	dax_dev->holder_data = holder;
	dax_dev->holder_ops = ops;
}
\`\`\`
with a \`kill_dax()\` that only clears \`DAXDEV_ALIVE\`. Use instead: clear both
fields in \`kill_dax()\` (\`dax_dev->holder_ops = NULL; dax_dev->holder_data = NULL;\`).

### Reviewer said
> > +	dax_dev->holder_data = holder;
> > +	dax_dev->holder_ops = ops;
>
> I guess this means that the holder has to detach itself before anyone
> calls kill_dax, or else a dead dax device ends up with a dangling
> reference to the holder?
> — Darrick J. Wong, "Re: [PATCH v7 2/8] dax: Introduce holder for dax_device", 14 Oct 2021

### Known problems
Without the tree, and when the patch does not show the teardown whole, the
rule says nothing: it cannot know. A teardown that clears the fields through
a helper it calls is taken as not clearing them; one that frees the object
(\`kfree()\`) or wipes it (\`memset()\`) is taken as clearing everything. The
teardown is found by its name.
`,
  checkCode(ctx) {
    const world = ctx.facts.world;
    // Teardowns by name; a whole one (head shown, nothing hidden inside) can say it does not clear a field,
    // a partly shown one only that it does.
    const teardowns: { f: FunctionFacts; view: CView; whole: boolean }[] = [];
    for (const info of world.functions) {
      if (!info.name || !naming.LIFE_END_NAME.test(info.name)) continue;
      const fn = info.view.describeFunction(info.node);
      const hidden = info.view.gapRows.some((r) => r > info.node.startPosition.row && r < info.node.endPosition.row);
      teardowns.push({ f: ctx.facts.function(fn, info.view), view: info.view, whole: fn.headVisible && !hidden });
    }
    if (teardowns.length === 0) return;
    for (const info of world.functions) {
      const fn = info.view.describeFunction(info.node);
      // A setter: a function whose name says it hands the object a pointer to keep (set, register, attach, ...).
      // Filling the fields of an I/O or a scan cursor as it starts is not that.
      if (!fn.headVisible || !info.name || naming.LIFE_END_NAME.test(info.name) || !naming.KEEPS_POINTER_NAME.test(info.name)) continue;
      for (const s of stores(ctx.facts.function(fn, info.view))) {
        const here = teardowns.filter((t) => t.view === info.view);
        if (here.some((t) => clears(t.f, s.struct, s.member))) continue;
        const t = here.find((t) => t.whole && [...t.f.ids.decls.values()].some((d) => d.kind === "param" && d.pointer && d.type === s.struct));
        if (!t) continue;
        ctx.report({
          view: info.view, node: s.node, messageId: "dangling",
          data: { field: s.display, teardown: t.f.fn.name ?? "?", struct: `struct ${s.struct}` },
          related: [{ node: t.f.fn.node.childForFieldName("declarator") ?? t.f.fn.node, view: t.view, message: `'${t.f.fn.name}()' does not clear '${s.member}'` }],
        });
      }
    }
  },
});
