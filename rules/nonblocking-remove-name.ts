import { calleeName, defineRule, isRefDropCall, isUserWait, isWaitCall, LOCK_CALLS, naming, type CView, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

const { TEARDOWN_NAME, SAYS_NO_WAIT, INCIDENTAL_CALL: INCIDENTAL } = naming;

function waitsIn(node: SyntaxNode): SyntaxNode[] {
  return descendantsOfType(node, "call_expression").filter((c) => {
    const n = calleeName(c);
    return n !== null && isWaitCall(n);
  });
}

/** Does the branch do work of its own (a call that is not locking, a warning or a print)? */
function doesWork(node: SyntaxNode): boolean {
  return descendantsOfType(node, "call_expression").some((c) => {
    const n = calleeName(c);
    if (n === null) return true; // a call through a pointer: a callback runs
    return !LOCK_CALLS[n] && !INCIDENTAL.test(n);
  });
}

function returnsIn(node: SyntaxNode): boolean {
  return node.type === "return_statement" || descendantsOfType(node, "return_statement").length > 0;
}

/** The comment block right above a function definition, if any. */
function docComment(fn: SyntaxNode): SyntaxNode | null {
  const prev = fn.previousNamedSibling;
  return prev?.type === "comment" && prev.endPosition.row >= fn.startPosition.row - 1 ? prev : null;
}

/** The post-image row of the first line the patch still shows after a removed node: where to say what was removed. */
function rowAfterRemoved(ctx: { file: { hunks: { lines: { kind: string }[] }[] }; pre: CView | null; post: CView }, gone: SyntaxNode): number {
  const line = ctx.pre?.lineOf(gone);
  if (!line) return -1;
  for (const h of ctx.file.hunks) {
    const i = h.lines.indexOf(line as never);
    if (i < 0) continue;
    for (let j = i + 1; j < h.lines.length; j++) {
      if (h.lines[j].kind !== "-") return ctx.post.rowOf(h.lines[j] as never);
    }
  }
  return -1;
}

export default defineRule({
  id: "nonblocking-remove-name",
  type: "problem",
  severity: "warning",
  confidence: "medium",
  summary: "a function named remove/destroy/unregister that may return before users are gone: that is a put",
  usesTree: true,
  messages: {
    path: "'{{fn}}()' returns on this path without waiting, while another path waits ({{wait}}): a remove that may return first is a put",
    earlyReturn: "'{{fn}}()' returns here before the {{wait}} below: callers of a remove expect no user of the object to remain",
    doc: "'{{fn}}()' is documented not to block or wait: a remove that does not wait for users is a put, name it so",
    refDrop: "'{{fn}}()' only drops a reference here and tears down on the last one: that is a put, not a remove",
    comment: "this comment says '{{fn}}()' won't block: a remove that may return while users remain is a put, name it so",
    waitRemoved: "the patch removes the {{wait}} from '{{fn}}()': a remove that no longer waits for its users is a put, name it so or keep the wait",
  },
  docs: `### What it does
Looks at functions whose name ends in \`_remove\`, \`_destroy\` or
\`_unregister\`. Reports one where some path returns without waiting for
users while another path waits (\`wait_event*\`, \`synchronize_*rcu\`,
\`flush_work\`, \`wait_for_completion*\`, \`*_sync\`), one whose doc comment
says it does not block or wait, and one that only drops a reference and tears
down on the last one (\`refcount_dec_and_test\`, \`kref_put\`). The finding
stands on the added line that opens the path that does not wait.

### Why is this bad?
Callers read "remove" and "destroy" as a promise: when the call returns, no
callback is running and none will run, so the memory can be freed. A
function that may return first breaks that promise on one path only, and the
use-after-free shows up later, in a driver, under load. The kernel's word for
"drop my reference, the object goes away when the last user is done" is
\`put\`.

### Example
\`\`\`c
void foo_notifier_remove(struct foo_notifier *n)
{
	if (n->ops->release) {
		n->ops->release(n);	/* returns with callbacks maybe running */
	} else {
		wait_event(n->wq, !n->busy);
	}
}
\`\`\`
Use instead: make every path wait, or split the non-blocking variant out
under a name that says what it does (\`foo_notifier_put()\`), documented as
such.

### Reviewer said
> Having a function called remove that doesn't block seems like very
> poor choice of language, we've tended to use put to describe that
> operation.
>
> The difference is meaningful as people often create use after free
> bugs in drivers when presented with interfaces named 'remove' or
> 'destroy' that don't actually guarentee there is not going to be
> continued accesses to the memory.
> — Jason Gunthorpe, "Re: [PATCH v5 1/2] mm/mmu_notifier: make interval notifier updates safe", 17 Dec 2019,
> Message-ID <20191217205147.GI16762@mellanox.com>

A comment that says a teardown function will not block (on an ops member,
say) is reported at the line that says so, when the patch does not show the
function itself.

### Known problems
A function that fills an ops table's slot (\`.destroy = foo_destroy\`) is
named by the table, not by a promise of its own, and is not reported; nor is
a reference drop followed by a wait for the last user
(\`kref_put(); wait_for_completion();\`). A comment's promise counts only in
the sentence that names the function. A wait guarded by "is there anything to wait for" (\`if (seq) wait_event(...)\`)
is not a second path and is not reported; an early return that does no work
(\`if (!n) return;\`) is not either. Waiting done by a callee the patch does not
show is not seen. The function's head must be in the patch.
`,
  create(ctx) {
    /** Teardown functions whose definition the patch shows: their code speaks for them. */
    const shown = (name: string) => ctx.cfiles.some((cf) => cf.post.functionsNamed(name).some((f) => cf.post.describeFunction(f).headVisible));
    // The patch's C without white space, both sides: made when a removed wait is to be looked for.
    const flat = (v: CView | null) => (v ? v.source.replace(/\s+/g, "") : "");
    let flats: { post: string; pre: string } | undefined;
    const flatSources = () => (flats ??= { post: ctx.cfiles.map((c) => flat(c.post)).join("\n"), pre: ctx.cfiles.map((c) => flat(c.pre)).join("\n") });
    return {
      comment(node) {
        // A comment (often on an ops member) promising that a remove will not block.
        // The promise must be in the sentence that names the function: a
        // "does not block" two sentences on is about something else.
        const text = node.text.replace(/\s*\n\s*\*?\s*/g, " ");
        const sentence = text.split(/(?<=[.;:!?])\s+/).find((s) => SAYS_NO_WAIT.test(s) && /\b\w+_(?:remove|destroy|unregister)\(\)/.test(s));
        if (!sentence) return;
        const named = [...sentence.matchAll(/\b(\w+_(?:remove|destroy|unregister))\(\)/g)].map((m) => m[1]);
        const says = SAYS_NO_WAIT.exec(node.text);
        const fn = named.find((n) => !shown(n));
        if (!fn || !says) return;
        const before = node.text.slice(0, says.index);
        const row = node.startPosition.row + (before.match(/\n/g) ?? []).length;
        const column = before.length - (before.lastIndexOf("\n") + 1) + (row === node.startPosition.row ? node.startPosition.column : 0);
        ctx.report({ node, at: { row, column }, messageId: "comment", data: { fn } });
      },
      function_definition(fnNode) {
        const fn = ctx.post.describeFunction(fnNode);
        if (!fn.name || !TEARDOWN_NAME.test(fn.name)) return;
        // What the patch changed: the pre-image waited, the post-image does not (the head need not be shown).
        if (waitsIn(fnNode).length === 0 && !ctx.facts.world.opsSlots.has(fn.name)) {
          // A wait the patch moved (into a helper the remove now calls), or whose object it removed
          // with it (the completion nobody signals any more), is no finding.
          const count = (text: string, what: string) => text.split(what).length - 1;
          const gone = ctx.changes.removedCalls(fn, ctx.post, isUserWait).find((c) => {
            const { post, pre } = flatSources();
            if (post.includes(c.text.replace(/\s+/g, ""))) return false; // moved, not removed
            const arg = c.childForFieldName("arguments")?.namedChildren[0]?.text.replace(/\s+/g, "").replace(/^&/, "");
            // The patch removed what was waited for too (its other uses are gone): nothing left to wait for.
            return !arg || !(count(pre, arg) > 1 && count(post, arg) === 0);
          });
          const row = gone ? rowAfterRemoved(ctx, gone) : -1;
          if (gone && row >= 0) {
            ctx.report({ node: fnNode, at: { row, column: 0 }, messageId: "waitRemoved", data: { fn: fn.name, wait: `${calleeName(gone)}()` }, removal: true });
            return;
          }
        }
        if (!fn.headVisible) return;
        // An ops-table implementation (`.destroy = foo_destroy`) is named by the
        // table's member, not by a promise of its own.
        if (ctx.facts.world.opsSlots.has(fn.name)) return;
        const body = fnNode.childForFieldName("body");
        if (!body) return;
        const data = { fn: fn.name };
        let reported = false;

        const waits = waitsIn(body);
        if (waits.length > 0) {
          for (const ifs of descendantsOfType(body, "if_statement")) {
            if (!ctx.post.isAdded(ifs)) continue;
            const cons = ifs.childForFieldName("consequence");
            const alt = ifs.childForFieldName("alternative");
            if (!cons) continue;
            const later = waits.filter((w) => w.startIndex >= ifs.endIndex);
            if (alt) {
              // if/else: one branch waits, the other does work and does not.
              const cw = waitsIn(cons).length > 0;
              const aw = waitsIn(alt).length > 0;
              if (cw === aw) continue;
              const quiet = cw ? alt : cons;
              if (!doesWork(quiet) || (later.length > 0 && !returnsIn(quiet))) continue;
              const wait = calleeName((cw ? waitsIn(cons) : waitsIn(alt))[0])!;
              ctx.report({ node: ifs, messageId: "path", data: { ...data, wait: `${wait}()` } });
              reported = true;
            } else if (waitsIn(cons).length === 0 && returnsIn(cons) && doesWork(cons) && later.length > 0) {
              // An early return that does work of its own, before a wait.
              ctx.report({ node: ifs, messageId: "earlyReturn", data: { ...data, wait: `${calleeName(later[0])}()` } });
              reported = true;
            }
          }
        }

        for (const call of descendantsOfType(body, "call_expression")) {
          const name = calleeName(call);
          if (!name || !isRefDropCall(name) || !ctx.post.isAdded(call)) continue;
          // A drop followed by a wait for the last user (kref_put(); wait_for_completion()) waits.
          if (waits.some((w) => w.startIndex > call.endIndex)) continue;
          ctx.report({ node: call, messageId: "refDrop", data });
          reported = true;
        }
        // The open-coded put: `if (--x->refs) return;`, `if (!--x->count)`, `if (x->users-- > 1)`.
        for (const upd of descendantsOfType(body, "update_expression")) {
          if (upd.child(0)?.type !== "--" && upd.child(1)?.type !== "--") continue;
          const arg = upd.childForFieldName("argument");
          if (arg?.type !== "field_expression" || !ctx.post.isAdded(upd)) continue;
          let cond: SyntaxNode | null = upd;
          while (cond && cond.parent && cond.parent.type !== "if_statement") cond = cond.parent.type.endsWith("_statement") ? null : cond.parent;
          if (!cond?.parent || cond.parent.childForFieldName("condition")?.id !== cond.id) continue;
          if (waits.some((w) => w.startIndex > upd.endIndex)) continue;
          ctx.report({ node: upd, messageId: "refDrop", data });
          reported = true;
        }

        const doc = docComment(fnNode);
        if (!reported && doc && SAYS_NO_WAIT.test(doc.text)) {
          const name = descendantsOfType(fnNode, "identifier").find((i) => i.text === fn.name);
          if (name) ctx.report({ node: name, messageId: "doc", data });
        }
      },
    };
  },
});
