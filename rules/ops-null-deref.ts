import { defineRule, unparen, type SyntaxNode } from "../src/engine/index.js";

/** Member names that hold an operations table. */
const OPS_MEMBER = /(^|_)f?ops$|operations$|(^|_)callbacks?$/;
/** Macros whose argument is a tested condition. */
const TEST_MACROS = /^(WARN_ON(_ONCE)?|BUG_ON|WARN(_ONCE)?|unlikely|likely|IS_ERR_OR_NULL|dev_WARN_ONCE)$/;

const norm = (s: string) => s.replace(/\s+/g, "");

function isNull(node: SyntaxNode): boolean {
  const t = node.text;
  return t === "NULL" || t === "0" || t === "nullptr";
}

interface Test {
  node: SyntaxNode;
  /** Tested for being NULL (`!e`, `e == NULL`): the code bails out or branches when it is. */
  forNull: boolean;
}

/** The expressions a condition tests against NULL: `!e`, `e == NULL`, `e && ...`, a bare `e`. */
function testedIn(cond: SyntaxNode, out: Map<string, Test>, forNull = false) {
  const n = unparen(cond);
  switch (n.type) {
    case "unary_expression":
      if (n.childForFieldName("operator")?.type === "!") testedIn(n.childForFieldName("argument")!, out, !forNull);
      return;
    case "binary_expression": {
      const op = n.childForFieldName("operator")?.type;
      const l = n.childForFieldName("left")!;
      const r = n.childForFieldName("right")!;
      if (op === "&&" || op === "||") {
        testedIn(l, out, forNull);
        testedIn(r, out, forNull);
      } else if (op === "==" || op === "!=") {
        const polarity = op === "==" ? !forNull : forNull;
        if (isNull(r)) testedIn(l, out, polarity);
        else if (isNull(l)) testedIn(r, out, polarity);
      }
      return;
    }
    case "call_expression": {
      const f = n.childForFieldName("function");
      if (f?.type === "identifier" && TEST_MACROS.test(f.text)) {
        const args = n.childForFieldName("arguments")?.namedChildren ?? [];
        // dev_WARN_ONCE(dev, cond, fmt): the condition is the second argument.
        const cond = f.text === "dev_WARN_ONCE" ? args[1] : args[0];
        if (cond) testedIn(cond, out, f.text === "IS_ERR_OR_NULL" ? !forNull : forNull);
      }
      return;
    }
    case "field_expression":
    case "identifier": {
      const key = norm(n.text);
      const seen = out.get(key);
      if (!seen) out.set(key, { node: n, forNull });
      else if (forNull && !seen.forNull) seen.forNull = true;
      return;
    }
  }
}

/** Every expression the function tests against NULL, by normalised text, first occurrence kept. */
function nullTests(fn: SyntaxNode): Map<string, Test> {
  const out = new Map<string, Test>();
  for (const n of fn.descendantsOfType(["if_statement", "while_statement", "for_statement", "conditional_expression", "call_expression", "binary_expression"])) {
    if (n.type === "call_expression" || n.type === "binary_expression") {
      // Macro tests (WARN_ON(!x)) and short-circuit guards used as values (`x && x->fn()`).
      if (n.type === "binary_expression" && !["&&", "||"].includes(n.childForFieldName("operator")?.type ?? "")) continue;
      testedIn(n, out);
      continue;
    }
    const cond = n.childForFieldName("condition");
    if (cond) testedIn(cond, out);
  }
  return out;
}

/** Assignments to an expression in the function (`x->ops = &default_ops;`). */
function assigned(fn: SyntaxNode, text: string): boolean {
  return fn.descendantsOfType("assignment_expression").some((a) => norm(a.childForFieldName("left")?.text ?? "") === text);
}

export default defineRule({
  id: "ops-null-deref",
  type: "problem",
  severity: "error",
  confidence: "high",
  summary: "a call through an ops pointer that is never checked, in a function that checks its sibling member",
  messages: {
    unchecked: "call through '{{ops}}' with no NULL check, while '{{sibling}}' of the same object is checked: can '{{ops}}' be NULL here",
    removed: "the patch drops the NULL check of '{{ops}}' that guarded this call",
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

### Known problems
Ops that are mandatory by contract (checked once at registration) with an
unrelated member checked nearby are reported; say so with \`--ignore\` or fix
the contract in a comment. When the patch does not show the function's head,
a check above the hunk cannot be seen: findings are then given at low
confidence.
`,
  create(ctx) {
    const tests = new Map<number, Map<string, Test>>();
    const testsOf = (fn: SyntaxNode) => {
      let t = tests.get(fn.id);
      if (!t) tests.set(fn.id, (t = nullTests(fn)));
      return t;
    };

    return {
      call_expression(call) {
        const callee = call.childForFieldName("function");
        if (callee?.type !== "field_expression") return;
        const opsExpr = callee.childForFieldName("argument");
        if (opsExpr?.type !== "field_expression") return;
        const opsField = opsExpr.childForFieldName("field")?.text ?? "";
        if (!OPS_MEMBER.test(opsField)) return;
        const object = opsExpr.childForFieldName("argument");
        if (!object) return;
        const fn = ctx.post.enclosingFunction(call);
        if (!fn) return;

        const ops = norm(opsExpr.text);
        const member = norm(callee.text);
        const tested = testsOf(fn.node);
        const guarded = (t: Map<string, Test>) =>
          [...t.entries()].some(([k, t]) => (k === ops || k === member) && t.node.startIndex < call.startIndex);
        if (guarded(tested) || assigned(fn.node, ops)) return;

        // The patch removed a check that the same function had before.
        if (fn.name && ctx.pre) {
          for (const old of ctx.pre.functionsNamed(fn.name)) {
            const before = nullTests(old);
            if (before.has(ops) || before.has(member)) {
              ctx.report({ node: call, messageId: "removed", data: { ops: opsExpr.text } });
              return;
            }
          }
        }

        const base = norm(object.text);
        // The sibling must be guarded against NULL (`if (!x->data) goto out;`), or be
        // the ops' own partner (`holder_data` for `holder_ops`, set together), not
        // merely tested for whether there is work to do (`if (x->pending) x->ops->run()`).
        const partner = (k: string) => {
          const prefix = /^(\w+?)_/.exec(opsField)?.[1];
          return !!prefix && new RegExp(`(->|\\.)${prefix}_\\w+$`).test(k);
        };
        const sibling = [...tested.entries()].find(
          ([k, t]) =>
            (k.startsWith(`${base}->`) || k.startsWith(`${base}.`)) && !k.startsWith(ops) && (t.forNull || partner(k)) && t.node.startIndex < call.startIndex,
        );
        if (!sibling) return;
        const checked = sibling[1].node;
        ctx.report({
          node: call,
          messageId: "unchecked",
          data: { ops: opsExpr.text, sibling: checked.text },
          related: [{ node: checked, message: `'${checked.text}' is checked for NULL here` }],
          confidence: fn.headVisible ? "high" : "low",
        });
      },
    };
  },
});
