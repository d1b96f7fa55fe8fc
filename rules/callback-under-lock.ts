import {
  callArgs,
  callbackFacts,
  calleeName,
  COMPLETION_MEMBERS,
  defineRule,
  INLINE_CALLBACK_CALLS,
  lockDisplay,
  lockIdentity,
  sameLock,
  naming,
  unparen,
  WORK_WAITS,
  type CallbackFacts,
  type CView,
  type FunctionFacts,
  type HeldLock,
  type SyntaxNode,
  type TakenLock,
  descendantsOfType,
} from "../src/engine/index.js";

type Confidence = "high" | "medium" | "low";

/** How sure a finding is, from how the lock is known to be held here. */
function certainty(h: HeldLock, f: FunctionFacts, sure: Confidence): Confidence {
  if (!f.fn.headVisible) return "low";
  if (h.source === "caller" || !h.must) return sure === "high" ? "medium" : "low";
  return sure;
}

/** Two takes of one lock exclude each other unless both are read sides. */
function conflicts(h: HeldLock, t: TakenLock): boolean {
  return !(h.shared && t.lock.shared);
}

/** Why the function called through `callee` belongs to another subsystem, or null. */
function foreign(callee: SyntaxNode, f: FunctionFacts, cb: CallbackFacts): string | null {
  const member = callee.childForFieldName("field")?.text ?? "";
  const obj = callee.childForFieldName("argument");
  if (!obj) return null;
  if (COMPLETION_MEMBERS.has(member)) return `the completion callback of whoever handed in '${obj.text}'`;
  // An ops table (or a function pointer) that an outside caller handed in: `x->holder_ops = ops;`.
  for (const n of [obj, callee]) {
    if (n.type !== "field_expression") continue;
    const field = n.childForFieldName("field")?.text ?? "";
    if (n === obj && !naming.OPS_MEMBER.test(field)) continue;
    const p = f.ids.path(n);
    const k = p ? f.ids.typeKey(p) : null;
    const from = k ? cb.suppliedFrom(k) : null;
    if (from) return `handed in by ${from.fn.name}()`;
  }
  return null;
}

/**
 * A function of the patch that the callback can reach and that takes lock
 * `id` in a way that excludes `h`: exported (any code may call it), or an
 * ops function (or called by one) that takes an object of a type the
 * callback is handed (`->complete(ep, req)` reaches the `.queue` of `ep`'s
 * ops, not a debugfs file's `.read`).
 */
function outsideTaker(cb: CallbackFacts, id: string, h: HeldLock, self: string | null, handed: Set<string>): { t: TakenLock; why: string } | null {
  let best: { t: TakenLock; why: string } | null = null;
  for (const info of cb.facts.world.functions) {
    if (!info.name) continue;
    const t = cb.takes(info.name).find((x) => sameLock(x.id, id) && conflicts(h, x));
    const e = t ? cb.entry(info.name) : null;
    if (!t || !e) continue;
    if (e.by === "ops" && ![...cb.paramTypes(e.fn)].some((ty) => handed.has(ty))) continue;
    const why = e.why;
    // Another function before the one that calls the callback, an exclusive take before a shared one.
    const rank = (x: TakenLock) => (x.fn.name === self ? 2 : 0) + (x.lock.shared ? 1 : 0);
    if (!best || rank(t) < rank(best.t)) best = { t, why };
  }
  return best;
}

/** The patch functions a callback argument names: a function, or the slots of an ops table. */
function callbacksIn(arg: SyntaxNode | undefined, slots: readonly string[], cb: CallbackFacts): string[] {
  if (!arg) return [];
  let n = unparen(arg);
  if (n.type === "pointer_expression") n = n.childForFieldName("argument") ?? n;
  if (n.type !== "identifier") return [];
  if (cb.facts.world.functionsNamed(n.text).length) return [n.text];
  const table = cb.table(n.text);
  return table ? slots.map((s) => table.get(s)).filter((x): x is string => !!x) : [];
}

export default defineRule({
  id: "callback-under-lock",
  type: "problem",
  severity: "check",
  confidence: "medium",
  summary: "a callback run, handed to a call that may run it, or waited for, while a lock it (or code it may call back) takes is held",
  usesTree: true,
  messages: {
    callback: "'{{callback}}()' ({{whose}}) is called with '{{lock}}' held, and {{taker}}() ({{why}}) takes it too{{as}}: a callback that calls back in deadlocks",
    viaHelper: "{{helper}}() calls '{{callback}}()' ({{whose}}) with '{{lock}}' held here, and {{taker}}() ({{why}}) takes it too{{as}}: a callback that calls back in deadlocks",
    handoff: "'{{call}}()' may run {{handler}}() before it returns, and {{handler}}() takes '{{taken}}', which is held here{{as}}: deadlock",
    wait: "'{{call}}()' waits for {{handler}}(), which takes '{{taken}}', while it is held here{{as}}: deadlock",
  },
  docs: `### What it does
Finds code that holds a lock while it runs code that may take the same lock:

- a call through a callback of another subsystem (an ops table handed in
  by a registration function of the patch, \`dax_dev->holder_ops = ops;\`,
  or a completion callback such as a \`usb_request\`'s \`->complete\`, a
  bio's \`->bi_end_io\`, a notifier's \`->notifier_call\`) made with a lock
  held that a function of the patch which other code can call (exported,
  in an ops table, or called by one that is) takes as well;
- a wait for a work item (\`cancel_work_sync()\`, \`cancel_delayed_work_sync()\`,
  \`flush_work()\`, ...) with a lock held that the work's handler takes; the
  handler is the one \`INIT_WORK()\` binds to the work, or the one that reads
  its object back with \`container_of(work, struct foo, work)\`;
- a callback of the patch handed to a call that may run it before it
  returns (\`iomap_dio_rw()\`'s \`->end_io\`) with a lock held that the
  callback takes.

Locks are compared by identity: \`foo::lock\` for a member, a global's
name, and for a wrapper the kernel does not list its family
(\`dax_read_lock()\` and \`dax_write_lock()\` are one lock). Two read sides
do not conflict; RCU and SRCU read sections are not locks here. The
kernel's lists are in \`src/c/kernel/callbacks.ts\`.

### Why is this bad?
A callback runs someone else's code, and that code is free to call back
into the subsystem that called it: re-queue a request, look the holder up,
unregister. If that path takes the lock the caller still holds, the thread
deadlocks on itself (or, for a read side, behind a waiting writer). A wait
for a work item whose handler takes the held lock never returns. Lockdep
sees it only when the path runs.

### Example
\`\`\`c
dax_read_lock();
if (dax_dev->holder_data)
	rc = dax_dev->holder_ops->notify_failure(dax_dev, offset, size, flags);
dax_read_unlock();
\`\`\`
while the exported \`dax_set_holder()\` takes \`dax_write_lock()\`.
Use instead: call the callback after dropping the lock (hold a reference
instead), as UDC drivers do around \`usb_gadget_giveback_request()\`; use a
lock that nests (SRCU); cancel or flush the work before taking the lock.

### Reviewer said
> How does the locking work here? If there's a media failure, we'll take
> dax_rwsem and call ->notify_failure. If the ->notify_failure function
> wants to access the pmem to handle the error by calling back into the
> dax code, will that cause nested locking on dax_rwsem?
> — Darrick J. Wong, "Re: [PATCH v7 2/8] dax: Introduce holder for dax_device", 14 Oct 2021,
> Message-ID <20211014180025.GC24333@magnolia>

### Known problems
It says what may happen, not what does: a callback that never calls back
in is reported all the same (check level). A lock taken by code the patch
does not show, a work handler bound where the patch does not show it, or a
callee that takes the lock deeper than two calls, is not seen; nor is a
callback reached through a function pointer variable. A lock wrapper is
recognised by its name and argument as written, so two wrappers of one
lock under different names are two locks. When the lock comes from a
caller, the finding stands at the caller's call for an outside callback,
and at the wait or hand-off for the patch's own handler. When the function
head is not shown, findings are given at low confidence.
`,
  checkCode(ctx) {
    const cb = ctx.analysis(callbackFacts);
    const lockOf = (h: HeldLock) => lockDisplay(h);
    for (const cf of ctx.cfiles) {
      const view: CView = cf.post;
      for (const call of descendantsOfType(view.root, "call_expression")) {
        const name = calleeName(call);
        const callee = call.childForFieldName("function");
        const isWait = !!name && WORK_WAITS[name] !== undefined;
        const inline = name ? INLINE_CALLBACK_CALLS[name] : undefined;
        if (!isWait && !inline && callee?.type !== "field_expression") continue;
        const f = ctx.facts.at(call, view);
        const state = f?.locks.heldAt(call);
        if (!f || !state?.size) continue;
        const held = [...state.values()].map((h) => ({ h, id: lockIdentity(h, f.ids) })).filter((x): x is { h: HeldLock; id: string } => !!x.id);
        if (!held.length) continue;
        const siteNote = (h: HeldLock) => (h.site ? [{ node: h.site, view, message: `'${lockOf(h)}' is taken here` }] : []);
        const takerNote = (t: TakenLock) => ({ node: t.site, view: t.fn.view, message: `${t.fn.name}() takes '${lockDisplay(t.lock)}' here` });

        if (isWait || inline) {
          // The patch's own handler: bound to the waited-for work, or handed to a call that may run it.
          let handlers: string[];
          if (isWait) {
            const arg = callArgs(call)[WORK_WAITS[name!]];
            const p = arg ? f.ids.path(arg) : null;
            const key = p ? f.ids.typeKey(p) : null;
            handlers = key ? cb.handlersOf(key) : [];
          } else {
            handlers = callbacksIn(callArgs(call)[inline!.arg], inline!.slots, cb);
          }
          for (const handler of handlers) {
            for (const { h, id } of held) {
              const t = cb.takesDeep(handler).find((x) => sameLock(x.id, id) && conflicts(h, x));
              if (!t) continue;
              ctx.report({
                view,
                node: call,
                messageId: isWait ? "wait" : "handoff",
                data: { call: name!, handler, taken: lockDisplay(t.lock), as: lockDisplay(t.lock) === lockOf(h) ? "" : ` as '${lockOf(h)}'` },
                related: [...siteNote(h), takerNote(t)],
                confidence: certainty(h, f, "high"),
              });
              break;
            }
          }
          continue;
        }

        const whose = foreign(callee!, f, cb);
        if (!whose) continue;
        // The struct types the callback is handed: what it can call back through.
        const handed = new Set<string>();
        for (const a of callArgs(call)) {
          const p = f.ids.path(a);
          const ty = p ? f.ids.typeOfPath(p) : null;
          if (ty) handed.add(ty);
        }
        for (const { h, id } of held) {
          const taker = outsideTaker(cb, id, h, f.fn.name, handed);
          if (!taker) continue;
          const data = { callback: callee!.text, whose, lock: lockOf(h), taker: taker.t.fn.name!, why: taker.why, as: lockDisplay(taker.t.lock) === lockOf(h) ? "" : ` (${lockDisplay(taker.t.lock)})` };
          if (h.source !== "caller") {
            ctx.report({ view, node: call, messageId: "callback", data, related: [...siteNote(h), takerNote(taker.t)], confidence: certainty(h, f, "medium") });
            break;
          }
          // The lock comes from a caller: the finding stands where the caller holds it around the helper.
          for (const site of f.fn.name ? ctx.facts.callSites(f.fn.name) : []) {
            const cf2 = ctx.facts.function(site.caller, site.view);
            const outer = [...(cf2.locks.heldAt(site.call)?.values() ?? [])].find((o) => { const oid = lockIdentity(o, cf2.ids); return !!oid && sameLock(oid, id) && o.source !== "caller"; });
            if (!outer) continue;
            ctx.report({
              view: site.view,
              node: site.call,
              messageId: "viaHelper",
              data: { ...data, helper: f.fn.name!, lock: lockOf(outer) },
              related: [
                ...(outer.site ? [{ node: outer.site, view: site.view, message: `'${lockOf(outer)}' is taken here` }] : []),
                { node: call, view, message: `'${callee!.text}()' is called here` },
                takerNote(taker.t),
              ],
              confidence: certainty(outer, cf2, "medium"),
            });
          }
          break;
        }
      }
    }
  },
});
