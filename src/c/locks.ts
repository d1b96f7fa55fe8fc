/**
 * Lock context: which locks are held before each statement of a function.
 *
 * A structured walk over the function body (no full control-flow graph):
 * straight-line code, if/else, loops (body seen once), switch, early returns,
 * forward `goto` ladders, `break`/`continue`, `guard()` (held to the end of
 * its block) and `scoped_guard()` (held in the statement it governs). Each
 * lock is tracked with whether it is held on every path (`must`) or only on
 * some (`may`). Calls are recognised from the table in kernel/locks.ts;
 * calls named like `foo_lock()` / `foo_unlock()` that the table does not know
 * are tracked as `custom` locks, so rules can tell "nothing held" from
 * "something we cannot name is held".
 *
 * Shared by every rule that asks what is held (list changes outside their
 * lock, sleeping in atomic context, RCU accessors).
 */
import type { SyntaxNode } from "./parser.js";
import { callArgs as args, calleeName } from "./syntax.js";
import { GUARD_CLASSES, LOCK_ASSERTIONS, LOCK_CALLS, type LockKind } from "./kernel/locks.js";

export interface HeldLock {
  /** Normalised lock expression (`list->lock`, `rcu`, `dax_read_lock()`). */
  key: string;
  kind: LockKind | "custom";
  /** Sleeping is forbidden while held (unknown for custom locks: false). */
  atomic: boolean;
  shared: boolean;
  /** The call (or guard) that took it. */
  site: SyntaxNode;
  /** Held on every path that reaches the statement, not only on some. */
  must: boolean;
}

/** Locks held at a point; null when the point cannot be reached. */
export type LockState = ReadonlyMap<string, HeldLock> | null;

export class LockContext {
  private readonly before = new Map<number, Map<string, HeldLock> | null>();
  /** States at each `return` reached (for rules about locks held on return). */
  readonly returns: { node: SyntaxNode; state: LockState }[] = [];
  /** True when some lock-like call could not be read (a custom wrapper was seen). */
  sawCustom = false;

  constructor(readonly fn: SyntaxNode) {
    const body = fn.childForFieldName("body");
    if (body) new Walker(this).statement(body, new Map());
  }

  /** @internal */
  record(stmt: SyntaxNode, state: Map<string, HeldLock> | null) {
    this.before.set(stmt.id, state ? new Map(state) : null);
  }

  /** Locks held just before the statement that contains `node` runs. */
  heldAt(node: SyntaxNode): LockState {
    for (let n: SyntaxNode | null = node; n && n.id !== this.fn.id; n = n.parent) {
      if (this.before.has(n.id)) return this.before.get(n.id) ?? null;
    }
    return new Map();
  }
}

/** The normalised key of a lock expression: `&list->lock` → `list->lock`. */
export function lockKey(expr: SyntaxNode | null | undefined): string {
  if (!expr) return "?";
  let t = expr.text.replace(/\s+/g, "");
  for (;;) {
    const before = t;
    if (t.startsWith("&")) t = t.slice(1);
    if (t.startsWith("(") && t.endsWith(")") && balanced(t.slice(1, -1))) t = t.slice(1, -1);
    if (t === before) return t;
  }
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === "(") d++;
    else if (c === ")" && --d < 0) return false;
  }
  return d === 0;
}

type State = Map<string, HeldLock> | null;

function join(a: State, b: State): State {
  if (a === null) return b && new Map(b);
  if (b === null) return new Map(a);
  const out = new Map<string, HeldLock>();
  for (const [k, l] of a) {
    const o = b.get(k);
    out.set(k, { ...l, must: l.must && !!o && o.must });
  }
  for (const [k, l] of b) if (!a.has(k)) out.set(k, { ...l, must: false });
  return out;
}

const CUSTOM_LOCK = /^([a-z_0-9]*?)_?((?:read_|write_)?)(un)?lock(_irq|_irqsave|_irqrestore|_bh)?$/;

interface Jumps {
  breaks: State[];
  continues: State[];
}

class Walker {
  private readonly labels = new Map<string, State>();
  private readonly jumps: Jumps[] = [];

  constructor(private readonly ctx: LockContext) {}

  /** Walk one statement from `state`; returns the state after it (null: does not fall through). */
  statement(node: SyntaxNode, state: State): State {
    this.ctx.record(node, state);
    switch (node.type) {
      case "compound_statement":
        return this.block(node.namedChildren, state);
      case "if_statement":
        return this.ifStatement(node, state);
      case "while_statement":
      case "for_statement":
        return this.loop(node, state, node.childForFieldName("body"));
      case "do_statement":
        return this.loop(node, state, node.childForFieldName("body"));
      case "switch_statement":
        return this.switchStatement(node, state);
      case "return_statement": {
        const s = this.calls(node, state);
        this.ctx.returns.push({ node, state: s && new Map(s) });
        return null;
      }
      case "goto_statement": {
        const label = node.childForFieldName("label")?.text;
        if (label) this.labels.set(label, join(this.labels.get(label) ?? null, state));
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
        let s = state;
        if (label && this.labels.has(label)) s = join(s, this.labels.get(label)!);
        const inner = node.namedChildren.find((c) => c.type !== "statement_identifier" && c.type !== "comment");
        return inner ? this.statement(inner, s) : s;
      }
      case "case_statement":
        return this.block(node.namedChildren.slice(node.childForFieldName("value") ? 1 : 0), state);
      case "comment":
        return state;
      default:
        return this.calls(node, state);
    }
  }

  private block(children: SyntaxNode[], state: State): State {
    const guards: string[] = [];
    let s = state;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child.type === "comment") continue;
      const scoped = this.scopedGuard(child);
      const next = children[i + 1];
      if (scoped && next) {
        // scoped_guard(cls, &l) { ... }: held in the governed statement only.
        this.ctx.record(child, s);
        const inner = this.acquire(s, scoped);
        const after = this.statement(next, inner);
        s = after && this.release(after, scoped.key);
        i++;
        continue;
      }
      if (this.isIteratorMacro(child) && next && next.type === "compound_statement") {
        // list_for_each_entry(...) { ... } parses as a call followed by a block: a loop.
        this.ctx.record(child, s);
        s = this.calls(child, s);
        s = this.loopBody(next, s);
        i++;
        continue;
      }
      const guard = this.guard(child);
      if (guard) {
        this.ctx.record(child, s);
        s = this.acquire(s, guard);
        guards.push(guard.key);
        continue;
      }
      s = this.statement(child, s);
    }
    for (const g of guards) s = s && this.release(s, g);
    return s;
  }

  private ifStatement(node: SyntaxNode, state: State): State {
    const cond = node.childForFieldName("condition");
    const cons = node.childForFieldName("consequence");
    const alt = node.childForFieldName("alternative");
    let thenState = state;
    let elseState = state;
    const tl = cond ? this.trylock(cond) : null;
    if (tl) {
      const taken = this.acquire(state, tl.lock);
      thenState = tl.takenWhenTrue ? taken : state;
      elseState = tl.takenWhenTrue ? state : taken;
    } else if (cond) {
      thenState = elseState = this.calls(cond, state);
    }
    const t = cons ? this.statement(cons, thenState) : thenState;
    const altBody = alt ? (alt.type === "else_clause" ? alt.namedChildren.find((c) => c.type !== "comment") ?? null : alt) : null;
    const e = altBody ? this.statement(altBody, elseState) : elseState;
    return join(t, e);
  }

  private loop(node: SyntaxNode, state: State, body: SyntaxNode | null): State {
    let s = state;
    for (const f of ["initializer", "condition", "update"]) {
      const part = node.childForFieldName(f);
      if (part) s = this.calls(part, s);
    }
    if (!body) return s;
    return this.loopBody(body, s);
  }

  private loopBody(body: SyntaxNode, state: State): State {
    this.jumps.push({ breaks: [], continues: [] });
    const end = this.statement(body, state);
    const j = this.jumps.pop()!;
    let out = join(state, end);
    for (const b of [...j.breaks, ...j.continues]) out = join(out, b);
    return out;
  }

  private switchStatement(node: SyntaxNode, state: State): State {
    const cond = node.childForFieldName("condition");
    const s = cond ? this.calls(cond, state) : state;
    const body = node.childForFieldName("body");
    if (!body) return s;
    this.jumps.push({ breaks: [], continues: [] });
    let cur: State = null;
    for (const child of body.namedChildren) {
      if (child.type === "case_statement") cur = join(cur, s);
      cur = this.statement(child, cur);
    }
    const j = this.jumps.pop()!;
    // `continue` inside a switch belongs to the enclosing loop.
    this.jumps[this.jumps.length - 1]?.continues.push(...j.continues);
    let out = cur;
    for (const b of j.breaks) out = join(out, b);
    const hasDefault = body.namedChildren.some((c) => c.type === "case_statement" && !c.childForFieldName("value"));
    return hasDefault ? out : join(out, s);
  }

  /** Apply the lock calls inside an expression or declaration, in source order. */
  private calls(node: SyntaxNode, state: State): State {
    if (state === null) return null;
    let s: Map<string, HeldLock> = state;
    const visit = (n: SyntaxNode) => {
      if (n.type === "call_expression") {
        for (const a of args(n)) visit(a);
        s = this.applyCall(n, s);
        return;
      }
      for (const c of n.namedChildren) visit(c);
    };
    visit(node);
    return s;
  }

  private applyCall(call: SyntaxNode, state: Map<string, HeldLock>): Map<string, HeldLock> {
    const name = calleeName(call);
    if (!name) return state;
    const entry = LOCK_CALLS[name];
    if (entry) {
      if (entry.conditional) return state; // a trylock outside a condition: cannot tell
      const key = entry.arg < 0 ? entry.key! : lockKey(args(call)[entry.arg]);
      if (entry.op === "acquire") {
        return this.acquire(state, { key, kind: entry.kind, atomic: entry.atomic, shared: !!entry.shared, site: call })!;
      }
      return this.release(state, key)!;
    }
    if (LOCK_ASSERTIONS.has(name)) {
      const key = lockKey(args(call)[0]);
      return this.acquire(state, { key, kind: "custom", atomic: false, shared: false, site: call })!;
    }
    const m = CUSTOM_LOCK.exec(name);
    if (m && m[1]) {
      this.ctx.sawCustom = true;
      const a = args(call);
      const key = `${m[1]}_${m[2]}lock(${a.length ? lockKey(a[0]) : ""})`;
      if (m[3]) return this.release(state, key)!;
      return this.acquire(state, { key, kind: "custom", atomic: false, shared: m[2] === "read_", site: call })!;
    }
    return state;
  }

  private acquire(state: State, lock: Omit<HeldLock, "must">): State {
    if (state === null) return null;
    const s = new Map(state);
    s.set(lock.key, { ...lock, must: true });
    return s;
  }

  private release(state: State, key: string): State {
    if (state === null || !state.has(key)) return state;
    const s = new Map(state);
    s.delete(key);
    return s;
  }

  /** `if (spin_trylock(&l))` / `if (!mutex_trylock(&m))`: which branch holds the lock. */
  private trylock(cond: SyntaxNode): { lock: Omit<HeldLock, "must">; takenWhenTrue: boolean } | null {
    let n: SyntaxNode | null = cond;
    let negated = false;
    while (n && (n.type === "parenthesized_expression" || (n.type === "unary_expression" && n.child(0)?.type === "!"))) {
      if (n.type === "unary_expression") negated = !negated;
      n = n.namedChildren[n.type === "unary_expression" ? 0 : 0] ?? null;
    }
    if (!n || n.type !== "call_expression") return null;
    const name = calleeName(n);
    const entry = name ? LOCK_CALLS[name] : undefined;
    if (!entry?.conditional) return null;
    const lock = { key: lockKey(args(n)[entry.arg]), kind: entry.kind, atomic: entry.atomic, shared: !!entry.shared, site: n };
    const trueTakes = entry.conditional === "nonzero-taken";
    return { lock, takenWhenTrue: negated ? !trueTakes : trueTakes };
  }

  /** `guard(cls)(&lock);` → the lock it takes until the end of the block. */
  private guard(stmt: SyntaxNode): Omit<HeldLock, "must"> | null {
    if (stmt.type !== "expression_statement") return null;
    const call = stmt.namedChildren[0];
    if (!call || call.type !== "call_expression") return null;
    const inner = call.childForFieldName("function");
    if (!inner || inner.type !== "call_expression" || calleeName(inner) !== "guard") return null;
    const cls = args(inner)[0]?.text ?? "";
    return this.guardLock(cls, args(call)[0], call);
  }

  /** `scoped_guard(cls, &lock)` followed by the statement it governs. */
  private scopedGuard(stmt: SyntaxNode): Omit<HeldLock, "must"> | null {
    if (stmt.type !== "expression_statement") return null;
    const call = stmt.namedChildren[0];
    if (!call || call.type !== "call_expression" || calleeName(call) !== "scoped_guard") return null;
    const a = args(call);
    return this.guardLock(a[0]?.text ?? "", a[1], call);
  }

  private guardLock(cls: string, arg: SyntaxNode | undefined, site: SyntaxNode): Omit<HeldLock, "must"> {
    const g = GUARD_CLASSES[cls];
    if (!g) {
      this.ctx.sawCustom = true;
      return { key: arg ? lockKey(arg) : `${cls}()`, kind: "custom", atomic: false, shared: false, site };
    }
    return { key: g.noArg ?? lockKey(arg), kind: g.kind, atomic: g.atomic, shared: !!g.shared, site };
  }

  private isIteratorMacro(stmt: SyntaxNode): boolean {
    if (stmt.type !== "expression_statement") return false;
    const call = stmt.namedChildren[0];
    const name = call?.type === "call_expression" ? calleeName(call) : null;
    return !!name && /(^|_)for_each(_|$)/.test(name);
  }
}
