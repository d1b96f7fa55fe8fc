import { ACTION_NAME, BUG_MACROS, BUG_ON_MACROS, CAN_FAIL_CALLS, CANNOT_FAIL_FORM, ERRNO_TYPES, QUESTION_NAME, STATE_READS, calleeName, callArgs, defineRule, isLookupCall, isNullAlloc, naming, unparen, type EnclosingFunction, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

type Why =
  | { kind: "fails" | "lookup" | "alloc" | "error"; call: string }
  | { kind: "errptr"; what: string }
  | { kind: "argument"; param: string }
  | { kind: "teardown" }
  | { kind: "state" };

/** The condition a BUG_ON() or an `if (...) BUG();` crashes on, or null when the call is neither. */
function bugCondition(call: SyntaxNode, name: string): SyntaxNode | null {
  if (BUG_ON_MACROS.has(name)) return callArgs(call)[0] ?? null;
  if (!BUG_MACROS.has(name) || callArgs(call).length > 0) return null;
  const stmt = call.parent?.type === "expression_statement" ? call.parent : null;
  let owner = stmt?.parent ?? null;
  if (owner?.type === "compound_statement" && owner.namedChildren.filter((c) => c.type !== "comment").length === 1) owner = owner.parent;
  if (owner?.type !== "if_statement" || owner.childForFieldName("alternative")) return null;
  return owner.childForFieldName("condition") ?? null;
}

/** Does the post-image of the function make more BUG_ON()/BUG() calls than its pre-image (or is it new)? */
function addsBugs(fn: EnclosingFunction, before: SyntaxNode | null): boolean {
  if (!before) return true;
  const count = (n: SyntaxNode) => descendantsOfType(n, "call_expression").filter((c) => { const name = calleeName(c); return !!name && (BUG_ON_MACROS.has(name) || BUG_MACROS.has(name)); }).length;
  return count(fn.node) > count(before);
}

/** A function of the patch with a `return -EXXX;`. */
function returnsErrno(def: SyntaxNode | null): boolean {
  return !!def && descendantsOfType(def, "return_statement").some((r) => /^return\s+-E[A-Z0-9]+\s*;$/.test(r.text.replace(/\s+/g, " ")));
}

/** Why the condition is one the code can recover from. */
function classify(cond: SyntaxNode, fn: EnclosingFunction, params: Set<string>, ownFunction: (name: string) => SyntaxNode | null): Why {
  const calls = [cond, ...descendantsOfType(cond, "call_expression")].filter((c) => c.type === "call_expression");
  for (const c of calls) {
    const n = calleeName(c);
    if (!n) continue;
    if (n === "IS_ERR" || n === "IS_ERR_OR_NULL") return { kind: "errptr", what: unparen(callArgs(c)[0] ?? c).text };
    if (CAN_FAIL_CALLS.some((re) => re.test(n))) return { kind: "fails", call: n };
    if (isLookupCall(n)) return { kind: "lookup", call: n };
    if (isNullAlloc(n)) return { kind: "alloc", call: n };
    if (STATE_READS.test(n) || naming.PREDICATE_NAME.test(n) || QUESTION_NAME.test(n) || /^[A-Z0-9_]+$/.test(n)) continue;
    // A call that does something, or a function of the patch that returns an errno: its result reports a failure.
    if (ACTION_NAME.test(n) || returnsErrno(ownFunction(n))) return { kind: "error", call: n };
  }
  if (fn.name && (naming.TEARDOWN_NAME.test(fn.name) || naming.UNREGISTER_NAME.test(fn.name))) return { kind: "teardown" };
  // An argument tested as a value (`!bs`, `len > max`, `p->index >= MAX`), not an object handed to a call that reads its state.
  const inCall = (n: SyntaxNode) => {
    for (let p = n.parent; p && p.id !== cond.parent?.id; p = p.parent) if (p.type === "call_expression") return true;
    return false;
  };
  if (calls.length === 0) {
    for (const id of [cond, ...descendantsOfType(cond, "identifier")]) {
      if (id.type === "identifier" && params.has(id.text) && !inCall(id)) return { kind: "argument", param: id.text };
    }
  }
  return { kind: "state" };
}

/** What to write instead, from what the function returns. */
function remedy(fn: EnclosingFunction, why: Why, cond: string): string {
  const form = "call" in why ? CANNOT_FAIL_FORM[why.call] : undefined;
  if (form) return `use ${form}, or handle the failure`;
  const type = (fn.returnType ?? "").replace(/\b(static|inline|extern|const|__\w+)\b/g, "").trim();
  const warn = `if (WARN_ON_ONCE(${cond.length > 40 ? "..." : cond}))`;
  if (why.kind === "teardown") return `write 'WARN_ON_ONCE(...)' and carry on: a teardown cannot fail`;
  if (!fn.returnType) return `write '${warn}' and bail out`;
  const pointer = /\*$/.test(type) || /^\s*\*/.test(fn.node.childForFieldName("declarator")?.text ?? "");
  if (pointer) return `write '${warn} return NULL;' (or an ERR_PTR(), as callers expect)`;
  if (type === "bool") return `write '${warn} return false;'`;
  if (ERRNO_TYPES.test(type)) {
    if (why.kind === "error" || why.kind === "fails") return `write '${warn} return -EINVAL;', or pass on what '${why.call}()' returned`;
    if (why.kind === "errptr") return `write '${warn} return PTR_ERR(${why.what});'`;
    return `write '${warn} return -EINVAL;'`;
  }
  if (type === "void") return `write '${warn} return;'`;
  return `write '${warn}' and bail out`;
}

export default defineRule({
  id: "bug-on",
  type: "problem",
  severity: "warning",
  confidence: "high",
  summary: "a new BUG_ON() on a condition the code can recover from: a call that can fail, a bad argument, a teardown",
  usesTree: true,
  messages: {
    fails: "a BUG_ON() on '{{call}}()', which can fail by design: handle the failure; {{how}}",
    lookup: "a BUG_ON() on the lookup '{{call}}()', which can find nothing: handle that; {{how}}",
    alloc: "a BUG_ON() on the allocation '{{call}}()', which can fail: handle the failure; {{how}}",
    error: "a BUG_ON() on the result of '{{call}}()': an error to return, not a reason to stop the machine; {{how}}",
    errptr: "a BUG_ON() on an error pointer, '{{what}}': return the error instead; {{how}}",
    argument: "a BUG_ON() to validate the argument '{{param}}': a caller's mistake should not stop the machine; {{how}}",
    teardown: "a BUG_ON() in the teardown '{{fn}}()'; {{how}}",
  },
  docs: `### What it does
Finds a \`BUG_ON(cond)\` (or \`if (cond) BUG();\`) that the patch adds where the
code could recover, and says why and how: the condition tests a call that
can fail (\`refcount_inc_not_zero()\`, a lookup, an allocation, a function
whose result is an error code), an error pointer, or an argument of the
function; or it stands in a teardown or unregister path. The message names
what to write instead, from what the function returns:
\`if (WARN_ON_ONCE(cond)) return -EINVAL;\`, \`return NULL\`, \`return;\`, or in a
teardown \`WARN_ON_ONCE()\` and carry on. checkpatch warns on every \`BUG_ON\`
(\`AVOID_BUG\`); this rule says why this one is recoverable.

### Why is this bad?
\`BUG_ON()\` kills the machine, or at best the task with whatever locks it
holds, so the report that follows is often the only trace left. A failed
call, a caller's wrong argument or an odd state at teardown is something the
code can report with a warning and survive; Linus Torvalds' rule is that
new \`BUG_ON()\`s are for states where continuing would corrupt data.

### Example
\`\`\`c
void memfile_unregister_notifier(struct inode *inode, struct memfile_notifier *notifier)
{
	BUG_ON(memfile_get_notifier_info(inode, &list, NULL));
\`\`\`
Use instead:
\`\`\`c
	if (WARN_ON_ONCE(memfile_get_notifier_info(inode, &list, NULL)))
		return;
\`\`\`

### Reviewer said
> > +	BUG_ON(memfile_get_notifier_info(inode, &list, NULL));
>
> Eww. Rather than force the caller to provide the inode/file and the notifier,
> what about grabbing the backing store itself in the notifier?
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022

### Known problems
A \`BUG_ON()\` on a state that only reads data (\`list_empty()\`, a field, a
question such as \`foo_is_ready()\`) is not reported: it may be a real
invariant, where a crash is the point, and the archives show reviewers
accepting those (\`BUG_ON(i == HCTX_TYPE_DEFAULT)\` in four SCSI drivers).
Reviewers who refuse every new \`BUG_ON()\` will find those unreported;
checkpatch's \`AVOID_BUG\` covers them. A call counts as one that can fail by
its name (\`get\`, \`add\`, \`alloc\`, \`claim\`, ...: \`src/c/kernel/bugs.ts\`)
or by a \`return -EXXX;\` in its body when the patch shows it. Code the patch
moves, or a \`BUG_ON()\` rewritten in place of an old one, is not new.
\`VM_BUG_ON()\` and \`BUILD_BUG_ON()\` are not looked at, nor \`BUG_ON(1)\`,
nor \`BUG_ON()\` in \`__init\` code (a boot that cannot go on) or in a
macro's body, nor in the diff a review reply quotes (the quote may leave
out the line the \`BUG_ON()\` was moved from). An argument check counts only when the condition tests the
argument's value with no call.
`,
  create(ctx) {
    const ownFunction = (name: string) => ctx.facts.world.functionsNamed(name)[0]?.node ?? null;
    return {
      call_expression(call) {
        const name = calleeName(call);
        // A reply's quote may leave out the removed line a BUG_ON was moved from: only a patch says what is new.
        if (!name || (!BUG_ON_MACROS.has(name) && !BUG_MACROS.has(name)) || !ctx.post.isAdded(call) || ctx.file.fragment) return;
        const cond = bugCondition(call, name);
        if (!cond) return;
        const fn = ctx.post.enclosingFunction(call);
        if (!fn || fn.annotations.some((a) => a === "__init" || a.startsWith("__init"))) return;
        const f = ctx.facts.at(call, ctx.post);
        const params = new Set([...(f?.ids.decls.values() ?? [])].filter((d) => d.kind === "param").map((d) => d.name));
        // Moved or re-indented code is not a new BUG_ON, nor one rewritten in place of an old one.
        if (ctx.changes.existedBefore(call) || !addsBugs(fn, ctx.changes.preFunction(fn)?.fn.node ?? null)) return;
        // A constant (BUG_ON(1)) marks code that must not be reached: a debugging aid, not a check.
        if (/^\(?\s*(1|true)\s*\)?$/.test(cond.text)) return;
        const why = classify(cond, fn, params, ownFunction);
        // A BUG_ON on a plain state may be a real invariant: reviewers accept those, so the rule says nothing.
        if (why.kind === "state") return;
        const how = remedy(fn, why, unparen(cond).text.replace(/\s+/g, " "));
        const data: Record<string, string> = { how, fn: fn.name ?? "this function" };
        if ("call" in why) data.call = why.call;
        if ("what" in why) data.what = why.what;
        if ("param" in why) data.param = why.param;
        const confidence = !fn.headVisible ? "medium" : undefined;
        ctx.report({ node: call, messageId: why.kind, data, confidence });
      },
    };
  },
});
