/**
 * What is held before each statement and call of a function: the lock
 * transfer function of the shared flow walker (./flow.ts).
 *
 * Locks are named by their canonical path (./identity.ts), so
 * `spin_lock(&conn->lock)` after `conn = work->conn;` holds
 * `work->conn->lock`, and each carries its type key (`ksmbd_conn::lock`) for
 * comparison across functions. Calls are recognised from the table in
 * src/c/kernel/locks.ts; calls named like `foo_lock()`/`foo_unlock()` that the
 * table does not know are tracked as `custom` locks, so a rule can tell
 * "nothing is held" from "something we cannot name is held". Functions of the
 * patch annotated `__acquires(x)`/`__releases(x)` take and drop `x` at their
 * call sites. What the function is entered with (its lock contract:
 * `__must_hold`, a comment, callers that hold a lock around the call) is the
 * initial state.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView } from "../c/view.js";
import { callArgs as args, calleeName, unparen } from "../c/syntax.js";
import { GUARD_CLASSES, LOCK_ASSERTIONS, LOCK_CALLS, type LockKind } from "../c/kernel/locks.js";
import { Flow, type Transfer } from "./flow.js";
import { pathText, type Identities, type Path } from "./identity.js";

export type LockSource = "call" | "guard" | "trylock" | "assert" | "annotation" | "comment" | "caller" | "context";

export interface HeldLock {
  /** Canonical lock expression (`work->conn->lock`, `rcu`, `dax_read_lock()`). */
  key: string;
  /** The canonical path, when the lock is a C path. */
  path: Path | null;
  /** `struct::member` or a global's name: the same lock seen from another function. */
  typeKey: string | null;
  kind: LockKind | "custom";
  /** Sleeping is forbidden while held (unknown for custom locks: false). */
  atomic: boolean;
  shared: boolean;
  /** The call, guard or assertion that took it; null when it comes from the function's contract. */
  site: SyntaxNode | null;
  /** Held on every path that reaches the point, not only on some. */
  must: boolean;
  /** How we know. */
  source: LockSource;
  /**
   * Where a context the function inherits comes from: the registration
   * that makes it (or a function that calls it) an interrupt handler, a
   * timer or an irq_chip callback. Kept when the context passes to callees.
   */
  origin?: { fn: string; how: string; what: string; node: SyntaxNode; view: CView };
}

/** Locks held at a point; null when the point cannot be reached. */
export type LockState = ReadonlyMap<string, HeldLock> | null;
type State = Map<string, HeldLock>;

/** What a patch function does to locks when called (from `__acquires`/`__releases`), in terms of its parameters. */
export interface CallEffect {
  acquires: { param: number; rest: Path | null; global: string | null }[];
  releases: { param: number; rest: Path | null; global: string | null }[];
}

export interface LockEnv {
  ids: Identities;
  /** Locks held on entry (the function's contract). */
  entry: HeldLock[];
  /** Lock effects of the patch's own functions, by name. */
  effectOf(name: string): CallEffect | null;
  /** Rows of the function where the patch hides lines between two hunks: what they do to locks is unknown. */
  gaps?: number[];
}

const CUSTOM_LOCK = /^([a-z_0-9]*?)_?((?:read_|write_)?)(un)?lock(_irq|_irqsave|_irqrestore|_bh|_shared|_exclusive)?$/;

export class FunctionLocks {
  readonly flow: Flow<State>;
  /** True when some lock-like call could not be read (a custom wrapper was seen). */
  sawCustom = false;

  constructor(
    readonly fn: SyntaxNode,
    private readonly env: LockEnv,
  ) {
    this.flow = new Flow<State>(fn, this.transfer());
  }

  /**
   * Locks held just before `node` runs; null when no path reaches it. A lock
   * taken before lines the patch does not show is only "may be held" after
   * them: they may release it.
   */
  heldAt(node: SyntaxNode): LockState {
    const s = this.flow.at(node);
    if (s === undefined || s === null) return null;
    const gaps = this.env.gaps;
    if (!gaps?.length) return s;
    const row = node.startPosition.row;
    let out: Map<string, HeldLock> | null = null;
    for (const [k, h] of s) {
      if (!h.must || !h.site) continue;
      const from = h.site.startPosition.row;
      if (gaps.some((g) => g > from && g < row)) {
        out ??= new Map(s);
        out.set(k, { ...h, must: false });
      }
    }
    return out ?? s;
  }

  /** States at each `return` reached. */
  get returns() {
    return this.flow.returns;
  }

  /** The lock an expression names, as a held-lock key and type key. */
  lockOf(expr: SyntaxNode | undefined): { key: string; path: Path | null; typeKey: string | null } {
    if (!expr) return { key: "?", path: null, typeKey: null };
    const p = this.env.ids.path(expr);
    if (p) return { key: pathText(p), path: p, typeKey: this.env.ids.typeKey(p) };
    return { key: unparen(expr).text.replace(/\s+/g, "").replace(/^&/, ""), path: null, typeKey: null };
  }

  private transfer(): Transfer<State> {
    return {
      initial: () => {
        const s: State = new Map();
        for (const l of this.env.entry) s.set(l.key, l);
        return s;
      },
      join,
      effect: (node, s) => (node.type === "call_expression" ? this.applyCall(node, s) : s),
      branch: (cond, s) => this.trylock(cond, s),
      scope: (stmt, s) => this.scope(stmt, s),
    };
  }

  private acquire(s: State, l: Omit<HeldLock, "must">): State {
    const out = new Map(s);
    out.set(l.key, { ...l, must: true });
    return out;
  }

  /**
   * Drop a lock. One a caller holds through an object the call does not pass
   * is known by its type alone (`caller:...`): releasing the same member of
   * the same struct type releases it.
   */
  private release(s: State, key: string, typeKey: string | null = null): State {
    if (s.has(key)) {
      const out = new Map(s);
      out.delete(key);
      return out;
    }
    if (!typeKey) return s;
    let out: State | null = null;
    for (const [k, h] of s) {
      if (h.source === "caller" && !h.path && h.typeKey === typeKey) (out ??= new Map(s)).delete(k);
    }
    return out ?? s;
  }

  private applyCall(call: SyntaxNode, s: State): State {
    const name = calleeName(call);
    if (!name) return s;
    const entry = LOCK_CALLS[name];
    const a = args(call);
    if (entry) {
      if (entry.conditional) return s; // a trylock outside a condition: cannot tell
      const lock = entry.arg < 0 ? { key: entry.key!, path: null, typeKey: entry.key! } : this.lockOf(a[entry.arg]);
      if (entry.op === "acquire") return this.acquire(s, { ...lock, kind: entry.kind, atomic: entry.atomic, shared: !!entry.shared, site: call, source: "call" });
      return this.release(s, lock.key, lock.typeKey);
    }
    if (LOCK_ASSERTIONS.has(name)) {
      return this.acquire(s, { ...this.lockOf(a[0]), kind: "custom", atomic: false, shared: false, site: call, source: "assert" });
    }
    const effect = this.env.effectOf(name);
    if (effect) {
      let out = s;
      for (const e of effect.acquires) {
        const lock = this.mapped(e, a);
        if (lock) out = this.acquire(out, { ...lock, kind: "custom", atomic: false, shared: false, site: call, source: "annotation" });
      }
      for (const e of effect.releases) {
        const lock = this.mapped(e, a);
        if (lock) out = this.release(out, lock.key, lock.typeKey);
      }
      if (effect.acquires.length || effect.releases.length) return out;
    }
    const m = CUSTOM_LOCK.exec(name);
    if (m && m[1]) {
      this.sawCustom = true;
      const key = `${m[1]}_${m[2]}lock(${a.length ? this.lockOf(a[0]).key : ""})`;
      if (m[3]) return this.release(s, key);
      return this.acquire(s, { key, path: null, typeKey: null, kind: "custom", atomic: false, shared: m[2] === "read_", site: call, source: "call" });
    }
    return s;
  }

  /** A callee's `__acquires(p->lock)` seen from the call: the argument's path plus the rest. */
  private mapped(e: CallEffect["acquires"][number], a: SyntaxNode[]) {
    if (e.global) return { key: e.global, path: null, typeKey: e.global };
    const base = a[e.param] ? this.env.ids.path(a[e.param]) : null;
    if (!base) return null;
    const p: Path = { ...base, steps: [...base.steps, ...(e.rest?.steps ?? [])] };
    return { key: pathText(p), path: p, typeKey: this.env.ids.typeKey(p) };
  }

  /** `if (spin_trylock(&l))` / `if (!mutex_trylock(&m))`: which branch holds the lock. */
  private trylock(cond: SyntaxNode, s: State): [State, State] | null {
    let n: SyntaxNode | null = cond;
    let negated = false;
    for (let i = 0; n && i < 64 && (n.type === "parenthesized_expression" || (n.type === "unary_expression" && n.child(0)?.type === "!")); i++) {
      if (n.type === "unary_expression") negated = !negated;
      n = n.namedChildren[0] ?? null;
    }
    if (!n || n.type !== "call_expression") return null;
    const name = calleeName(n);
    const entry = name ? LOCK_CALLS[name] : undefined;
    if (!entry?.conditional) return null;
    const taken = this.acquire(s, { ...this.lockOf(args(n)[entry.arg]), kind: entry.kind, atomic: entry.atomic, shared: !!entry.shared, site: n, source: "trylock" });
    const trueTakes = entry.conditional === "nonzero-taken";
    return negated !== trueTakes ? [taken, s] : [s, taken];
  }

  /** `guard(cls)(&lock);` to the end of the block; `scoped_guard(cls, &lock)` over the next statement. */
  private scope(stmt: SyntaxNode, s: State) {
    if (stmt.type !== "expression_statement") return null;
    const call = stmt.namedChildren[0];
    if (!call || call.type !== "call_expression") return null;
    const inner = call.childForFieldName("function");
    let cls: string;
    let arg: SyntaxNode | undefined;
    let governs: "block" | "next";
    if (inner?.type === "call_expression" && calleeName(inner) === "guard") {
      cls = args(inner)[0]?.text ?? "";
      arg = args(call)[0];
      governs = "block";
    } else if (calleeName(call) === "scoped_guard" || calleeName(call) === "scoped_cond_guard") {
      const a = args(call);
      cls = a[0]?.text ?? "";
      arg = a[calleeName(call) === "scoped_cond_guard" ? 2 : 1];
      governs = "next";
    } else return null;
    const g = GUARD_CLASSES[cls];
    let lock: Omit<HeldLock, "must">;
    if (!g) {
      this.sawCustom = true;
      const l = arg ? this.lockOf(arg) : { key: `${cls}()`, path: null, typeKey: null };
      lock = { ...l, kind: "custom", atomic: false, shared: false, site: call, source: "guard" };
    } else {
      const l = g.noArg ? { key: g.noArg, path: null, typeKey: g.noArg } : this.lockOf(arg);
      lock = { ...l, kind: g.kind, atomic: g.atomic, shared: !!g.shared, site: call, source: "guard" };
    }
    return { inside: this.acquire(s, lock), leave: (after: State) => this.release(after, lock.key), governs };
  }
}

function join(a: State, b: State): State {
  const out: State = new Map();
  for (const [k, l] of a) {
    const o = b.get(k);
    out.set(k, l.must && o?.must ? l : { ...l, must: false });
  }
  for (const [k, l] of b) if (!a.has(k)) out.set(k, { ...l, must: false });
  return out;
}

/**
 * Is the lock at `want` held in `state`? By canonical path, by type key (the
 * same member of the same struct type, seen through another name), or by a
 * lock stated in words that names it (a comment naming the member or the global).
 */
export function holds(state: ReadonlyMap<string, HeldLock>, want: { key: string; typeKey: string | null; path: Path | null }, opts: { mustOnly?: boolean } = {}): HeldLock | null {
  const last = want.path?.steps.length ? want.path.steps[want.path.steps.length - 1].member : want.path?.root ?? want.key.split("->").pop()!;
  for (const h of state.values()) {
    if (opts.mustOnly && !h.must) continue;
    if (h.key === want.key) return h;
    if (h.typeKey && want.typeKey && h.typeKey === want.typeKey) return h;
    if (h.source === "comment" && (h.key === last || h.key.endsWith(`->${last}`) || h.key.endsWith(`.${last}`))) return h;
  }
  return null;
}
