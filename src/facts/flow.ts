/**
 * One structured dataflow walker over a function body, shared by every fact
 * that changes along paths (what is held, what stage an object is in).
 *
 * It is not a full control-flow graph: it follows straight-line code,
 * if/else (joined), loops (body seen once, joined with the entry), switch,
 * early returns, forward `goto` ladders joined at their labels,
 * `break`/`continue`, `guard()`-style scopes (held to the end of their block),
 * `scoped_guard()`-style scopes (over the statement they govern), and
 * iterator macros (`list_for_each_entry(...) { }`) as loops. A fact plugs in
 * a transfer function; the walker records the state before every statement
 * and before every expression it hands to the transfer, so a rule can ask
 * for the state at any call.
 *
 * `null` is the state of a point no path reaches. Bounded: statements nested
 * deeper than MAX_DEPTH are passed over (state unchanged), and expressions
 * are visited with an explicit stack, so no input can overflow the stack.
 */
import { descendantsOfType } from "../c/descendants.js";
import type { SyntaxNode } from "../c/parser.js";
import { calleeName } from "../c/syntax.js";

export interface Transfer<S> {
  /** The state on entry to the function body. */
  initial(): S;
  join(a: S, b: S): S;
  /**
   * The effect of one expression node, in evaluation order (children first):
   * called for every call_expression, assignment_expression, init_declarator
   * and update_expression.
   */
  effect(node: SyntaxNode, s: S): S;
  /** A condition that splits the state: `[when true, when false]` (trylocks, dec-and-test), or null. */
  branch?(cond: SyntaxNode, s: S): [S, S] | null;
  /**
   * A statement that opens a scope: `guard(cls)(&l);` (to the end of the block)
   * or `scoped_guard(cls, &l)` (over the next statement). Returns the state
   * inside and how to leave it.
   */
  scope?(stmt: SyntaxNode, s: S): { inside: S; leave(s: S): S; governs: "block" | "next" } | null;
}

export const MAX_DEPTH = 200;

const EFFECT_TYPES = ["call_expression", "assignment_expression", "init_declarator", "update_expression"];

interface Jumps<S> {
  breaks: (S | null)[];
  continues: (S | null)[];
}

export class Flow<S> {
  private readonly before = new Map<number, S | null>();
  /** The states at each `return` reached. */
  readonly returns: { node: SyntaxNode; state: S | null }[] = [];
  /** The state where the body falls off its end (null when every path returns). */
  readonly exit: S | null;

  constructor(
    readonly fn: SyntaxNode,
    private readonly t: Transfer<S>,
  ) {
    const body = fn.childForFieldName("body");
    this.exit = body ? new Walk(this, t).statement(body, t.initial(), 0) : t.initial();
  }

  /** @internal */
  record(node: SyntaxNode, s: S | null) {
    this.before.set(node.id, s);
  }

  /**
   * The state just before `node` runs: the nearest recorded node at or above
   * it (a call, an assignment, a statement). Undefined when the walker never
   * reached it (a statement nested too deep).
   */
  at(node: SyntaxNode): S | null | undefined {
    for (let n: SyntaxNode | null = node; n; n = n.parent) {
      if (this.before.has(n.id)) return this.before.get(n.id);
      if (n.id === this.fn.id) return undefined;
    }
    return undefined;
  }
}

class Walk<S> {
  private readonly labels = new Map<string, S | null>();
  private readonly jumps: Jumps<S>[] = [];

  constructor(
    private readonly flow: Flow<S>,
    private readonly t: Transfer<S>,
  ) {}

  private join(a: S | null, b: S | null): S | null {
    if (a === null) return b;
    if (b === null) return a;
    return this.t.join(a, b);
  }

  statement(node: SyntaxNode, state: S | null, depth: number): S | null {
    this.flow.record(node, state);
    if (depth > MAX_DEPTH) return state;
    const d = depth + 1;
    switch (node.type) {
      case "compound_statement":
        return this.block(node.namedChildren, state, d);
      case "if_statement":
        return this.ifStatement(node, state, d);
      case "while_statement":
      case "for_statement":
      case "do_statement":
        return this.loop(node, state, d);
      case "switch_statement":
        return this.switchStatement(node, state, d);
      case "return_statement": {
        const s = this.exprs(node, state);
        this.flow.returns.push({ node, state: s });
        return null;
      }
      case "goto_statement": {
        const label = node.childForFieldName("label")?.text;
        if (label) this.labels.set(label, this.join(this.labels.get(label) ?? null, state));
        return null;
      }
      case "break_statement":
        this.jumps[this.jumps.length - 1]?.breaks.push(state);
        return null;
      case "continue_statement":
        this.jumps[this.jumps.length - 1]?.continues.push(state);
        return null;
      case "labeled_statement": {
        const label = node.childForFieldName("label")?.text;
        const s = label && this.labels.has(label) ? this.join(state, this.labels.get(label)!) : state;
        const inner = node.namedChildren.find((c) => c.type !== "statement_identifier" && c.type !== "comment");
        return inner ? this.statement(inner, s, d) : s;
      }
      case "case_statement":
        return this.block(node.namedChildren.slice(node.childForFieldName("value") ? 1 : 0), state, d);
      case "comment":
        return state;
      default:
        return this.exprs(node, state);
    }
  }

  private block(children: SyntaxNode[], state: S | null, depth: number): S | null {
    const leaves: ((s: S) => S)[] = [];
    let s = state;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child.type === "comment") continue;
      const next = children[i + 1];
      const scope = s !== null && this.t.scope ? this.t.scope(child, s) : null;
      if (scope) {
        this.flow.record(child, s);
        if (scope.governs === "next" && next) {
          const after = this.statement(next, scope.inside, depth);
          s = after === null ? null : scope.leave(after);
          i++;
        } else {
          s = scope.inside;
          leaves.push(scope.leave);
        }
        continue;
      }
      if (isIteratorMacro(child) && next && next.type !== "comment") {
        // list_for_each_entry(...) { ... } parses as a call followed by its body: a loop.
        this.flow.record(child, s);
        s = this.exprs(child, s);
        s = this.loopBody(next, s, depth);
        i++;
        continue;
      }
      s = this.statement(child, s, depth);
    }
    for (let k = leaves.length - 1; k >= 0; k--) if (s !== null) s = leaves[k](s);
    return s;
  }

  private split(cond: SyntaxNode | null, state: S | null): [S | null, S | null] {
    if (!cond || state === null) return [state, state];
    const s = this.exprs(cond, state);
    if (s === null) return [null, null];
    const b = this.t.branch?.(cond, s);
    return b ?? [s, s];
  }

  private ifStatement(node: SyntaxNode, state: S | null, depth: number): S | null {
    const [thenState, elseState] = this.split(node.childForFieldName("condition"), state);
    const cons = node.childForFieldName("consequence");
    const alt = node.childForFieldName("alternative");
    const t = cons ? this.statement(cons, thenState, depth) : thenState;
    const altBody = alt ? (alt.type === "else_clause" ? alt.namedChildren.find((c) => c.type !== "comment") ?? null : alt) : null;
    const e = altBody ? this.statement(altBody, elseState, depth) : elseState;
    return this.join(t, e);
  }

  private loop(node: SyntaxNode, state: S | null, depth: number): S | null {
    let s = state;
    const init = node.childForFieldName("initializer");
    if (init) s = this.exprs(init, s);
    const [inside, outside] = node.type === "do_statement" ? [s, s] : this.split(node.childForFieldName("condition"), s);
    const update = node.childForFieldName("update");
    const body = node.childForFieldName("body");
    const once = node.type === "do_statement";
    let after = body ? this.loopBody(body, inside, depth, once) : inside;
    if (update) after = this.exprs(update, after);
    if (once) {
      // A do-while body runs at least once: what it leaves is what follows.
      const cond = node.childForFieldName("condition");
      return cond ? this.exprs(cond, after) : after;
    }
    return this.join(outside, after);
  }

  private loopBody(body: SyntaxNode, state: S | null, depth: number, once = false): S | null {
    this.jumps.push({ breaks: [], continues: [] });
    const end = this.statement(body, state, depth);
    const j = this.jumps.pop()!;
    // The entry state stands for "no iteration" (and for the next ones), except after a do-while's first.
    let out = once ? end : this.join(state, end);
    for (const b of [...j.breaks, ...j.continues]) out = this.join(out, b);
    return out;
  }

  private switchStatement(node: SyntaxNode, state: S | null, depth: number): S | null {
    const cond = node.childForFieldName("condition");
    const s = cond ? this.exprs(cond, state) : state;
    const body = node.childForFieldName("body");
    if (!body) return s;
    this.jumps.push({ breaks: [], continues: [] });
    let cur: S | null = null;
    for (const child of body.namedChildren) {
      if (child.type === "case_statement") cur = this.join(cur, s);
      cur = this.statement(child, cur, depth);
    }
    const j = this.jumps.pop()!;
    // `continue` inside a switch belongs to the enclosing loop.
    this.jumps[this.jumps.length - 1]?.continues.push(...j.continues);
    let out = cur;
    for (const b of j.breaks) out = this.join(out, b);
    const hasDefault = body.namedChildren.some((c) => c.type === "case_statement" && !c.childForFieldName("value"));
    return hasDefault ? out : this.join(out, s);
  }

  /**
   * Apply the effects inside an expression or declaration in evaluation
   * order (a node after everything inside it), from the tree's index of
   * node types (src/c/descendants.ts).
   */
  private exprs(node: SyntaxNode, state: S | null): S | null {
    if (state === null) return null;
    // In document order, an inner node comes after the nodes around it.
    const found = descendantsOfType(node, EFFECT_TYPES).map((n, order) => ({ node: n, end: n.endIndex, order }));
    // Post-order: what ends first runs first; of two that end together, the inner one.
    found.sort((a, b) => a.end - b.end || b.order - a.order);
    let s: S = state;
    for (const f of found) {
      this.flow.record(f.node, s);
      s = this.t.effect(f.node, s);
    }
    return s;
  }
}

/**
 * `list_for_each_entry(...)` and kin written as a statement with no `;`,
 * followed by their body (a block or one statement).
 */
export function isIteratorMacro(stmt: SyntaxNode): boolean {
  if (stmt.type !== "expression_statement" || stmt.text.trimEnd().endsWith(";")) return false;
  const call = stmt.namedChildren[0];
  const name = call?.type === "call_expression" ? calleeName(call) : null;
  return !!name && /(^|_)for_each(_|$)/.test(name);
}
