import { defineRule, naming, pathDisplay, pathText, type CView, type FunctionFacts, type PatchFacts, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

/** A call through a member of an ops table the function tests for NULL first: `if (n->ops && n->ops->f) n->ops->f(n)`. */
interface GuardedCall {
  f: FunctionFacts;
  call: SyntaxNode;
  test: SyntaxNode;
  /** The ops path, as C writes it, and its type key (`memfile_notifier::ops`). */
  ops: string;
  typeKey: string;
}

function guardedCalls(f: FunctionFacts, unguarded: Set<string>): GuardedCall[] {
  const out: GuardedCall[] = [];
  for (const call of descendantsOfType(f.fn.node, "call_expression")) {
    const callee = call.childForFieldName("function");
    if (callee?.type !== "field_expression") continue;
    const table = callee.childForFieldName("argument");
    const p = table ? f.ids.path(table) : null;
    const last = p?.steps[p.steps.length - 1]?.member;
    if (!p || !last || !naming.OPS_MEMBER.test(last)) continue;
    const test = f.nullTests.get(pathText(p));
    const typeKey = f.ids.typeKey(p);
    if (!typeKey) continue;
    if (!test || test.dispatch) {
      unguarded.add(typeKey);
      continue;
    }
    out.push({ f, call, test: test.node, ops: pathDisplay(p), typeKey });
  }
  return out;
}

export default defineRule({
  id: "optional-ops-check",
  type: "suggestion",
  severity: "check",
  confidence: "medium",
  summary: "an ops table tested for NULL at every call while the registration that stores it never checks it",
  usesTree: true,
  messages: {
    optional: "'{{ops}}' is tested for NULL before every call, but '{{register}}()' accepts it unchecked: make it mandatory and check it once there",
  },
  docs: `### What it does
Finds an ops table (\`ops\`, \`fops\`, \`*_operations\`) that the patch tests for
NULL at every call through it it shows (\`if (n->ops && n->ops->invalidate)\`), while
the registration function of the same patch (\`*_register*\`, \`*_add\`,
\`*_attach\`) that takes the object carrying the table and puts it on a list
never tests it.

### Why is this bad?
An ops table that may be NULL is a contract every caller has to remember;
the day one call site forgets the test, it dereferences NULL. If a user
without ops makes no sense, refuse it once at registration
(\`if (!notifier->ops) return -EINVAL;\`) and call the members directly; if
it does make sense, say so where the struct is declared.

### Example
\`\`\`c
int memfile_register_notifier(struct inode *inode, struct memfile_notifier *notifier, ...)
{
	...
	list_add_rcu(&notifier->list, &list->head);
}

void memfile_notifier_invalidate(struct memfile_notifier_list *list, pgoff_t start, pgoff_t end)
{
	list_for_each_entry_srcu(notifier, &list->head, list, srcu_read_lock_held(&srcu)) {
		if (notifier->ops && notifier->ops->invalidate)
			notifier->ops->invalidate(notifier, start, end);
\`\`\`
Use instead: \`if (!notifier->ops) return -EINVAL;\` in the registration, and
\`if (notifier->ops->invalidate)\` at the calls.

### Reviewer said
> > +		if (notifier->ops && notifier->ops->invalidate)
>
> Any reason notifier->ops isn't mandatory?
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022

### Known problems
A table that lives in a long-lived object and stays NULL until something
registers (\`dax_dev->holder_ops\`) is tested because nothing may be
registered: that is not reported. Only a registration the patch shows is looked at: with none, the rule says
nothing (the table may be optional by design, or checked elsewhere). A
registration that checks the table through a helper it calls is taken as
not checking it.
`,
  checkCode(ctx) {
    const world = ctx.facts.world;
    const guarded: GuardedCall[] = [];
    const unguarded = new Set<string>();
    for (const info of world.functions) {
      const fn = info.view.describeFunction(info.node);
      if (!fn.headVisible) continue;
      guarded.push(...guardedCalls(ctx.facts.function(fn, info.view), unguarded));
    }
    if (guarded.length === 0) return;
    const byType = new Map<string, GuardedCall[]>();
    for (const g of guarded) byType.set(g.typeKey, [...(byType.get(g.typeKey) ?? []), g]);

    for (const [typeKey, calls] of byType) {
      // A call made without the test says the table is mandatory there: that is ops-null-deref's point, not this one.
      if (unguarded.has(typeKey)) continue;
      const [struct, member] = typeKey.split("::");
      const register = registration(ctx.facts, world.functions, struct, member);
      if (!register) continue;
      for (const g of calls) {
        if (!g.f.view.isAdded(g.test)) continue;
        ctx.report({
          view: g.f.view, node: g.test, messageId: "optional", data: { ops: g.ops, register: register.name },
          related: [{ node: register.node, view: register.view, message: `'${register.name}()' stores it without a check` }],
        });
      }
    }
  },
});

/**
 * A registration of the patch that takes the object whose `member` is the
 * table (a parameter of type `struct S *`), or stores a parameter into
 * `->member`, and tests neither for NULL; null when there is none, or it
 * checks.
 */
function registration(facts: PatchFacts, functions: readonly { name: string | null; node: SyntaxNode; view: CView }[], struct: string, member: string): { name: string; node: SyntaxNode; view: CView } | null {
  for (const info of functions) {
    if (!info.name || !naming.REGISTER_NAME.test(info.name) || naming.UNREGISTER_NAME.test(info.name)) continue;
    const fn = info.view.describeFunction(info.node);
    if (!fn.headVisible || !info.view.isAdded(info.node)) continue;
    const f = facts.function(fn, info.view);
    const params = [...f.ids.decls.values()].filter((d) => d.kind === "param");
    // The object that carries the table is handed in and put on a list: every entry of that list is a
    // registered one, so a NULL table means one registered without ops (a table that lives in a
    // long-lived object and is NULL until something registers is another matter, and not this rule's).
    let candidate: string | null = null;
    for (const p of params) {
      if (!p.pointer || p.type !== struct) continue;
      const added = facts.lists().uses.some((u) => u.op === "mutation" && u.api.change === "add" && u.fn?.node.id === info.node.id && u.entry?.root === p.name);
      if (added) candidate = `${p.name}->${member}`;
    }
    if (!candidate) continue;
    if (f.nullTests.has(candidate)) return null;
    return { name: info.name, node: info.node.childForFieldName("declarator") ?? info.node, view: info.view };
  }
  return null;
}
