/**
 * What a function tests against NULL: `!e`, `e == NULL`, `e && ...`, a bare
 * `e` in a condition, `WARN_ON(!e)`, `IS_ERR_OR_NULL(e)`, by canonical path
 * (so `ops = dev->ops; if (!ops)` tests `dev->ops`).
 *
 * A test of an ops member that only chooses between members
 * (`if (ops->a) ops->a(x); else ops->b(x);`) is a dispatch, not a NULL check
 * of the ops: it says nothing about whether `ops` may be NULL.
 */
import type { SyntaxNode } from "../c/parser.js";
import { callArgs, calleeName, unparen } from "../c/syntax.js";
import { NULL_WHEN_TRUE, TEST_MACROS } from "../c/kernel/naming.js";
import { pathText, type Identities } from "./identity.js";
import { descendantsOfType } from "../c/descendants.js";

export interface NullTest {
  node: SyntaxNode;
  /** Tested for being NULL (`!e`, `e == NULL`): the code bails out or branches when it is. */
  forNull: boolean;
  /** The test picks one ops member over another (an `else` calls a sibling member): no NULL check of the table. */
  dispatch: boolean;
}

const isNull = (n: SyntaxNode) => n.text === "NULL" || n.text === "0" || n.text === "nullptr";

export function nullTests(fn: SyntaxNode, ids: Identities): Map<string, NullTest> {
  const out = new Map<string, NullTest>();
  const keyOf = (n: SyntaxNode) => {
    const p = ids.path(n);
    return p ? pathText(p) : n.text.replace(/\s+/g, "");
  };
  const visit = (cond: SyntaxNode, forNull: boolean, dispatchOf: SyntaxNode | null) => {
    // An explicit stack: conditions can nest deeper than recursion should go.
    const stack: [SyntaxNode, boolean][] = [[cond, forNull]];
    while (stack.length) {
      const [c, neg] = stack.pop()!;
      const n = unparen(c);
      switch (n.type) {
        case "unary_expression":
          if (n.childForFieldName("operator")?.type === "!") stack.push([n.childForFieldName("argument")!, !neg]);
          break;
        case "binary_expression": {
          const op = n.childForFieldName("operator")?.type;
          const l = n.childForFieldName("left")!;
          const r = n.childForFieldName("right")!;
          if (op === "&&" || op === "||") stack.push([r, neg], [l, neg]);
          else if (op === "==" || op === "!=") {
            const polarity = op === "==" ? !neg : neg;
            if (isNull(r)) stack.push([l, polarity]);
            else if (isNull(l)) stack.push([r, polarity]);
          }
          break;
        }
        case "call_expression": {
          const name = calleeName(n);
          const at = name ? TEST_MACROS[name] : undefined;
          const arg = at !== undefined ? callArgs(n)[at] : undefined;
          if (arg) stack.push([arg, NULL_WHEN_TRUE.has(name!) ? !neg : neg]);
          break;
        }
        case "field_expression":
        case "identifier": {
          const key = keyOf(n);
          const dispatch = !!dispatchOf && isDispatch(n, dispatchOf, ids);
          const seen = out.get(key);
          if (!seen) out.set(key, { node: n, forNull: neg, dispatch });
          else {
            if (neg && !seen.forNull) seen.forNull = true;
            if (!dispatch) seen.dispatch = false;
          }
          break;
        }
      }
    }
  };
  for (const n of descendantsOfType(fn, ["if_statement", "while_statement", "for_statement", "conditional_expression", "call_expression", "binary_expression"])) {
    if (n.type === "call_expression" || n.type === "binary_expression") {
      // Macro tests (WARN_ON(!x)) and short-circuit guards used as values (`x && x->fn()`).
      if (n.type === "binary_expression" && !["&&", "||"].includes(n.childForFieldName("operator")?.type ?? "")) continue;
      if (n.type === "call_expression" && !(calleeName(n)! in TEST_MACROS)) continue;
      visit(n, false, null);
      continue;
    }
    const cond = n.childForFieldName("condition");
    if (cond) visit(cond, false, n.type === "if_statement" ? n : null);
  }
  return out;
}

/** `if (o->ops->a) ...; else o->ops->b(...)`: the test chooses a member; the `else` calls a sibling. */
function isDispatch(tested: SyntaxNode, ifs: SyntaxNode, ids: Identities): boolean {
  if (tested.type !== "field_expression") return false;
  const table = tested.childForFieldName("argument");
  const member = tested.childForFieldName("field")?.text;
  const alt = ifs.childForFieldName("alternative");
  if (!table || !member || !alt) return false;
  const tp = ids.path(table);
  if (!tp) return false;
  const key = pathText(tp);
  return descendantsOfType(alt, "call_expression").some((c) => {
    const f = c.childForFieldName("function");
    if (f?.type !== "field_expression" || f.childForFieldName("field")?.text === member) return false;
    const base = f.childForFieldName("argument");
    const bp = base ? ids.path(base) : null;
    return !!bp && pathText(bp) === key;
  });
}
