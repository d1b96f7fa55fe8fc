import { calleeName, defineRule, isSleepingCall, pathDisplay, SLEEPING_GFP, sleepsItself, type HeldLock, descendantsOfType } from "../src/engine/index.js";

const WHAT: Record<string, string> = { spinlock: "spinlock", rwlock: "rwlock", seqlock: "seqlock", rcu: "RCU read-side section", preempt: "preemption disabled", irq: "interrupts disabled", bh: "bottom halves disabled" };

/** The atomic context held here on every path that the function itself entered (or its callers did, mapped). */
function atomicHeld(state: ReadonlyMap<string, HeldLock>): HeldLock | null {
  for (const h of state.values()) if (h.atomic && h.kind !== "custom" && (h.must || h.source === "caller") && h.source !== "comment") return h;
  return null;
}

export default defineRule({
  id: "sleep-in-atomic",
  type: "problem",
  severity: "error",
  confidence: "high",
  summary: "a call that may sleep while a spinlock is held, inside rcu_read_lock(), or with preemption, interrupts or bottom halves off",
  usesTree: true,
  messages: {
    sleeps: "'{{call}}()' may sleep, but {{what}} '{{lock}}' is held here: sleeping in atomic context",
    gfp: "'{{call}}()' with {{gfp}} may sleep, but {{what}} '{{lock}}' is held here: use GFP_ATOMIC, or call it outside",
    context: "'{{call}}()' may sleep, but this runs with {{what}}: sleeping in atomic context",
    inherited: "'{{call}}()'{{gfp}} may sleep, but '{{fn}}()' is {{origin}} ({{how}}) and runs in atomic context",
    nowUnder: "'{{call}}()'{{gfp}} may sleep, and the patch now makes this call with {{what}} '{{lock}}' held",
    callee: "'{{call}}()' may sleep ({{chain}}), but {{what}} '{{lock}}' is held here",
    calleeInherited: "'{{call}}()' may sleep ({{chain}}), but '{{fn}}()' is {{origin}} ({{how}}) and runs in atomic context",
  },
  docs: `### What it does
Finds a call that may sleep (\`mutex_lock()\`, \`msleep()\`, \`usleep_range()\`,
\`wait_event*()\`, \`wait_for_completion*()\`, \`synchronize_rcu()\`, \`flush_work()\`,
\`copy_from_user()\`, \`vmalloc()\`, \`unmap_mapping_range()\`, ...; a table in
\`src/c/kernel/sleeps.ts\`), or any call handed a gfp mask that may reclaim
(\`GFP_KERNEL\`, \`GFP_NOFS\`, \`GFP_NOIO\`), made where a spinlock, rwlock or
seqlock is held, inside \`rcu_read_lock()\`, or with preemption, interrupts or
bottom halves disabled, on every path to it. What is held comes from the
shared lock facts: the calls and guards of the function, the locks its
callers in the patch hold around the call, and the context a function is
registered to run in (an interrupt handler given to \`request_irq()\`, a
timer or tasklet callback, an RCU callback, an \`irq_chip\` callback: a table
in \`src/c/kernel/contexts.ts\`), which passes on to what it calls. An
unchanged call is reported when the patch puts a spinlock around it.

### Why is this bad?
A sleeping call schedules: with a spinlock held the next taker spins
forever on one CPU, inside \`rcu_read_lock()\` the grace period stalls, with
interrupts off the machine stops answering. Lockdep and
\`CONFIG_DEBUG_ATOMIC_SLEEP\` catch it only when the path runs.

### Example
\`\`\`c
spin_lock_irqsave(&hba->lock, flags);
while (!ready(hba))
	msleep(10);
spin_unlock_irqrestore(&hba->lock, flags);
\`\`\`
Use instead: wait outside the lock (\`readl_poll_timeout_atomic()\` or
\`udelay()\` inside it), or allocate with \`GFP_ATOMIC\`, or allocate before taking
the lock.

### Reviewer said
> > There are some users of ->attr.open that can block and hence can't operate
> > under rcu_read_lock. [...] The unmapping operation can block in i_mmap_lock_write.
>
> Yes. [...] so we can bloody well walk that list, blocking as much as we want.
> We don't need rcu_read_lock() there - we are already holding the mutex used
> by writers for exclusion among themselves.
> — Al Viro, "Re: [RESEND PATCH v7 1/8] kernfs: Introduce interface to access global kernfs_open_file_mutex.", 5 Apr 2022

### Known problems
A lock taken above a hunk whose function head is not shown is not seen (the
rule then says nothing), nor is a registration the patch does not show (a
handler registered in another file, or through a wrapper). A call that
sleeps only in a callee the patch does not show is not seen. A callback
that checks its context before sleeping (\`if (!in_interrupt())\`) is
reported all the same. \`mutex_trylock()\` and
\`GFP_ATOMIC\` do not sleep and are not reported.
`,
  checkCode(ctx) {
    for (const cf of ctx.cfiles) {
      const view = cf.post;
      for (const call of descendantsOfType(view.root, "call_expression")) {
        const added = view.isAdded(call);
        // An unchanged call is looked at only where a hunk shows it (the patch may have put a lock around it).
        if (!added && !view.lineOf(call)) continue;
        const name = calleeName(call);
        if (!name) continue;
        const argText = call.childForFieldName("arguments")?.text ?? "";
        const gfp = SLEEPING_GFP.exec(argText);
        const sleeps = sleepsItself(call);
        // A call that does not sleep by itself may sleep in what it calls: asked only for an added call made in atomic context.
        if (!sleeps && !added) continue;
        const f = ctx.facts.at(call, view);
        const state = f?.locks.heldAt(call);
        const held = state && atomicHeld(state);
        if (!f || !held) continue;
        if (!sleeps) {
          const chain = ctx.facts.sleeps.chain(name, cf.file.newPath ?? cf.file.oldPath ?? "");
          // A sleep on a line the patch adds is reported there, where the callee is entered with the lock.
          if (!chain || chain.added) continue;
          const lock = held.path ? pathDisplay(held.path) : held.key;
          const file = cf.file.newPath ?? "";
          const via = `it calls ${chain.calls.slice(1).map((c) => `'${c}()'`).join(", which calls ")}${chain.file !== file ? ` in ${chain.file}` : ""}`;
          const o = held.origin;
          if (o) {
            ctx.report({
              view, node: call, messageId: "calleeInherited", confidence: "medium",
              data: { call: name, chain: via, fn: o.fn, origin: o.what, how: o.how },
              related: [{ node: o.node, view: o.view, message: `'${o.fn}()' is registered here` }],
            });
          } else {
            ctx.report({
              view, node: call, messageId: "callee", confidence: "medium",
              data: { call: name, chain: via, what: WHAT[held.kind] ?? held.kind, lock },
              related: held.site ? [{ node: held.site, view, message: `'${lock}' is taken here` }] : [],
            });
          }
          continue;
        }
        if (!added) {
          // The call was there before: a finding only when the patch put it under the atomic context.
          const before = ctx.changes.stateBefore(call, f.fn);
          if (before === undefined || before === null || atomicHeld(before) || !held.site || !view.isAdded(held.site)) continue;
        }
        const lock = held.path ? pathDisplay(held.path) : held.key;
        const what = WHAT[held.kind] ?? held.kind;
        const related = held.site ? [{ node: held.site, view, message: `'${lock}' is taken here` }] : [];
        const confidence = held.source === "caller" ? "medium" : undefined;
        const withGfp = !isSleepingCall(name) && gfp ? ` with ${gfp[1]}` : "";
        const o = held.origin;
        if (o) {
          const via = o.fn === f.fn.name ? [] : [{ node: f.fn.node, view, message: `'${f.fn.name}()' is called from '${o.fn}()'` }];
          ctx.report({
            view, node: call, messageId: "inherited", data: { call: name, gfp: withGfp, fn: o.fn, origin: o.what, how: o.how },
            related: [{ node: o.node, view: o.view, message: `'${o.fn}()' is registered here` }, ...via], confidence,
          });
        } else if (!added) {
          ctx.report({ view, node: call, messageId: "nowUnder", data: { call: name, gfp: withGfp, what, lock }, related, confidence, removal: true });
        } else if (["preempt", "irq", "bh"].includes(held.kind)) {
          ctx.report({ view, node: call, messageId: "context", data: { call: name, what }, related, confidence });
        } else if (!isSleepingCall(name) && gfp) {
          ctx.report({ view, node: call, messageId: "gfp", data: { call: name, gfp: gfp[1], what, lock }, related, confidence });
        } else {
          ctx.report({ view, node: call, messageId: "sleeps", data: { call: name, what, lock }, related, confidence });
        }
      }
    }
  },
});
