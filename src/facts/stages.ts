/**
 * An object's stage along the paths of a function: the stage transfer
 * function of the shared flow walker.
 *
 * - fresh: allocated here (`kzalloc()` and kin), or being set up here (a
 *   lock, kref, completion or work initialised in it, a list head
 *   initialised with no lock held), or a struct on the stack; and not yet
 *   published;
 * - published: added to a shared list, stored in a global or in an object
 *   that is not itself fresh, `rcu_assign_pointer()`ed, registered, queued,
 *   stored in an xarray, idr, tree or hash (src/c/kernel/objects.ts);
 * - dying: after its last reference went (`if (refcount_dec_and_test())`,
 *   `if (!kref_put(...)) return;`, `if (--x->refs) return;`), or in a
 *   release callback handed the `struct kref` (or `rcu_head`) it embeds.
 *
 * Nobody else can see a fresh or dying object, so writing it, or changing a
 * list that lives in it, needs no lock. Unknown (a parameter, a lookup's
 * result) is neither, and rules treat it as shared.
 */
import type { SyntaxNode } from "../c/parser.js";
import { callArgs, calleeName, unparen } from "../c/syntax.js";
import { INIT_CALLS, LIST_INIT_CALLS, isAllocCall, isLastPutCall, isPublishCall } from "../c/kernel/objects.js";
import { LIST_CALLS } from "../c/kernel/lists.js";
import { Flow } from "./flow.js";
import { declarator, pathText, type Identities, type Path } from "./identity.js";

export type Stage = "fresh" | "published" | "dying";
type State = Map<string, Stage>;

/** Parameter types a release callback is handed: the object around them is on its way out. */
const RELEASE_PARAM_TYPES = new Set(["kref", "rcu_head", "percpu_ref"]);

export class FunctionStages {
  readonly flow: Flow<State>;
  private readonly dyingRoots = new Set<string>();

  constructor(
    readonly fn: SyntaxNode,
    private readonly ids: Identities,
    /** Is a lock held at this node (an INIT_LIST_HEAD under a lock is a reset, not a set-up)? */
    private readonly lockedAt: (node: SyntaxNode) => boolean,
    /** Stages of parameters on entry (from every caller in the patch, or from how the function is registered). */
    entry: ReadonlyMap<string, Stage> = new Map(),
  ) {
    for (const d of ids.decls.values()) if (d.kind === "param" && d.pointer && d.type && RELEASE_PARAM_TYPES.has(d.type)) this.dyingRoots.add(d.name);
    for (const [name, stage] of entry) if (stage === "dying") this.dyingRoots.add(name);
    this.flow = new Flow<State>(fn, {
      initial: () => {
        const s: State = new Map();
        // Parameters are never aliases: their key is their name.
        for (const [name, stage] of entry) s.set(name, stage);
        return s;
      },
      join: (a, b) => {
        const out: State = new Map();
        // A stage holds after a join only when both paths agree.
        for (const [k, v] of a) if (b.get(k) === v) out.set(k, v);
        return out;
      },
      effect: (node, s) => this.effect(node, s),
      branch: (cond, s) => this.lastPut(cond, s),
    });
  }

  /**
   * The stage, just before `node`, of the object that holds `path`'s last
   * member (`priv` for `priv->list`, `priv` for `priv->a.list`).
   */
  stageOfOwner(path: Path, node: SyntaxNode): Stage | null {
    // Members reached through embedded structs (`.`) live in the same object.
    let k = path.steps.length - 1;
    while (k > 0 && path.steps[k].op === ".") k--;
    const owner: Path = { ...path, steps: path.steps.slice(0, Math.max(k, 0)) };
    return this.stageOf(owner, node);
  }

  /** The stage of the object a path names, just before `node`. */
  stageOf(obj: Path, node: SyntaxNode): Stage | null {
    return this.stageIn(this.flow.at(node) ?? null, obj);
  }

  private stageIn(s: State | null, obj: Path): Stage | null {
    const known = s?.get(pathText(obj));
    if (known) return known;
    if (obj.steps.length === 0) {
      const d = this.ids.decls.get(obj.root);
      if (d && d.kind === "local" && !d.pointer && d.type && !d.listHead) return "fresh"; // a struct on the stack
      const inner = /^\w+\((\w+)/.exec(obj.root)?.[1] ?? obj.root;
      if (this.dyingRoots.has(inner)) return "dying";
    }
    return null;
  }

  private key(expr: SyntaxNode | null | undefined): string | null {
    const p = this.ids.path(expr);
    return p ? pathText(p) : null;
  }

  /** The object an argument is, or is a member of (`&e->node` → `e`). */
  private objectOf(expr: SyntaxNode | undefined): string | null {
    const p = expr ? this.ids.path(expr) : null;
    if (!p) return null;
    let k = p.steps.length;
    while (k > 0 && p.steps[k - 1].op === ".") k--;
    // `&e->node` is e's member: the object is e.
    const owner = p.steps.length && k === p.steps.length ? p.steps.length - 1 : Math.max(k - 1, 0);
    return pathText({ ...p, steps: p.steps.slice(0, owner) });
  }

  private effect(node: SyntaxNode, s: State): State {
    if (node.type === "init_declarator" || node.type === "assignment_expression") {
      const left = node.type === "init_declarator" ? node.childForFieldName("declarator") : node.childForFieldName("left");
      const right = node.childForFieldName(node.type === "init_declarator" ? "value" : "right");
      if (!left || !right) return s;
      const target = node.type === "init_declarator" ? declarator(left).name : this.key(left);
      const value = unparen(right);
      if (!target) return s;
      if (value.type === "call_expression") {
        const name = calleeName(value);
        if (name && isAllocCall(name)) return set(s, target, "fresh");
        return s.has(target) ? del(s, target) : s;
      }
      // Storing a fresh object where others look publishes it.
      const stored = this.key(value);
      if (stored && s.get(stored) === "fresh" && this.isShared(left, s)) return set(s, stored, "published");
      return s;
    }
    if (node.type !== "call_expression") return s;
    const name = calleeName(node);
    if (!name) return s;
    const a = callArgs(node);
    if (INIT_CALLS.has(name) || (LIST_INIT_CALLS.has(name) && !this.lockedAt(node))) {
      const obj = this.objectOf(a[0]);
      if (obj && obj !== this.key(a[0]) && !s.has(obj)) return set(s, obj, "fresh");
      return s;
    }
    if (name === "kref_put" || name === "kfree" || name === "kvfree" || name === "kmem_cache_free") {
      const obj = name === "kref_put" ? this.objectOf(a[0]) : this.key(a[name === "kmem_cache_free" ? 1 : 0]);
      return obj ? set(s, obj, "dying") : s;
    }
    const list = LIST_CALLS[name];
    if (list && list.op === "mutation") {
      // Adding an entry to a list that lives in a shared object publishes the entry.
      if (list.entry < 0 || list.head < 0) return s;
      const entry = this.objectOf(a[list.entry]);
      const headOwner = this.objectOf(a[list.head]);
      const headPath = this.ids.path(a[list.head]);
      const localHead = headPath && headPath.steps.length === 0 && this.ids.decls.get(headPath.root)?.listHead;
      if (entry && s.get(entry) === "fresh" && !localHead && !(headOwner && s.get(headOwner) === "fresh")) return set(s, entry, "published");
      return s;
    }
    if (isPublishCall(name)) {
      let out = s;
      for (const arg of a) {
        const obj = this.objectOf(arg);
        const self = this.key(arg);
        for (const k of [obj, self]) if (k && out.get(k) === "fresh") out = set(out, k, "published");
      }
      return out;
    }
    return s;
  }

  /** Is the place a value is stored visible to others (a global, a member of an object that is not fresh)? */
  private isShared(left: SyntaxNode, s: State): boolean {
    const p = this.ids.path(left);
    if (!p) return true;
    if (p.steps.length === 0) return p.rootKind === "global";
    return this.stageIn(s, { ...p, steps: p.steps.slice(0, -1) }) !== "fresh";
  }

  /** `if (refcount_dec_and_test(&x->ref))`, `if (!kref_put(...))`, `if (--x->refs)`: which branch holds the last reference. */
  private lastPut(cond: SyntaxNode, s: State): [State, State] | null {
    let n: SyntaxNode = cond;
    let negated = false;
    for (let i = 0; i < 64; i++) {
      if (n.type === "parenthesized_expression" && n.namedChildCount === 1) n = n.namedChildren[0];
      else if (n.type === "unary_expression" && n.child(0)?.type === "!") {
        negated = !negated;
        n = n.namedChildren[0];
      } else break;
    }
    let obj: string | null = null;
    let lastWhenTrue = true;
    if (n.type === "call_expression") {
      const name = calleeName(n);
      if (!name || !isLastPutCall(name)) return null;
      obj = this.objectOf(callArgs(n)[0]);
    } else if (n.type === "update_expression" && n.child(0)?.type === "--") {
      // `if (--x->refs)`: non-zero means others remain.
      obj = this.objectOf(n.childForFieldName("argument") ?? undefined);
      lastWhenTrue = false;
    } else return null;
    if (!obj) return null;
    const dying = set(s, obj, "dying");
    return negated !== lastWhenTrue ? [dying, s] : [s, dying];
  }
}

function set(s: State, k: string, v: Stage): State {
  if (s.get(k) === v) return s;
  const out = new Map(s);
  out.set(k, v);
  return out;
}

function del(s: State, k: string): State {
  const out = new Map(s);
  out.delete(k);
  return out;
}
