/**
 * The semantic core: facts about a patch's C that every rule shares,
 * computed lazily, once per patch.
 *
 * - identities: canonical paths of lock and object expressions (./identity.ts);
 * - locks: what is held before every statement and call, and what each
 *   function is entered with: `__must_hold`, comments, callers in the patch
 *   that hold a lock around the call (./locks.ts, ./contracts.ts);
 * - stages: which objects are fresh, published or dying (./stages.ts);
 * - lists: which list each change and walk is about, and which are private
 *   (./lists.ts);
 * - the world: struct members, globals, the locking comments state, ops
 *   tables (./world.ts).
 *
 * One `PatchFacts` per side: the post-image (what the patch makes) and the
 * pre-image (what was there before), so rules can compare the two.
 */
import { guardsWriters } from "../c/kernel/locks.js";
import type { SyntaxNode } from "../c/parser.js";
import type { CFile, CView, EnclosingFunction } from "../c/view.js";
import { callArgs, calleeName } from "../c/syntax.js";
import type { Patch } from "../patch/model.js";
import { Identities, pathText, startsWith, type Path } from "./identity.js";
import { FunctionLocks, holds, type HeldLock, type LockState } from "./locks.js";
import { FunctionStages, type Stage } from "./stages.js";
import { RELEASE_SLOTS } from "../c/kernel/objects.js";
import { ListModel, type ListRef, type ListUse } from "./lists.js";
import { World, type FunctionInfo, type StatedGuard } from "./world.js";
import { callEffect, statedEntryLocks, statesNoLockNeeded } from "./contracts.js";
import { nullTests, type NullTest } from "./tests.js";
import { ChangeFacts } from "./diff.js";
import { SleepFacts } from "./sleeps.js";
import { TreeCallees } from "../c/callees.js";
import type { TreeSource } from "../c/whole.js";
import { kernelNullSource, resultUses, type NullSource, type ResultUse } from "./nulls.js";
import { CallbackFacts } from "./callbacks.js";
import { RcuModel } from "./rcu.js";
import { descendantsOfType } from "../c/descendants.js";

export * from "./identity.js";
export * from "./locks.js";
export * from "./stages.js";
export * from "./lists.js";
export * from "./world.js";
export * from "./flow.js";
export { statedEntryLocks, functionComments, headText } from "./contracts.js";
export { listGuard, type ListGuard } from "./guards.js";
export { walkBody, bodySeen, entryLeaves, lockDrops, type LockDrop } from "./loops.js";
export { runInSequence, fileLocal } from "./callers.js";
export { fieldsOf, fieldKey, droppedAround, hiddenBefore, releasedUntaken, fileScope, callersHidden, FieldModel, type FieldAccess, type FieldGuard, type FieldLock, type FieldHeld } from "./fields.js";
export { ChangeFacts } from "./diff.js";
export { RcuModel, objectOf, onErrorLadder, type RcuEvidence, type RcuCall } from "./rcu.js";
export { nullTests, type NullTest } from "./tests.js";
export { kernelNullSource, resultUses, calleeKey, type NullSource, type ResultUse, type FirstUse } from "./nulls.js";
export { CallbackFacts, lockIdentity, lockDisplay, sameLock, type TakenLock } from "./callbacks.js";

/**
 * A per-patch analysis: computed on first use by any rule and shared by all
 * (the engine's `ctx.analysis(def)` keeps one result per patch and id).
 */
export interface Analysis<T> {
  id: string;
  /** `get` gives the result of another analysis of the same patch (computed once, shared). */
  /** `tree` is the kernel tree, when the run has one: for what the patch calls and does not show. */
  compute(input: { patch: Patch; cfiles: readonly CFile[]; tree?: TreeSource; get<U>(a: Analysis<U>): U }): T;
}

/** Everything known about one function, computed on first use. */
export interface FunctionFacts {
  fn: EnclosingFunction;
  view: CView;
  ids: Identities;
  locks: FunctionLocks;
  stages: FunctionStages;
  /** What the function tests against NULL, by canonical path. */
  readonly nullTests: Map<string, NullTest>;
  /** The function's comment says it needs no lock (it runs at init, or alone): the text, or null. */
  readonly noLockNeeded: string | null;
  /**
   * Some call of the function in the patch stands where the caller's head is
   * not shown: what that caller holds, or set up, is unknown, and so is the
   * context this function runs in.
   */
  readonly callerUnknown: boolean;
}

/** A call site of a patch function. */
export interface CallSite {
  call: SyntaxNode;
  view: CView;
  cfile: CFile;
  caller: EnclosingFunction;
}

/** How deep callers are followed for the locks a function is entered with. */
const CALLER_DEPTH = 6;

export class PatchFacts {
  readonly world: World;
  private readonly perView = new WeakMap<CView, Map<number, FunctionFacts>>();
  private readonly idsCache = new WeakMap<CView, Map<number, Identities>>();
  private readonly entryCache = new WeakMap<CView, Map<number, HeldLock[]>>();
  private readonly inProgress = new Set<string>();
  private listModel?: ListModel;
  private results?: (ResultUse & { view: CView; fn: EnclosingFunction })[];
  private calls?: Map<string, CallSite[]>;

  private sleepFacts?: SleepFacts;

  constructor(
    readonly cfiles: readonly CFile[],
    readonly side: "post" | "pre",
    /** The kernel tree, when there is one: for the bodies of functions the patch calls and does not show. */
    private readonly tree?: TreeSource,
  ) {
    this.world = new World(cfiles, side);
  }

  /** Which calls may sleep through what they call (./sleeps.ts). */
  get sleeps(): SleepFacts {
    return (this.sleepFacts ??= new SleepFacts(this.world, this.tree ? new TreeCallees(this.tree, this.cfiles.map((c) => c.file.newPath ?? c.file.oldPath ?? "").filter(Boolean)) : null));
  }

  /** The views of this side. */
  get views(): CView[] {
    return this.cfiles.map((c) => (this.side === "post" ? c.post : c.pre)).filter((v): v is CView => !!v);
  }

  ids(fn: SyntaxNode, view: CView): Identities {
    let m = this.idsCache.get(view);
    if (!m) this.idsCache.set(view, (m = new Map()));
    let ids = m.get(fn.id);
    if (!ids) m.set(fn.id, (ids = new Identities(fn, this.world, view.describeFunction(fn).paramsKnown)));
    return ids;
  }

  /** The facts of the function that contains `node` in `view`, or null at file scope. */
  at(node: SyntaxNode, view: CView): FunctionFacts | null {
    const fn = view.enclosingFunction(node);
    return fn ? this.function(fn, view) : null;
  }

  function(fn: EnclosingFunction, view: CView): FunctionFacts {
    let m = this.perView.get(view);
    if (!m) this.perView.set(view, (m = new Map()));
    let f = m.get(fn.node.id);
    if (!f) {
      const facts = this;
      const ids = this.ids(fn.node, view);
      // Each fact is computed on first use: a rule that needs only NULL tests pays for no flow.
      let locks: FunctionLocks | undefined;
      let stages: FunctionStages | undefined;
      let tests: Map<string, NullTest> | undefined;
      let noLock: string | null | undefined;
      const lockFacts = () =>
        (locks ??= new FunctionLocks(fn.node, {
          ids,
          gaps: view.gapRows.filter((r) => r > fn.node.startPosition.row && r < fn.node.endPosition.row),
          entry: this.entryLocks(fn, view),
          effectOf: (name) => {
            const def = this.world.functionsNamed(name)[0];
            return def ? callEffect(def.node, def.view, this.ids(def.node, def.view)) : null;
          },
        }));
      f = {
        fn,
        view,
        ids,
        get locks() {
          return lockFacts();
        },
        get stages() {
          return (stages ??= new FunctionStages(
            fn.node,
            ids,
            (n) => {
              const s = lockFacts().heldAt(n);
              return !!s && [...s.values()].some((l) => guardsWriters(l.kind));
            },
            facts.entryStages(fn, view, ids),
          ));
        },
        get nullTests() {
          return (tests ??= nullTests(fn.node, ids));
        },
        get noLockNeeded() {
          if (noLock === undefined) noLock = fn.headVisible ? statesNoLockNeeded(fn.node)?.text ?? null : null;
          return noLock;
        },
        get callerUnknown() {
          return !!fn.name && facts.callSites(fn.name).some((s) => !s.caller.headVisible || !s.caller.name);
        },
      };
      m.set(fn.node.id, f);
    }
    return f;
  }

  /** Locks held at `node` (in the function around it); null when unreachable or at file scope. */
  heldAt(node: SyntaxNode, view: CView): LockState {
    return this.at(node, view)?.locks.heldAt(node) ?? null;
  }

  /** The stage of the object holding `path`'s last member, at `node`. */
  stageOfOwner(path: Path, node: SyntaxNode, view: CView): Stage | null {
    return this.at(node, view)?.stages.stageOfOwner(path, node) ?? null;
  }

  lists(): ListModel {
    return (this.listModel ??= new ListModel(this.cfiles, { idsOf: (fn, view) => this.ids(fn, view) }, this.side));
  }

  /** What becomes of every pointer result the kernel says may be NULL, stored in a variable, in every function of this side. */
  resultUses(): (ResultUse & { view: CView; fn: EnclosingFunction })[] {
    if (!this.results) {
      this.results = [];
      for (const f of this.world.functions) {
        // Only results the kernel says may be NULL are followed: skip functions that call none.
        const calls = descendantsOfType(f.node, "call_expression");
        if (!calls.some((c) => { const n = calleeName(c); return !!n && !!kernelNullSource(n)?.known; })) continue;
        const fn = f.view.describeFunction(f.node);
        for (const r of resultUses(f.node, this.ids(f.node, f.view))) this.results.push({ ...r, view: f.view, fn });
      }
    }
    return this.results;
  }

  /**
   * Why a callee's result may be NULL, or null when nothing says so: the
   * kernel's knowledge, a function of the patch that returns NULL, or other
   * call sites (two at least, besides `except`) that test the result first.
   */
  nullSource(callee: string, except?: ResultUse): { source: NullSource; known: boolean; checked: number } | null {
    if (callee.startsWith("->")) return null;
    const k = kernelNullSource(callee, except?.call);
    if (!k?.known) return null;
    // The code's own belief: other call sites of the lookup test its result, more often than not.
    const same = this.resultUses().filter((r) => r.callee === callee && r !== except);
    const checked = same.filter((r) => r.first === "test").length;
    const untested = same.filter((r) => r.first === "deref" || r.first === "passed").length + 1;
    // An allocation can always fail; a lookup finds nothing only where the caller does not know better,
    // so it counts when the patch's other calls of it test the result.
    if (k.source === "alloc") return { ...k, checked };
    return checked >= 1 && checked >= untested ? { ...k, checked } : null;
  }

  /** Every call of a function by name, in the patch's C files of this side. */
  callSites(name: string): CallSite[] {
    if (!this.calls) {
      this.calls = new Map();
      for (const cf of this.cfiles) {
        const view = this.side === "post" ? cf.post : cf.pre;
        if (!view) continue;
        for (const call of descendantsOfType(view.root, "call_expression")) {
          const n = calleeName(call);
          if (!n) continue;
          const caller = view.enclosingFunction(call);
          if (!caller) continue;
          const list = this.calls.get(n) ?? [];
          list.push({ call, view, cfile: cf, caller });
          this.calls.set(n, list);
        }
      }
    }
    return this.calls.get(name) ?? [];
  }

  /** What a comment or annotation says guards a list (or a member): by its struct member or global name. */
  statedGuard(list: ListRef): StatedGuard | null {
    if (list.global) return this.world.stated.get(list.key) ?? null;
    if (list.struct && list.member) return this.world.stated.get(`${list.struct}::${list.member}`) ?? null;
    return null;
  }

  /**
   * The locks a function is entered with: stated on its head or in its
   * comment, or held by a caller in the patch around the call (followed up
   * to three callers up, each mapped through the arguments: a caller that
   * holds `hba->lock` and calls `helper(hba)` enters `helper(struct x *h)`
   * with `h->lock`). A function registered to run in atomic context (an
   * interrupt handler, a timer, an irq_chip callback: see
   * src/c/kernel/contexts.ts) is entered with that context held, and passes
   * it on to what it calls.
   */
  entryLocks(fn: EnclosingFunction, view: CView): HeldLock[] {
    let m = this.entryCache.get(view);
    if (!m) this.entryCache.set(view, (m = new Map()));
    const hit = m.get(fn.node.id);
    if (hit) return hit;
    const out: HeldLock[] = [];
    if (fn.headVisible) {
      const ids = this.ids(fn.node, view);
      for (const s of statedEntryLocks(fn.node, view)) {
        // A lock named from a parameter (`dev->lock`) is typed by the parameter's declaration.
        const d = ids.decls.get(s.path.root);
        const path: Path = d?.kind === "param" ? { ...s.path, rootKind: "param", rootType: d.type } : this.world.isGlobal(s.path.root) && s.path.steps.length === 0 ? { ...s.path, rootKind: "global" } : s.path;
        out.push({ key: pathText(path), path, typeKey: ids.typeKey(path), kind: "custom", atomic: false, shared: false, site: null, must: true, source: s.how });
      }
    }
    const cb = fn.name && fn.headVisible ? this.world.atomicCallbacks.get(fn.name) : undefined;
    if (cb) {
      out.push({
        key: `context:${cb.kind}`, path: null, typeKey: null, kind: cb.kind, atomic: true, shared: false, site: null, must: true, source: "context",
        origin: { fn: fn.name!, how: cb.how, what: cb.what, node: cb.node, view: cb.view },
      });
    }
    const tag = `${this.side}:${fn.name}`;
    if (fn.name && fn.headVisible && !this.inProgress.has(tag) && this.inProgress.size < CALLER_DEPTH) {
      this.inProgress.add(tag);
      try {
        for (const site of this.callSites(fn.name)) {
          if (site.caller.node.id === fn.node.id) continue;
          const state = this.function(site.caller, site.view).locks.heldAt(site.call);
          if (!state) continue;
          for (const h of state.values()) {
            const mapped = this.mapToCallee(h, site, fn);
            if (mapped && !out.some((o) => o.key === mapped.key)) out.push(mapped);
          }
        }
      } finally {
        this.inProgress.delete(tag);
      }
    }
    m.set(fn.node.id, out);
    return out;
  }

  /**
   * The stages of a function's parameters on entry: dying in a teardown
   * callback (registered with `devm_add_action()`, or the `.release` of an
   * ops table); otherwise the stage every caller in the patch passes
   * (a probe that hands its fresh object to a set-up helper).
   */
  private entryStages(fn: EnclosingFunction, view: CView, ids: Identities): Map<string, Stage> {
    const out = new Map<string, Stage>();
    if (!fn.name || !fn.headVisible) return out;
    const params = [...ids.decls.values()].filter((d) => d.kind === "param" && d.pointer).sort((a, b) => a.index - b.index);
    if (params.length === 0) return out;
    if (this.world.teardownFns.has(fn.name) || (this.world.opsSlots.get(fn.name) ?? []).some((s) => RELEASE_SLOTS.has(s))) {
      out.set(params[0].name, "dying");
      return out;
    }
    const tag = `stage:${this.side}:${fn.name}`;
    if (this.inProgress.has(tag) || this.inProgress.size >= CALLER_DEPTH) return out;
    const sites = this.callSites(fn.name).filter((s) => s.caller.node.id !== fn.node.id);
    if (sites.length === 0) return out;
    this.inProgress.add(tag);
    try {
      for (const p of params) {
        let agreed: Stage | null | undefined;
        for (const site of sites) {
          const arg = callArgs(site.call)[p.index];
          const caller = this.function(site.caller, site.view);
          const ap = arg ? caller.ids.path(arg) : null;
          const st = ap && ap.steps.length === 0 ? caller.stages.stageOf(ap, site.call) : null;
          agreed = agreed === undefined || agreed === st ? st : null;
          if (!agreed || agreed === "published") break;
        }
        if (agreed && agreed !== "published") out.set(p.name, agreed);
      }
    } finally {
      this.inProgress.delete(tag);
    }
    return out;
  }

  /** A lock a caller holds, as the callee names it. */
  private mapToCallee(h: HeldLock, site: CallSite, callee: EnclosingFunction): HeldLock | null {
    const base = { ...h, site: null, must: false, source: "caller" as const };
    // A lock with no path (rcu_read_lock(), interrupts off, an inherited context) is held by the callee as it is.
    if (!h.path) return { ...base, key: h.source === "context" ? h.key : base.key };
    if (h.path.steps.length === 0 && h.path.rootKind === "global") return base;
    const callerIds = this.ids(site.caller.node, site.view);
    const calleeIds = this.ids(callee.node, this.viewOf(callee));
    const params = [...calleeIds.decls.values()].filter((d) => d.kind === "param").sort((a, b) => a.index - b.index);
    const a = callArgs(site.call);
    for (let i = 0; i < a.length && i < params.length; i++) {
      const ap = callerIds.path(a[i]);
      if (!ap || !startsWith(h.path, ap)) continue;
      const p: Path = { root: params[i].name, steps: h.path.steps.slice(ap.steps.length), rootKind: "param", rootType: params[i].type };
      return { ...base, key: pathText(p), path: p, typeKey: calleeIds.typeKey(p) ?? h.typeKey };
    }
    // Held through an object the call does not pass: known by its type alone.
    return h.typeKey ? { ...base, key: `caller:${h.key}`, path: null } : null;
  }

  private viewOf(fn: EnclosingFunction): CView {
    for (const v of this.views) if (v.root.tree === fn.node.tree) return v;
    return this.views[0];
  }
}


export type { FunctionInfo, ListRef, ListUse };

/** The post-image facts of a patch, as an analysis. */
export const postFacts: Analysis<PatchFacts> = { id: "facts:post", compute: ({ cfiles, tree }) => new PatchFacts(cfiles, "post", tree) };
/** The pre-image facts of a patch (what the code did before), as an analysis. */
export const preFacts: Analysis<PatchFacts> = { id: "facts:pre", compute: ({ cfiles }) => new PatchFacts(cfiles, "pre") };
/** What the patch changed (removed tests, calls that left a lock, removed waits), as an analysis. */
export const changeFacts: Analysis<ChangeFacts> = { id: "facts:changes", compute: ({ get }) => new ChangeFacts(get(postFacts), () => get(preFacts)) };
/** The lock takers, callable functions, work handlers and ops tables of the post-images (./callbacks.ts), as an analysis. */
export const callbackFacts: Analysis<CallbackFacts> = { id: "facts:callbacks", compute: ({ get }) => new CallbackFacts(get(postFacts)) };
/** What is RCU-protected in the patch (pointers by type key, types pinned by try-gets under RCU), as an analysis. */
export const rcuFacts: Analysis<RcuModel> = { id: "facts:rcu", compute: ({ get }) => new RcuModel(get(postFacts)) };
