import {
  ERASE_CALLS,
  RCU_ACCESSORS,
  READ_SIDE_LOADS,
  TRY_GET_CALLS,
  callArgs,
  calleeName,
  defineRule,
  objectOf,
  onErrorLadder,
  pathDisplay,
  pathText,
  rcuFacts,
  startsWith,
  unparen,
  type CView,
  type HeldLock,
  type Path,
  type RcuCall,
  type SyntaxNode,
  descendantsOfType,
} from "../src/engine/index.js";

const SLEEPING = new Set(["mutex", "rwsem", "semaphore"]);
/** NULL, also at the end of a chain (`a->x = b->x = NULL`). */
function isNull(n: SyntaxNode | null | undefined): boolean {
  let v = n ? unparen(n) : null;
  for (let i = 0; v?.type === "assignment_expression" && i < 16; i++) v = v.childForFieldName("right");
  return !!v && /^(NULL|0|\(void \*\)0)$/.test(unparen(v).text);
}

const same = (a: Path | null, b: Path | null) => !!a && !!b && pathText(a) === pathText(b);
/** `rcu_dereference_protected(p, true)`: the author says nobody else can reach the pointer any more. */
const claimsAlone = (read: SyntaxNode) => calleeName(read) === "rcu_dereference_protected" && /^(1|true)$/.test(callArgs(read)[1]?.text ?? "");

const between = (evs: RcuCall[], from: SyntaxNode, to: SyntaxNode, kind: RcuCall["kind"]) =>
  evs.some((e) => e.kind === kind && e.call.startIndex > from.startIndex && e.call.startIndex < to.startIndex);
/** Does the statement of `a` stand in a block that also holds `b` (so one runs on the way to the other)? */
function sameFlow(a: SyntaxNode, b: SyntaxNode): boolean {
  let blk: SyntaxNode | null = a.parent;
  while (blk && blk.type !== "compound_statement") blk = blk.parent;
  return !!blk && b.startIndex >= blk.startIndex && b.endIndex <= blk.endIndex;
}
/** Did the patch add a line from `a` to `b`? */
function touched(view: CView, a: SyntaxNode, b: SyntaxNode): boolean {
  const lo = Math.min(a.startPosition.row, b.startPosition.row);
  const hi = Math.max(a.endPosition.row, b.endPosition.row);
  for (let r = lo; r <= hi; r++) if (view.lineAt(r)?.kind === "+") return true;
  return false;
}

function rcuHeld(state: ReadonlyMap<string, HeldLock>): boolean {
  return [...state.values()].some((h) => h.kind === "rcu" || h.kind === "srcu");
}

/** The statement a call stands in, and what comes after it up to the end of `body`. */
function exitsBefore(unlock: SyntaxNode, body: SyntaxNode, relock: SyntaxNode | null): boolean {
  let stmt: SyntaxNode | null = unlock;
  while (stmt && stmt.parent && stmt.parent.type !== "compound_statement") stmt = stmt.parent;
  for (let s = stmt?.nextNamedSibling ?? null; s && s.startIndex < body.endIndex; s = s.nextNamedSibling) {
    if (relock && s.startIndex >= relock.startIndex) return false;
    if (["break_statement", "return_statement", "goto_statement"].includes(s.type)) return true;
  }
  return false;
}

export default defineRule({
  id: "rcu-pointer-access",
  type: "problem",
  severity: "warning",
  confidence: "medium",
  reportOn: "any",
  summary: "an RCU-protected pointer or object used without RCU: a plain load or store, rcu_dereference() under the updaters' lock, a free with no grace period, a list walk that leaves its read-side section",
  usesTree: true,
  messages: {
    plainLoad: "'{{ptr}}' is RCU-protected ({{why}}) but is read here with a plain load: use rcu_dereference(), or rcu_dereference_protected() where the updaters' lock is held",
    plainStore: "'{{ptr}}' is RCU-protected ({{why}}) but is stored here with a plain assignment: readers may see the pointer before what it points to; use rcu_assign_pointer()",
    protectedLoad: "'{{call}}()' outside rcu_read_lock(), where the updaters' lock '{{lock}}' is held: use rcu_dereference_protected({{ptr}}, lockdep_is_held(&{{lock}}))",
    freedUnpublished: "'{{obj}}' is freed with {{free}}() right after {{unpublish}}() with no grace period between: readers may still be using it; use kfree_rcu(), call_rcu(), or synchronize_rcu() first",
    freedPublished: "'{{obj}}' is freed with {{free}}() while '{{ptr}}' still points to it for readers: unpublish it first, then wait for a grace period (or use kfree_rcu())",
    memberPut: "'{{what}}' is released before the grace period that follows {{unpublish}}() of '{{obj}}': readers that still see '{{obj}}' may follow it into freed memory",
    lastPutFree: "'{{obj}}' is freed with {{free}}() at its last put, but readers take their reference with {{tryget}}() under rcu_read_lock(): free it after a grace period (kfree_rcu(), call_rcu())",
    walkResumed: "the RCU walk of '{{list}}' left its read-side section in the loop body and resumes in a new one here: the cursor may point to freed memory; the whole walk must stay in one read-side section",
    walkPinned: "the RCU walk of '{{list}}' resumes here in a new read-side section, its cursor pinned by {{pin}}() across the gap: that is safe only if removing an entry waits for the reference to drop",
    useAfterUnlock: "'{{obj}}' was read with {{load}}() inside a read-side section that has ended, and is dereferenced here with no reference taken: the object may already be freed; take a reference inside the section, or use it there",
    walkOutside: "'{{walk}}()' walks '{{list}}' with no rcu_read_lock() and no lock held, and every caller of '{{fn}}()' in the patch calls it so: take rcu_read_lock() around the walk, or pass the lockdep condition that protects it",
    walkLeaves: "rcu_read_unlock() inside the RCU walk of '{{list}}': the walk goes on outside the read-side section, and the cursor may point to freed memory",
  },
  docs: `### What it does
Finds RCU-protected pointers and objects used without RCU, in the lines a
patch adds or the sequences it changes:

- a pointer declared \`__rcu\` (or handed to \`rcu_assign_pointer()\` or
  \`rcu_dereference*()\` elsewhere in the patch) that is dereferenced or copied
  with a plain load, or stored with a plain assignment into an object others
  can see;
- \`rcu_dereference()\` outside any read-side section where the updaters'
  sleeping lock is held: the accessor for that is
  \`rcu_dereference_protected(p, lockdep_is_held(&lock))\`;
- an object freed with \`kfree()\`, \`kvfree()\`, \`kmem_cache_free()\` right after
  it was unpublished (\`list_del_rcu()\`, \`hlist_del_rcu()\`,
  \`rcu_assign_pointer(p, NULL)\`, \`xa_erase()\`...) with no grace period
  (\`synchronize_rcu()\`, \`call_rcu()\`, \`kfree_rcu()\`) in between, or freed
  before the pointer to it is cleared, or with something it points to
  released before the grace period the patch waits for;
- an object freed at once by its last put while readers find it under
  \`rcu_read_lock()\` and take their reference with a try-get
  (\`atomic_inc_not_zero()\`, \`refcount_inc_not_zero()\`, \`kref_get_unless_zero()\`);
- a pointer read with \`rcu_dereference()\` inside a read-side section and
  dereferenced after \`rcu_read_unlock()\` with no reference taken;
- an RCU list walk (\`list_for_each_entry_rcu()\`) whose body drops the
  read-side section and goes on walking, or that runs with nothing held
  where the patch shows every caller.

What is RCU-protected, what is held and what is fresh come from the shared
facts (\`src/facts/rcu.ts\`, the lock and stage facts); the RCU calls are a
table in \`src/c/kernel/rcu.ts\`.

### Why is this bad?
RCU readers take no lock: the only thing that keeps what they see alive is
the grace period, and the only thing that orders the stores they see is
\`rcu_assign_pointer()\`. A plain store lets a reader see the pointer before
the object's contents; a free with no grace period frees memory a reader on
another CPU is still walking; a try-get on freed memory reads a counter in
whatever was allocated there since. None of it shows up except as rare
memory corruption under load. A plain load or a mistaken \`rcu_dereference()\`
is what sparse and lockdep complain about.

### Example
\`\`\`c
spin_lock(&d->lock);
list_del_rcu(&e->node);
spin_unlock(&d->lock);
kfree(e);
\`\`\`
Use instead:
\`\`\`c
spin_lock(&d->lock);
list_del_rcu(&e->node);
spin_unlock(&d->lock);
kfree_rcu(e, rcu);		/* or synchronize_rcu(); kfree(e); */
\`\`\`
and, where the updaters' mutex is held, \`on = rcu_dereference_protected(kn->attr.open,
lockdep_is_held(&kernfs_open_file_mutex));\`.

### Reviewer said
> Once we'd grabbed kernfs_open_file_mutex, we know that
> * kn->attr.open value won't change until we drop the mutex
> [...]
> We don't need rcu_read_lock() there - we are already holding the mutex used
> by writers for exclusion among themselves. RCU *allows* lockless readers,
> it doesn't require all readers to be such.
> — Al Viro, "Re: [RESEND PATCH v7 1/8] kernfs: Introduce interface to access global kernfs_open_file_mutex.", 5 Apr 2022

### Known problems
What is RCU-protected is known only from the patch's files (a struct in a
header the patch does not touch is not seen without \`--tree\`). A grace
period taken by a caller, or hidden in a helper the patch does not show, is
not seen; calls named like a wait (\`..._synchronize()\`, \`..._barrier()\`) are
taken for one, so such frees are not reported. \`rcu_dereference()\` in a
function whose callers are not all shown is not reported unless a sleeping
lock is held there. Ordering is by position in the function: a free in one
branch after an unpublish in another may be misread. A walk that pins its
cursor with a try-get before leaving the section is reported at low
confidence: it is safe when removing an entry waits for the last reference
(\`mm/backing-dev.c\` does so, and is reported), which the rule cannot tell.
An unpublish and free on an \`out_*\`/\`err_*\` error ladder is taken for the
function undoing its own set-up and is not reported.
`,

  checkCode(ctx) {
    const facts = ctx.facts;
    const rcu = ctx.analysis(rcuFacts);
    const rcuCallbacks = new Set(["call_rcu", "call_srcu", "call_rcu_hurry"].flatMap((n) => facts.callSites(n).map((s) => callArgs(s.call)[n === "call_srcu" ? 2 : 1]?.text ?? "")));

    for (const info of facts.world.functions) {
      const view = info.view;
      const fn = view.describeFunction(info.node);
      const f = facts.function(fn, view);
      const evs = rcu.calls(f);
      const isCallback = rcuCallbacks.has(fn.name ?? "") || [...f.ids.decls.values()].some((d) => d.kind === "param" && d.type === "rcu_head");

      // Frees: after an unpublish with no grace period, before the pointer is cleared, or at a last put of a try-got object.
      for (const fr of evs) {
        if (fr.kind !== "free" || !fr.path || isCallback) continue;
        const obj = fr.path;
        const stage = f.stages.stageOf(obj, fr.call);
        if (stage === "fresh" || rcu.allocatedHere(f, obj)) continue;
        const fetched = rcu.readFrom(f, obj);
        const unpub = evs.filter((e) => e.call.startIndex < fr.call.startIndex && ((e.kind === "unpublish" && same(e.path, obj)) || (e.kind === "store" && fetched && same(e.path, fetched.ptr) && e.call.startIndex > fetched.node.startIndex)));
        const last = unpub[unpub.length - 1];
        const erased = fetched && ERASE_CALLS.has(fetched.accessor) ? fetched.node : null;
        const from = last?.call ?? erased;
        if (from) {
          // An error ladder unpublishing what the function itself just published (the set-up it unwinds) is how kernel code fails: not reported.
          if (onErrorLadder(from)) continue;
          if (!sameFlow(from, fr.call) || between(evs, from, fr.call, "grace") || !touched(view, from, fr.call)) continue;
          ctx.report({ view, node: fr.call, messageId: "freedUnpublished", data: { obj: pathDisplay(obj), free: fr.name, unpublish: last?.name ?? fetched!.accessor }, related: [{ node: from, view, message: "unpublished here" }] });
          continue;
        }
        const later = fetched && RCU_ACCESSORS[fetched.accessor] && evs.find((e) => e.kind === "store" && same(e.path, fetched.ptr) && e.call.startIndex > fr.call.startIndex);
        if (later && fetched && !between(evs, fetched.node, fr.call, "grace") && sameFlow(fr.call, later.call) && touched(view, fetched.node, later.call)) {
          // Read with `rcu_dereference_protected(p, true)`, the author says no reader is left: less sure.
          ctx.report({ view, node: fr.call, messageId: "freedPublished", data: { obj: pathDisplay(obj), free: fr.name, ptr: pathDisplay(fetched.ptr) }, related: [{ node: later.call, view, message: "unpublished only here" }], confidence: claimsAlone(fetched.node) ? "low" : undefined });
          continue;
        }
        const type = f.ids.typeOfPath(obj);
        const pin = type ? rcu.tryGets.get(type) : undefined;
        if (pin && stage === "dying" && fn.headVisible && !evs.some((e) => e.kind === "grace" && e.call.startIndex < fr.call.startIndex) && view.isAdded(fr.call)) {
          ctx.report({ view, node: fr.call, messageId: "lastPutFree", data: { obj: pathDisplay(obj), free: fr.name, tryget: calleeName(pin.node) ?? "a try-get" }, related: [{ node: pin.node, view: pin.view, message: "a reader takes its reference here, under rcu_read_lock()" }] });
        }
      }

      // Something the unpublished object points to, released before the grace period the function then waits for.
      for (const u of evs) {
        if (u.kind !== "unpublish" || !u.path) continue;
        const grace = evs.find((e) => e.kind === "grace" && e.call.startIndex > u.call.startIndex);
        if (!grace || !evs.some((e) => e.kind === "free" && same(e.path, u.path) && e.call.startIndex > grace.call.startIndex)) continue;
        for (const e of evs) {
          if (e.call.startIndex <= u.call.startIndex || e.call.startIndex >= grace.call.startIndex) continue;
          const released = e.kind === "free" ? e.path : /^(kref_put\w*|\w+_put)$/.test(e.name) ? objectOf(f, callArgs(e.call)[0]) : null;
          if (!released || released.steps.length <= u.path.steps.length || !startsWith(released, u.path) || !touched(view, u.call, grace.call)) continue;
          ctx.report({ view, node: e.call, messageId: "memberPut", data: { what: pathDisplay(released), unpublish: u.name, obj: pathDisplay(u.path) }, related: [{ node: u.call, view, message: "unpublished here" }, { node: grace.call, view, message: "the grace period comes only here" }] });
        }
      }

      // A pointer read inside a read-side section, dereferenced after it ended with no reference taken in between.
      for (const e of evs) {
        if (!READ_SIDE_LOADS.has(e.name)) continue;
        const asg = e.call.parent;
        const target = asg?.type === "init_declarator" ? asg.childForFieldName("declarator") : asg?.type === "assignment_expression" ? asg.childForFieldName("left") : null;
        const x = target ? descendantsOfType(unparen(target), "identifier").pop() ?? (target.type === "identifier" ? target : null) : null;
        const decl = x ? f.ids.decls.get(x.text) : undefined;
        if (!x || !decl || decl.kind !== "local" || !decl.pointer) continue;
        const at = f.locks.heldAt(e.call);
        if (!at || ![...at.values()].some((h) => h.kind === "rcu" && h.must && (h.source === "call" || h.source === "guard"))) continue;
        const pinnedBy = [...at.values()].filter((h) => h.kind !== "rcu" && h.kind !== "srcu" && h.must).map((h) => h.key);
        for (const d of descendantsOfType(f.fn.node, "field_expression")) {
          if (d.startIndex <= e.call.endIndex || d.child(1)?.type !== "->" || d.childForFieldName("argument")?.text !== x.text) continue;
          const st = f.locks.heldAt(d);
          if (!st || rcuHeld(st) || pinnedBy.some((k) => st.get(k)?.must)) continue;
          // Reassigned, or handed to a call (which may take a reference), between the read and this use.
          const touchedX = (n: SyntaxNode) => n.startIndex > e.call.endIndex && n.startIndex < d.startIndex;
          const reassigned = descendantsOfType(f.fn.node, "assignment_expression").some((a) => touchedX(a) && a.childForFieldName("left")?.text === x.text);
          const handed = evs.some((c) => touchedX(c.call) && !(c.name in RCU_ACCESSORS) && callArgs(c.call).some((a) => new RegExp(`(^|[^\\w>.])${x.text}\\b`).test(a.text)));
          if (reassigned || handed || !touched(view, e.call, d)) continue;
          ctx.report({ view, node: d, messageId: "useAfterUnlock", data: { obj: x.text, load: e.name }, related: [{ node: e.call, view, message: "read here, inside the section" }] });
          break;
        }
      }

      if (!fn.headVisible) continue;
      // rcu_dereference() where the updaters' sleeping lock is held and no read-side section is.
      for (const e of evs) {
        if (!READ_SIDE_LOADS.has(e.name) || !view.isAdded(e.call)) continue;
        const state = f.locks.heldAt(e.call);
        if (!state || f.locks.sawCustom || rcuHeld(state)) continue;
        // A sleeping lock cannot be held inside rcu_read_lock(); a spinlock can, so it counts only where every caller is shown (their sections are in the state).
        const allCallers = !!fn.name && facts.callSites(fn.name).length > 0 && !f.callerUnknown;
        const taken = (h: HeldLock) => h.must && h.source !== "comment" && h.source !== "caller";
        const lock = [...state.values()].find((h) => taken(h) && SLEEPING.has(h.kind)) ?? (allCallers && e.name === "rcu_dereference" ? [...state.values()].find((h) => taken(h) && (h.kind === "spinlock" || h.kind === "rwlock")) : undefined);
        if (!lock) continue;
        const ptr = callArgs(e.call)[0]?.text ?? "p";
        const name = lock.path ? pathDisplay(lock.path) : lock.key;
        ctx.report({ view, node: e.call, messageId: "protectedLoad", data: { call: e.name, lock: name, ptr }, related: lock.site ? [{ node: lock.site, view, message: `'${name}' is taken here` }] : [] });
      }
    }

    // RCU list walks whose body leaves the read-side section and walks on.
    // The list model costs a pass over every list call: only when some RCU walk is written at all.
    const walks = ctx.cfiles.some((cf) => /for_each\w*_(rcu|srcu)\b/.test(cf.post.source)) ? facts.lists().uses : [];
    for (const u of walks) {
      if (u.op !== "walk" || !u.api.rcu || !u.fn) continue; // the post-image facts: every view is a post-image
      const f = facts.function(u.fn, u.view);
      const state = f.locks.heldAt(u.call);
      // Nothing held at all, here and in every caller the patch shows (their sections would be in the state), and no lockdep condition given.
      if (state && state.size === 0 && u.fn.headVisible && u.fn.name && !f.locks.sawCustom && !f.callerUnknown && facts.callSites(u.fn.name).length > 0 && callArgs(u.call).length < 4 && u.view.isAdded(u.call)) {
        ctx.report({ view: u.view, node: u.call, messageId: "walkOutside", data: { walk: calleeName(u.call) ?? u.name, list: (u.list?.display ?? callArgs(u.call)[1]?.text ?? "the list").replace(/^&/, ""), fn: u.fn.name } });
        continue;
      }
      // The walk starts inside a read-side section the function itself entered (so a hidden head hides nothing that matters).
      if (!state || ![...state.values()].some((h) => h.kind === "rcu" && h.must && (h.source === "call" || h.source === "guard"))) continue;
      const body = u.call.parent?.nextNamedSibling;
      if (!body) continue;
      const calls = descendantsOfType(body, "call_expression");
      for (const unlock of calls.filter((c) => /^rcu_read_unlock(_bh|_sched)?$/.test(calleeName(c) ?? ""))) {
        const relock = calls.find((c) => c.startIndex > unlock.startIndex && /^rcu_read_lock(_bh|_sched)?$/.test(calleeName(c) ?? "")) ?? null;
        if (exitsBefore(unlock, body, relock) || !touched(u.view, unlock, relock ?? unlock)) continue;
        const list = (u.list?.display ?? callArgs(u.call)[1]?.text ?? "the list").replace(/^&/, "");
        // A cursor pinned by a try-get before the unlock is safe if removal waits for that reference: say so, with less confidence.
        const pin = calls.find((c) => c.startIndex < unlock.startIndex && TRY_GET_CALLS.has(calleeName(c) ?? "")) ?? calls.find((c) => c.startIndex < unlock.startIndex && /(^|_)(try_?get|get_unless_zero|tryget)(_|$)/.test(calleeName(c) ?? ""));
        if (relock && pin) ctx.report({ view: u.view, node: relock, messageId: "walkPinned", data: { list, pin: calleeName(pin) ?? "" }, related: [{ node: unlock, view: u.view, message: "the read-side section ends here" }, { node: pin, view: u.view, message: "the cursor is pinned here" }], confidence: "low" });
        else if (relock) ctx.report({ view: u.view, node: relock, messageId: "walkResumed", data: { list }, related: [{ node: unlock, view: u.view, message: "the read-side section ends here" }, { node: u.call, view: u.view, message: "the walk" }] });
        else ctx.report({ view: u.view, node: unlock, messageId: "walkLeaves", data: { list }, related: [{ node: u.call, view: u.view, message: "the walk" }] });
        break;
      }
    }

    // Plain loads and stores of pointers known to be RCU-protected, on added lines.
    for (const cf of ctx.cfiles) {
      const view = cf.post;
      if (rcu.pointers.size === 0) break;
      const members = new Set([...rcu.pointers.keys()].map((k) => k.replace(/^.*::/, "")));
      for (const n of descendantsOfType(view.root, ["field_expression", "identifier"])) {
        if (!view.isAdded(n)) continue;
        if (n.type === "identifier" && (n.parent?.type === "field_expression" || !rcu.pointers.has(n.text))) continue;
        if (n.type === "field_expression" && !members.has(n.childForFieldName("field")?.text ?? "")) continue;
        const f = facts.at(n, view);
        if (!f) continue;
        const p = f.ids.path(n);
        const ev = p && rcu.pointer(f.ids.typeKey(p));
        if (!p || !ev) continue;
        const use = plainUse(n);
        if (!use) continue;
        // An updater holding a lock may copy a pointer no declaration marks __rcu: only sparse would mind, and it does not.
        if (use === "load" && ev.why === "accessor") {
          const held = f.locks.heldAt(n);
          if (!held || [...held.values()].some((h) => h.kind !== "rcu" && h.kind !== "srcu")) continue;
        }
        if (use === "store") {
          const right = n.parent!.childForFieldName("right");
          if (isNull(right) || p.steps.length === 0 || f.stages.stageOfOwner(p, n) === "fresh") continue;
        }
        const why = ev.why === "annotated" ? "declared __rcu" : `used with ${calleeName(ev.node)}() elsewhere`;
        ctx.report({ view, node: n, messageId: use === "store" ? "plainStore" : "plainLoad", data: { ptr: pathDisplay(p), why }, related: [{ node: ev.node, view: ev.view, message: ev.why === "annotated" ? "declared here" : "used with an RCU accessor here" }] });
      }
    }
  },
});

/** How a pointer expression is used: dereferenced ("load"), assigned to ("store"), or in a way that needs no accessor here (null). */
function plainUse(n: SyntaxNode): "load" | "store" | null {
  let cur = n;
  let parent = n.parent;
  while (parent?.type === "parenthesized_expression") {
    cur = parent;
    parent = parent.parent;
  }
  if (!parent) return null;
  // Inside an accessor, sizeof, typeof, a lockdep or WARN check: the accessor does the work, or nothing is loaded.
  for (let a: SyntaxNode | null = parent; a && a.type !== "compound_statement"; a = a.parent) {
    if (a.type === "sizeof_expression") return null;
    if (a.type === "call_expression") {
      const name = calleeName(a) ?? "";
      if (name in RCU_ACCESSORS || /^(rcu_|kfree_rcu|kvfree_rcu|typeof|__typeof|lockdep|WARN|BUG|offsetof|READ_ONCE|WRITE_ONCE|xchg|cmpxchg|smp_)/.test(name)) return null;
    }
  }
  if (parent.type === "field_expression" && parent.childForFieldName("argument")?.id === cur.id) return parent.child(1)?.type === "->" ? "load" : null;
  // Copies (`x = p->conf;`) are left alone: what matters is the dereference, where the missing accessor costs the ordering.
  if (parent.type === "assignment_expression" && parent.child(1)?.type === "=" && parent.childForFieldName("left")?.id === cur.id) return "store";
  return null;
}
