import { defineRule, kernelNullSource, naming, pathText, type CView, type FunctionFacts, type NullSource, type NullTest, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

/** The canonical key of an expression in a function. */
function keyOf(f: FunctionFacts, n: SyntaxNode): string {
  const p = f.ids.path(n);
  return p ? pathText(p) : n.text.replace(/\s+/g, "");
}

/** What a function assigns (`x->ops = &default_ops;`), and its NULL tests grouped by the object tested. */
interface Index {
  assigned: Set<string>;
  byBase: Map<string, [string, NullTest][]>;
}

function indexOf(f: FunctionFacts): Index {
  const assigned = new Set<string>();
  for (const a of descendantsOfType(f.fn.node, "assignment_expression")) {
    const l = a.childForFieldName("left");
    if (l) assigned.add(keyOf(f, l));
  }
  const byBase = new Map<string, [string, NullTest][]>();
  for (const [k, t] of f.nullTests) {
    const cut = k.lastIndexOf("->");
    if (cut < 0) continue;
    const base = k.slice(0, cut);
    const list = byBase.get(base) ?? [];
    list.push([k, t]);
    byBase.set(base, list);
  }
  return { assigned, byBase };
}

const WHY: Record<NullSource, string> = {
  lookup: "returns NULL when it finds nothing",
  alloc: "returns NULL when the allocation fails",
};

/** Every row from one node to the other is shown by the patch: no hidden line can hold a check. */
function contiguous(view: CView, from: SyntaxNode, to: SyntaxNode): boolean {
  for (let r = from.startPosition.row; r <= to.startPosition.row; r++) if (view.lineAt(r) === null) return false;
  return true;
}

export default defineRule({
  id: "ops-null-deref",
  type: "problem",
  severity: "error",
  confidence: "high",
  summary: "a call through an ops pointer that is never checked, in a function that checks its sibling member",
  usesTree: true,
  messages: {
    unchecked: "call through '{{ops}}' with no NULL check, while '{{sibling}}' of the same object is checked: can '{{ops}}' be NULL here",
    removed: "the patch drops the NULL check of '{{ops}}' that guarded this call",
    result: "'{{var}}' is used with no NULL check, and {{callee}}() {{why}}",
    resultCheckRemoved: "the patch drops the NULL check of '{{var}}', and {{callee}}() {{why}}",
  },
  docs: `### What it does
Finds a call through an operations pointer (\`x->ops->fn()\`,
\`x->holder_ops->notify_failure()\`) in a function that guards another member
of the same object against NULL (\`if (!x->holder_data)\`), or tests the
ops' own partner member (\`if (x->holder_data)\` for \`holder_ops\`), but
never checks the ops pointer it dereferences, neither \`x->ops\` nor
\`x->ops->fn\`. Also a
patch that removes such a check: the pre-image tested \`x->ops && x->ops->fn\`
and the post-image calls through \`x->ops\` without it.

### Why is this bad?
Checking the sibling says the object may be half set up; the call says the ops
table never is. When a holder can be registered with data but no ops (or ops
cleared while data stays), the call is a NULL dereference in whatever context
the notification comes from, often a machine-check or memory-failure path.

### Example
\`\`\`c
if (!dax_dev->holder_data) {
	rc = -EOPNOTSUPP;
	goto out;
}
rc = dax_dev->holder_ops->notify_failure(dax_dev, offset, size, flags);
\`\`\`
Use instead:
\`\`\`c
if (!dax_dev->holder_data || !dax_dev->holder_ops ||
    !dax_dev->holder_ops->notify_failure) {
	rc = -EOPNOTSUPP;
	goto out;
}
rc = dax_dev->holder_ops->notify_failure(dax_dev, offset, size, flags);
\`\`\`

### Reviewer said
> Shouldn't this check if dax_dev->holder_ops != NULL before dereferencing
> it for the function call?
> — Darrick J. Wong, "Re: [PATCH v7 2/8] dax: Introduce holder for dax_device", 14 Oct 2021,
> Message-ID <20211014180025.GC24333@magnolia>

A pointer stored from a call that may return NULL and used before anything
tests it is reported too: a kernel allocation that can fail (\`kmalloc()\`,
\`kzalloc()\`, \`alloc_pages()\`, not with \`__GFP_NOFAIL\`), dereferenced or
handed to a call; a kernel lookup that can find nothing (\`xa_load()\`,
\`idr_find()\`, \`of_device_get_match_data()\`, \`usb_ifnum_to_if()\`, the finders
of the driver core; a table in \`src/c/kernel/nulls.ts\`) where the patch's other
calls of it test the result. When the patch removes the test that the
pre-image made, the finding says so; code the patch only moves, untested
before as after, is not reported.

### Known problems
A result handed to a call is followed no further when the call takes NULL
(\`kfree()\`, \`put_device()\`, \`devm_ioremap_resource()\` checks it); a
result stored elsewhere, returned, or assigned again is not followed.
A lookup that no other call of the patch tests is not reported (the caller
may know the key is there): this misses some real points (an untested
\`of_device_get_match_data()\` a reviewer asked to check). A function of the
patch that returns NULL on a path is no evidence by itself: its callers
usually know when it does.
Expressions are compared by identity (\`ops = dev->ops;\` then \`ops->fn()\` is
a call through \`dev->ops\`). A sibling is a member of the same object
(\`x->data\`), not a flag deeper in it (\`x->flags.busy\`); a pre-image test
that only chose between members (\`if (ops->a) ops->a(); else ops->b();\`)
never checked the ops and is not a removed check. Ops that are mandatory by contract (checked once at registration) with an
unrelated member checked nearby are reported; say so with \`--ignore\` or fix
the contract in a comment. When the patch does not show the function's head,
a check above the hunk cannot be seen: findings are then given at low
confidence.
`,

  checkCode(ctx) {
    // A result that may be NULL, used before anything tests it: dereferenced,
    // or (when the kernel says it may be NULL) handed to a call that does not take NULL.
    for (const r of ctx.facts.resultUses()) {
      if ((r.first !== "deref" && r.first !== "passed") || !r.at || !contiguous(r.view, r.store, r.at)) continue;
      const known = kernelNullSource(r.callee, r.call);
      if (!known?.known) continue;
      // What the patch changed: the same function tested the same result before, or used it untested already (moved code).
      const before = r.fn.name && ctx.changes.mentionedBefore(r.fn.name) ? ctx.preFacts.resultUses().filter((p) => p.fn.name === r.fn.name && p.variable === r.variable && p.callee === r.callee) : [];
      const removed = before.some((p) => p.first === "test");
      if (!removed && before.some((p) => p.first === r.first)) continue;
      // Where the patch removed the test, the kernel's knowledge is enough; else the facts must agree.
      const src = removed ? known : ctx.facts.nullSource(r.callee, r);
      if (!src) continue;
      const callee = r.callee.startsWith("->") ? r.call.childForFieldName("function")!.text : r.callee;
      const onStore = r.view.isAdded(r.call);
      const use = r.first === "deref" ? `'${r.variable}' is dereferenced here` : `'${r.variable}' is passed to ${r.passedTo}() here`;
      ctx.report({
        view: r.view,
        node: onStore ? r.call : r.at,
        messageId: removed ? "resultCheckRemoved" : "result",
        removal: removed,
        data: { var: r.variable, callee, why: WHY[src.source] },
        related: [onStore ? { node: r.at, view: r.view, message: use } : { node: r.call, view: r.view, message: `'${r.variable}' is set here` }],
        // An allocation, or a test the patch removed, is strong evidence; a lookup the other callers test, less.
        confidence: src.source === "alloc" || removed ? "high" : "medium",
      });
    }
  },
  create(ctx) {
    const indexes = new Map<number, Index>();
    const index = (f: FunctionFacts) => {
      let i = indexes.get(f.fn.node.id);
      if (!i) indexes.set(f.fn.node.id, (i = indexOf(f)));
      return i;
    };
    return {
      call_expression(call) {
        const callee = call.childForFieldName("function");
        if (callee?.type !== "field_expression") return;
        const opsExpr = callee.childForFieldName("argument");
        if (opsExpr?.type !== "field_expression") return;
        const opsField = opsExpr.childForFieldName("field")?.text ?? "";
        if (!naming.OPS_MEMBER.test(opsField)) return;
        const object = opsExpr.childForFieldName("argument");
        if (!object) return;
        const f = ctx.facts.at(call, ctx.post);
        if (!f) return;

        const ops = keyOf(f, opsExpr);
        const member = keyOf(f, callee);
        const tested = f.nullTests;
        const before = (t: { node: SyntaxNode }) => t.node.startIndex < call.startIndex;
        const own = [tested.get(ops), tested.get(member)].filter((t) => t !== undefined);
        if (own.some(before) || index(f).assigned.has(ops)) return;

        // The patch removed a check that the same function had before: of the
        // ops itself, or of the member as a guard (not a choice between members).
        const was = ctx.changes.preFunction(f.fn)?.nullTests;
        const t = was && (was.get(ops) ?? was.get(member));
        if (t && !t.dispatch) {
          ctx.report({ node: call, messageId: "removed", data: { ops: opsExpr.text } });
          return;
        }

        const base = keyOf(f, object);
        // The sibling must be guarded against NULL (`if (!x->data) goto out;`), or be
        // the ops' own partner (`holder_data` for `holder_ops`, set together), not
        // merely tested for whether there is work to do (`if (x->pending) x->ops->run()`).
        // A sibling is a member of the same object (`x->data`), not a flag deeper in it (`x->flags.busy`).
        const prefix = /^(\w+?)_/.exec(opsField)?.[1];
        const depth = base.split("->").length + 1;
        const partner = (k: string) => !!prefix && k.startsWith(`${base}->${prefix}_`);
        const sibling = (index(f).byBase.get(base) ?? []).find(
          ([k, t]) => k.split("->").length === depth && k !== ops && !t.dispatch && (t.forNull || partner(k)) && before(t),
        );
        if (!sibling) return;
        const checked = sibling[1].node;
        ctx.report({
          node: call,
          messageId: "unchecked",
          data: { ops: opsExpr.text, sibling: checked.text },
          related: [{ node: checked, message: `'${checked.text}' is checked for NULL here` }],
          confidence: f.fn.headVisible ? "high" : "low",
        });
      },
    };
  },
});
