/**
 * Callbacks and the locks around them, once per patch side: which locks each
 * function of the patch takes itself (the "lock takers"), which of its
 * functions other code can call (exported, in an ops table, or called by
 * one that is), which handler runs for a work item (bound by `INIT_WORK()`
 * or read back with `container_of()` in the handler), which ops tables the
 * patch fills, and where an ops pointer is handed in by another subsystem
 * (`dax_dev->holder_ops = ops;` in an exported function).
 *
 * Locks are compared by identity (`lockIdentity`): the type key
 * (`cdns3_device::lock`), a global's name, or for a lock wrapper the kernel
 * does not list, its family and argument with the read/write side and
 * `try` left out (`dax_read_lock()` and `dax_write_lock()` are one lock).
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CView, EnclosingFunction } from "../c/view.js";
import { callArgs, calleeName, macroArgTexts, unparen } from "../c/syntax.js";
import { CONTAINER_CALLS } from "../c/kernel/objects.js";
import { WORK_INITS, WORK_PARAM_TYPES } from "../c/kernel/callbacks.js";
import type { HeldLock } from "./locks.js";
import { pathDisplay, type Identities } from "./identity.js";
import { topLevel, type FunctionInfo } from "./world.js";
import type { PatchFacts } from "./index.js";
import { descendantsOfType } from "../c/descendants.js";

/** A lock a function of the patch takes itself. */
export interface TakenLock {
  id: string;
  lock: HeldLock;
  fn: FunctionInfo;
  /** The call or guard that takes it. */
  site: SyntaxNode;
  /** Taken in a callee of `fn` (by name), not in `fn` itself. */
  via: string | null;
}

const CUSTOM_KEY = /^(\w*?)_?(?:read_|write_)?lock\((.*)\)$/;
const NON_EXCLUDING = new Set(["rcu", "srcu", "preempt", "irq", "bh"]);

/**
 * The identity by which a held lock is recognised in another function, or
 * null when it has none (a read-side section, a disabled context, a lock on
 * an object of unknown type). A wrapper's argument is named by its type
 * when the function's declarations say it (`hub_lock(struct hub)`), and is
 * unknown (`hub_lock(?)`) for a wrapper held by a caller.
 */
export function lockIdentity(h: HeldLock, ids?: Identities): string | null {
  if (NON_EXCLUDING.has(h.kind)) return null;
  // Two locks of one type embedded in one object are two locks: name them by where they sit in it.
  const embedded = h.path && ids ? ids.embeddedKey(h.path) : null;
  if (embedded) return embedded;
  if (h.typeKey) return h.typeKey;
  if (h.path && h.path.steps.length === 0 && h.path.rootKind === "global") return h.path.root;
  const key = h.key.replace(/^caller:/, "");
  const m = h.kind === "custom" ? CUSTOM_KEY.exec(key) : null;
  if (!m) return null;
  const family = m[1].replace(/_?try$/, "");
  if (!m[2]) return `${family}_lock()`;
  if (!h.site) return `${family}_lock(?)`;
  const arg = h.site.type === "call_expression" ? callArgs(h.site)[0] : undefined;
  const p = arg && ids ? ids.path(arg) : null;
  const t = p && ids ? ids.typeOfPath(p) : null;
  return `${family}_lock(${t ? `struct ${t}` : m[2]})`;
}

/** Two lock identities name one lock: equal, or one lock wrapper's family where an argument is unknown. */
export function sameLock(a: string, b: string): boolean {
  if (a === b) return true;
  const fa = /^(\w+)\((.*)\)$/.exec(a);
  const fb = /^(\w+)\((.*)\)$/.exec(b);
  return !!fa && !!fb && fa[1] === fb[1] && (fa[2] === "?" || fb[2] === "?");
}

/** How a lock is shown in a message: as the call that took it wrote it, or the wrapper by its family. */
export function lockDisplay(h: HeldLock): string {
  if (h.kind === "custom" && !h.path) return h.site?.type === "call_expression" ? h.site.text.replace(/\s+/g, "") : h.key.replace(/^caller:/, "").replace(/_?try_lock\(/, "_lock(");
  const arg = h.site?.type === "call_expression" ? callArgs(h.site)[0] : undefined;
  if (arg) return unparen(arg).text.replace(/^&\s*/, "").replace(/\s+/g, "");
  return h.path ? pathDisplay(h.path) : h.key.replace(/^caller:/, "");
}

export class CallbackFacts {
  private readonly taken = new Map<string, TakenLock[]>();
  private handlers?: Map<string, string[]>;
  private tables?: Map<string, Map<string, string>>;
  private supplied?: Map<string, { fn: FunctionInfo; node: SyntaxNode }>;

  constructor(readonly facts: PatchFacts) {}

  private describe(f: FunctionInfo): EnclosingFunction {
    return f.view.describeFunction(f.node);
  }

  /** The locks a function of the patch takes itself, by identity (the exclusive take first). */
  takes(name: string): TakenLock[] {
    const hit = this.taken.get(name);
    if (hit) return hit;
    const out: TakenLock[] = [];
    this.taken.set(name, out);
    for (const info of this.facts.world.functionsNamed(name)) {
      const f = this.facts.function(this.describe(info), info.view);
      const ids = f.ids;
      const inside = (n: SyntaxNode) => n.startIndex >= info.node.startIndex && n.endIndex <= info.node.endIndex;
      for (const call of descendantsOfType(info.node, "call_expression")) {
        const st = f.locks.heldAt(call);
        if (!st) continue;
        for (const h of st.values()) {
          if (!h.site || !inside(h.site) || (h.source !== "call" && h.source !== "guard" && h.source !== "trylock")) continue;
          const id = lockIdentity(h, ids);
          if (!id) continue;
          const same = out.findIndex((t) => t.id === id);
          if (same < 0) out.push({ id, lock: h, fn: info, site: h.site, via: null });
          else if (out[same].lock.shared && !h.shared) out[same] = { id, lock: h, fn: info, site: h.site, via: null };
        }
      }
    }
    return out;
  }

  /** The locks a function takes itself or in the patch functions it calls (two calls deep). */
  takesDeep(name: string, depth = 2, seen = new Set<string>()): TakenLock[] {
    const out = [...this.takes(name)];
    if (depth <= 0 || seen.has(name)) return out;
    seen.add(name);
    for (const info of this.facts.world.functionsNamed(name)) {
      for (const call of descendantsOfType(info.node, "call_expression")) {
        const callee = calleeName(call);
        if (!callee || callee === name || this.facts.world.functionsNamed(callee).length === 0) continue;
        for (const t of this.takesDeep(callee, depth - 1, seen)) {
          if (!out.some((o) => sameLock(o.id, t.id))) out.push({ ...t, via: t.via ?? callee });
        }
      }
    }
    return out;
  }

  /** Functions the patch exports (`EXPORT_SYMBOL_GPL(foo);`). */
  get exported(): ReadonlySet<string> {
    return this.facts.world.exported;
  }

  /**
   * Why other code can call a function of the patch, or null: it is
   * exported, it fills an ops table's slot, or a function that is so calls
   * it (up to three calls up).
   */
  outside(name: string, depth = 3): string | null {
    return this.entry(name, depth)?.why ?? null;
  }

  /**
   * The way in from other code: the exported or ops function through which
   * `name` is reached (itself, or a caller up to three calls up), and why.
   */
  entry(name: string, depth = 3): { why: string; fn: string; by: "export" | "ops" } | null {
    if (this.exported.has(name)) return { why: "exported", fn: name, by: "export" };
    const slots = this.facts.world.opsSlots.get(name);
    if (slots?.length) return { why: `the '.${slots[0]}' of an ops table`, fn: name, by: "ops" };
    if (depth <= 0) return null;
    for (const site of this.facts.callSites(name)) {
      const caller = site.caller.name;
      if (!caller || caller === name) continue;
      const e = this.entry(caller, depth - 1);
      if (e) return { ...e, why: `called by ${caller}(), ${e.why.startsWith("called") ? e.why : `which is ${e.why}`}` };
    }
    return null;
  }

  /** The struct types a function of the patch takes as parameters. */
  paramTypes(name: string): Set<string> {
    const out = new Set<string>();
    for (const info of this.facts.world.functionsNamed(name)) {
      for (const d of this.facts.ids(info.node, info.view).decls.values()) if (d.kind === "param" && d.type) out.add(d.type);
    }
    return out;
  }

  /** The handlers bound to a work item, by the work's type key or global name. */
  handlersOf(work: string): string[] {
    if (!this.handlers) {
      this.handlers = new Map();
      const add = (k: string | null, fn: string) => {
        if (!k) return;
        const list = this.handlers!.get(k) ?? [];
        if (!list.includes(fn)) list.push(fn);
        this.handlers!.set(k, list);
      };
      for (const view of this.facts.views) {
        if (!/INIT_\w*WORK|DECLARE_\w*WORK|kthread_init/.test(view.source)) continue;
        for (const call of descendantsOfType(view.root, "call_expression")) {
          const init = WORK_INITS[calleeName(call) ?? ""];
          if (!init) continue;
          const a = callArgs(call);
          const fnArg = a[init.fn] ? unparen(a[init.fn]) : null;
          if (fnArg?.type !== "identifier" || !a[init.work]) continue;
          const owner = view.enclosingFunction(call);
          if (!owner) {
            add(unparen(a[init.work]).text, fnArg.text);
            continue;
          }
          const ids = this.facts.ids(owner.node, view);
          const p = ids.path(a[init.work]);
          add(p ? ids.typeKey(p) : null, fnArg.text);
        }
      }
      // A handler names its work when it reads its object back: container_of(work, struct foo, work.work).
      for (const info of this.facts.world.functions) {
        if (!info.name) continue;
        const ids = this.facts.ids(info.node, info.view);
        const params = [...ids.decls.values()].filter((d) => d.kind === "param");
        const p = params.length === 1 && params[0].type && WORK_PARAM_TYPES.has(params[0].type) ? params[0].name : null;
        if (!p) continue;
        for (const call of descendantsOfType(info.node, "call_expression")) {
          const c = CONTAINER_CALLS[calleeName(call) ?? ""];
          if (!c || c.type < 0) continue;
          const t = macroArgTexts(call);
          const ptr = t[c.ptr]?.replace(/\s+/g, "");
          if (ptr !== p && ptr !== `to_delayed_work(${p})`) continue;
          const struct = /^struct\s+(\w+)$/.exec(t[c.type]?.trim() ?? "")?.[1];
          const member = t[c.member]?.trim().split(".")[0];
          if (struct && member) add(`${struct}::${member}`, info.name);
        }
      }
    }
    return this.handlers.get(work) ?? [];
  }

  /** The patch's ops tables (`static const struct foo_ops bar = { .slot = fn };`): table name → slot → function. */
  table(name: string): Map<string, string> | null {
    if (!this.tables) {
      this.tables = new Map();
      for (const view of this.facts.views) {
        for (const top of topLevel(view.root)) {
          if (top.type !== "declaration") continue;
          for (const d of top.namedChildren) {
            if (d.type !== "init_declarator") continue;
            const value = d.childForFieldName("value");
            const id = d.childForFieldName("declarator");
            if (value?.type !== "initializer_list" || id?.type !== "identifier") continue;
            const slots = new Map<string, string>();
            for (const pair of value.namedChildren) {
              if (pair.type !== "initializer_pair") continue;
              const field = pair.childForFieldName("designator")?.namedChildren[0]?.text ?? pair.namedChildren[0]?.namedChildren[0]?.text;
              const v = pair.childForFieldName("value");
              if (field && v?.type === "identifier") slots.set(field, v.text);
            }
            this.tables.set(id.text, slots);
          }
        }
      }
    }
    return this.tables.get(name) ?? null;
  }

  /**
   * Where another subsystem hands in the pointer a member holds: an
   * assignment from a parameter (`dax_dev->holder_ops = ops;`) in a function
   * that other code can call. Keyed by the member's type key.
   */
  suppliedFrom(typeKey: string): { fn: FunctionInfo; node: SyntaxNode } | null {
    if (!this.supplied) {
      this.supplied = new Map();
      for (const info of this.facts.world.functions) {
        if (!info.name || !this.outside(info.name)) continue;
        const ids = this.facts.ids(info.node, info.view);
        for (const a of descendantsOfType(info.node, "assignment_expression")) {
          const l = a.childForFieldName("left");
          const r = a.childForFieldName("right");
          if (l?.type !== "field_expression" || r?.type !== "identifier" || ids.decls.get(r.text)?.kind !== "param") continue;
          const lp = ids.path(l);
          const k = lp ? ids.typeKey(lp) : null;
          if (k && !this.supplied.has(k)) this.supplied.set(k, { fn: info, node: a });
        }
      }
    }
    return this.supplied.get(typeKey) ?? null;
  }

  /** The function of the patch a view's node is in, as world info. */
  infoOf(fn: EnclosingFunction, view: CView): FunctionInfo | null {
    return this.facts.world.functions.find((f) => f.node.id === fn.node.id && f.view === view) ?? null;
  }
}
