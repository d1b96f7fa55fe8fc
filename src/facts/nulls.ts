/**
 * Results that may be NULL, and what the code does with them first.
 *
 * For every `v = f(...)` (and `T *v = f(...)`) into a local pointer, the
 * first thing the function does with `v` afterwards, in source order: test
 * it (`if (!v)`, `v && ...`, `IS_ERR(v)`, `WARN_ON(!v)`), dereference it
 * (`v->x`, `*v`, `v[i]`), pass it to a call (which may dereference it), hand
 * it on (return it, store or assign it), or nothing. Whether `f`
 * may return NULL is the kernel's knowledge (lookups and allocations,
 * src/c/kernel/nulls.ts); a lookup counts where the patch's other calls of it
 * test the result (PatchFacts.nullSource).
 */
import type { SyntaxNode } from "../c/parser.js";
import { calleeName, unparen } from "../c/syntax.js";
import { LOOKUP_CALLS, LOOKUP_NAME, NOFAIL_FLAG, NULL_ALLOC_CALLS, NULL_CHECKING_CALLS } from "../c/kernel/nulls.js";
import { TEST_MACROS } from "../c/kernel/naming.js";
import { declarator, type Identities } from "./identity.js";
import { descendantsOfType } from "../c/descendants.js";

export type FirstUse = "test" | "deref" | "passed" | "handed-on" | "none";

export interface ResultUse {
  /** The local that holds the result. */
  variable: string;
  /** The call whose result it is. */
  call: SyntaxNode;
  /** How the callee is named across the patch: `foo` for `foo()`, `->get_features` for `x->ops->get_features()`. */
  callee: string;
  /** The assignment or declaration that stores it. */
  store: SyntaxNode;
  first: FirstUse;
  /** For `deref` and `passed`: where (the occurrence of the variable). */
  at: SyntaxNode | null;
  /** For `passed`: the call it is passed to. */
  passedTo: string | null;
}

export type NullSource = "lookup" | "alloc";

const LOGICAL = new Set(["&&", "||", "!"]);
const COMPARE = new Set(["==", "!="]);
/** Calls to which a NULL pointer may be handed: they test it themselves. */
const NULL_SAFE = /^(of_\w+|xa_untag_pointer|xa_pointer_tag|xa_is_value|xa_to_value|xa_is_err|xa_err|xa_is_zero|kfree|kvfree|vfree|kfree_sensitive|kmem_cache_free|of_node_put|put_device|usb_free_urb|kobject_put|fput|dput|iput|mempool_free|IS_ERR|IS_ERR_OR_NULL|PTR_ERR|PTR_ERR_OR_ZERO|ERR_CAST|WARN\w*|BUG_ON|likely|unlikely|pr_\w+|dev_\w+|printk|trace_\w+|sizeof|READ_ONCE|WRITE_ONCE|rcu_assign_pointer|list_empty)$/;

/** Does a kernel function, by knowledge, return NULL on failure or when it finds nothing? */
export function kernelNullSource(name: string, call?: SyntaxNode): { source: NullSource; known: boolean } | null {
  if (NULL_ALLOC_CALLS.some((re) => re.test(name))) {
    // `__GFP_NOFAIL` allocations do not fail.
    if (call && NOFAIL_FLAG.test(call.text)) return null;
    return { source: "alloc", known: true };
  }
  if (LOOKUP_CALLS.has(name)) return { source: "lookup", known: true };
  if (LOOKUP_NAME.test(name)) return { source: "lookup", known: false };
  return null;
}

/** The callee key of a call: its name, or `->member` for a call through a pointer. */
export function calleeKey(call: SyntaxNode): string | null {
  const name = calleeName(call);
  if (name) return name;
  const f = call.childForFieldName("function");
  if (f?.type === "field_expression") return `->${f.childForFieldName("field")?.text ?? ""}`;
  return null;
}

/** What becomes of each pointer result stored in a variable of one function. */
export function resultUses(fn: SyntaxNode, ids: Identities): ResultUse[] {
  const body = fn.childForFieldName("body");
  if (!body) return [];
  const stores: { variable: string; call: SyntaxNode; store: SyntaxNode }[] = [];
  for (const n of descendantsOfType(body, ["init_declarator", "assignment_expression"])) {
    const value = unparen(n.childForFieldName(n.type === "init_declarator" ? "value" : "right") ?? n);
    if (value.type !== "call_expression") continue;
    if (n.type === "assignment_expression" && n.childForFieldName("operator")?.text !== "=") continue;
    const left = n.type === "assignment_expression" ? unparen(n.childForFieldName("left")!) : null;
    const name = left ? (left.type === "identifier" ? left.text : null) : declarator(n.childForFieldName("declarator")).name;
    if (!name) continue;
    // A pointer variable; one declared above the hunk (not shown) is taken as one when it holds a call's result.
    const d = ids.decls.get(name);
    if (d ? !d.pointer : ids.paramsKnown) continue;
    stores.push({ variable: name, call: value, store: n });
  }
  if (stores.length === 0) return [];
  const names = new Set(stores.map((s) => s.variable));
  const occurrences = new Map<string, SyntaxNode[]>();
  for (const id of descendantsOfType(body, "identifier")) {
    if (!names.has(id.text)) continue;
    const list = occurrences.get(id.text) ?? [];
    list.push(id);
    occurrences.set(id.text, list);
  }
  const out: ResultUse[] = [];
  for (const s of stores) {
    const callee = calleeKey(s.call);
    if (!callee) continue;
    let first: FirstUse = "none";
    let at: SyntaxNode | null = null;
    let passedTo: string | null = null;
    // `while ((e = list_first_entry_or_null(...)))`, `if (!(p = kzalloc(...)))`: the store is tested itself.
    if (s.store.type === "assignment_expression" && classify(s.store) === "test") {
      out.push({ variable: s.variable, call: s.call, callee, store: s.store, first: "test", at: null, passedTo: null });
      continue;
    }
    for (const occ of occurrences.get(s.variable) ?? []) {
      if (occ.startIndex < s.store.endIndex) continue;
      const use = classify(occ);
      if (use === "other") continue;
      first = use;
      if (use === "deref" || use === "passed") at = occ;
      if (use === "passed") passedTo = calleeName(argumentListOf(occ)!.parent!) ?? null;
      break;
    }
    out.push({ variable: s.variable, call: s.call, callee, store: s.store, first, at, passedTo });
  }
  return out;
}

/** What one occurrence of the variable does with it. */
function classify(occ: SyntaxNode): FirstUse | "other" {
  // In sizeof, nothing is evaluated.
  for (let n: SyntaxNode | null = occ.parent, i = 0; n && i < 8; n = n.parent, i++) {
    if (n.type === "sizeof_expression") return "other";
    if (n.type.endsWith("_statement") || n.type === "declaration") break;
  }
  let n = occ;
  let p = n.parent;
  while (p?.type === "parenthesized_expression") {
    n = p;
    p = p.parent;
  }
  if (!p) return "other";
  switch (p.type) {
    case "field_expression":
      if (p.childForFieldName("argument")?.id === n.id) return p.child(1)?.type === "->" ? "deref" : "other";
      return "other";
    case "pointer_expression":
      return p.child(0)?.type === "*" ? "deref" : "handed-on";
    case "subscript_expression":
      return p.childForFieldName("argument")?.id === n.id ? "deref" : "other";
    case "assignment_expression":
      // Assigned again: what follows is another value. Stored elsewhere: a copy, no use yet.
      return p.childForFieldName("left")?.id === n.id ? "handed-on" : "other";
    case "return_statement":
      return "handed-on";
    case "unary_expression":
      return LOGICAL.has(p.childForFieldName("operator")?.type ?? "") ? "test" : "other";
    case "binary_expression": {
      const op = p.childForFieldName("operator")?.type ?? "";
      return LOGICAL.has(op) || COMPARE.has(op) ? "test" : "other";
    }
    case "conditional_expression":
      return p.childForFieldName("condition")?.id === n.id ? "test" : "other";
    case "if_statement":
    case "while_statement":
    case "for_statement":
    case "do_statement":
    case "switch_statement":
      return "test";
    case "argument_list": {
      const call = p.parent;
      const name = call?.type === "call_expression" ? calleeName(call) : null;
      if (name && (name in TEST_MACROS || /^IS_ERR/.test(name) || NULL_CHECKING_CALLS.has(name))) return "test";
      if (name && NULL_SAFE.test(name)) return "other";
      return name ? "passed" : "handed-on";
    }
    default:
      return "other";
  }
}

function argumentListOf(occ: SyntaxNode): SyntaxNode | null {
  let p = occ.parent;
  while (p?.type === "parenthesized_expression") p = p.parent;
  return p?.type === "argument_list" ? p : null;
}
