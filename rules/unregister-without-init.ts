import { defineRule, guardsWriters, naming, type ListUse, type PatchFacts } from "../src/engine/index.js";


/** Is a real lock (not an RCU read side) held at this use, on every path or by the function's contract? */
function lockedAt(facts: PatchFacts, u: ListUse): boolean {
  const state = facts.heldAt(u.call, u.view);
  return !!state && [...state.values()].some((l) => (l.must || l.source === "caller") && guardsWriters(l.kind));
}

export default defineRule({
  id: "unregister-without-init",
  type: "problem",
  severity: "warning",
  confidence: "medium",
  summary: "a file-scope registry filled at run time and emptied by an unregister, with nothing to keep its walkers safe",
  usesTree: true,
  messages: {
    initDropped:
      "the patch drops __init from '{{reg}}()': '{{unreg}}()' now takes entries off '{{list}}' while registration runs at any time, and nothing keeps the list's walkers safe",
    unregister:
      "'{{unreg}}()' takes entries off '{{list}}', which '{{reg}}()' fills at run time: nothing keeps the list's walkers safe; make registration __init and the list __ro_after_init, and drop unregistration until a module needs it",
  },
  docs: `### What it does
Finds a registry kept in a file-scope list (\`static LIST_HEAD(...)\`, a
global \`struct list_head\`) that gains entries from a registration function
not marked \`__init\`, and loses them in an unregistration function, with the
changes not made under a lock. The finding stands on the unregistration's
list change.

### Why is this bad?
Every walker of the list (a lookup, a notifier call) runs concurrently with
registration and unregistration, and nothing orders them: a \`_safe\`
iterator only survives the walker's own deletions, not another CPU's. When
the registrants are built-in code, registering at boot is enough: mark the
registration \`__init\` and the list \`__ro_after_init\`, and the walkers
need no lock at all.

### Example
\`\`\`c
static LIST_HEAD(backing_store_list);

void memfile_register_backing_store(struct memfile_backing_store *bs)
{
	list_add_tail(&bs->list, &backing_store_list);
}

void memfile_unregister_backing_store(struct memfile_backing_store *bs)
{
	list_del(&bs->list);
}
\`\`\`
Use instead:
\`\`\`c
static LIST_HEAD(backing_store_list) __ro_after_init;

void __init memfile_register_backing_store(struct memfile_backing_store *bs)
{
	list_add_tail(&bs->list, &backing_store_list);
}
\`\`\`

### Reviewer said
> Allowing unregistration of a backing store is broken. Using the _safe() variant
> is not sufficient to guard against concurrent modification. [...]
> the easiest thing would be to tag memfile_register_backing_store() with __init and
> make backing_store_list __ro_after_init.
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022,
> Message-ID <YkNTvFqWI5F5w+DW@google.com>

### Known problems
When the patch drops \`__init\` from the registration (the pre-image had it),
the finding says so, on the unregistration's change even where the patch
does not touch that line. Only functions named like registration (\`register\`, \`add\`, \`attach\`,
\`install\`) and unregistration (\`unregister\`, \`remove\`, \`del\`,
\`detach\`) are paired. An unregistration with \`list_del_rcu()\` is taken to
serve RCU walkers and is not reported, nor is teardown in an \`__exit\`
function. A registry that is meant for modules needs a lock, not \`__init\`; the message
names both ways out. A lock taken by every caller (and not in the functions
the patch shows) is not seen: then the finding is wrong, say so with a
\`lockdep_assert_held()\` in both functions.
`,
  checkCode(ctx) {
    const model = ctx.facts.lists();
    for (const unreg of model.uses) {
      if (unreg.op !== "mutation" || unreg.api.change !== "del") continue;
      if (!unreg.list?.global || !unreg.fn?.headVisible || !unreg.fn.name || !naming.UNREGISTER_NAME.test(unreg.fn.name)) continue;
      // Module exit tears down after every user is gone; an RCU list with
      // _rcu changes is made for walkers that hold no lock.
      if (unreg.fn.annotations.includes("__exit") || unreg.api.rcu) continue;
      const list = unreg.list;
      // The registration: a visible, non-__init function adding to the same list.
      const reg = model
        .usesOf(list)
        .find(
          (u) =>
            u.op === "mutation" &&
            u.api.change === "add" &&
            !!u.fn?.headVisible &&
            !!u.fn.name &&
            naming.REGISTER_NAME.test(u.fn.name) &&
            u.fn.node.id !== unreg.fn!.node.id &&
            !u.fn.annotations.includes("__init"),
        );
      if (!reg) continue;
      if (lockedAt(ctx.facts, reg) && lockedAt(ctx.facts, unreg)) continue;
      // What the patch changed: the registration was __init before.
      const was = ctx.changes.preFunction(reg.fn!);
      const initDropped = !!was && was.fn.annotations.includes("__init");
      ctx.report({
        view: unreg.view,
        node: unreg.call,
        messageId: initDropped ? "initDropped" : "unregister",
        removal: initDropped,
        data: { unreg: unreg.fn.name, reg: reg.fn!.name!, list: list.display },
        related: [{ node: reg.call, view: reg.view, message: `'${reg.fn!.name}()' adds entries at run time here` }],
      });
    }
  },
});
