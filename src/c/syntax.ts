/**
 * Small questions about C syntax nodes that the analyses and the rules all
 * ask: which function a call names, its arguments, an expression without its
 * parentheses.
 */
import type { SyntaxNode } from "./parser.js";

/** The name a call calls (`foo` in `foo(x)`), or null for a call through a pointer or member. */
export function calleeName(call: SyntaxNode): string | null {
  const f = call.childForFieldName("function");
  return f?.type === "identifier" ? f.text : null;
}

/** A call's arguments, comments left out. */
export function callArgs(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName("arguments")?.namedChildren.filter((c) => c.type !== "comment") ?? [];
}

/** The expression inside any number of parentheses. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === "parenthesized_expression" && n.namedChildCount === 1) n = n.namedChildren[0];
  return n;
}

/**
 * A macro call's arguments as text, split at top-level commas. Macros such as
 * `container_of(p, struct foo, member)` take a type, which tree-sitter reads
 * as two arguments and an error: the text is what was written.
 */
export function macroArgTexts(call: SyntaxNode): string[] {
  const list = call.childForFieldName("arguments");
  if (!list) return [];
  const t = list.text.slice(1, -1);
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of t) {
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() || out.length) out.push(cur.trim());
  return out.map((a) => a.replace(/\s+/g, " "));
}

/** The variable an expression is rooted in: `e` for `&e->node`, `*(e)`, `e->a.b`; null for anything else. */
export function rootVar(expr: SyntaxNode | undefined): string | null {
  let n: SyntaxNode | undefined | null = expr ? unparen(expr) : null;
  for (let i = 0; n && i < 32; i++) {
    if (n.type === "identifier") return n.text;
    if (n.type === "pointer_expression" || n.type === "parenthesized_expression") n = n.namedChildren[n.namedChildCount - 1];
    else if (n.type === "field_expression") n = n.childForFieldName("argument");
    else return null;
  }
  return null;
}
