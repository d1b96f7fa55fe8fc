/**
 * Where a callback runs, as data: a function handed to one of these
 * registrations, or stored in one of these ops slots, runs in atomic
 * context (it may not sleep), and so does everything it calls. Read by the
 * lock facts (src/facts/), which give such a function the context as a held
 * "lock" on entry, so a rule sees it as it sees a spinlock taken above.
 *
 * Only registrations whose callback is atomic on every kernel are listed:
 * `request_threaded_irq()`'s thread function, `request_any_context_irq()`,
 * workqueue items and `irq_bus_lock`/`irq_bus_sync_unlock` may sleep, and are
 * not here.
 */
import type { LockKind } from "./locks.js";

export interface AtomicContext {
  /** What the callback is, for a message: "an interrupt handler". */
  what: string;
  /** The context it runs in, as a lock kind: `irq` (interrupts off) or `bh` (softirq). */
  kind: Extract<LockKind, "irq" | "bh">;
}

/** Registration call → the argument that is the callback, and the context it runs in. */
export const ATOMIC_REGISTRATIONS: Readonly<Record<string, AtomicContext & { fn: number }>> = {
  request_irq: { fn: 1, what: "an interrupt handler", kind: "irq" },
  devm_request_irq: { fn: 2, what: "an interrupt handler", kind: "irq" },
  // The primary (hard) handler; the thread function (the next argument) may sleep.
  request_threaded_irq: { fn: 1, what: "a hard interrupt handler", kind: "irq" },
  devm_request_threaded_irq: { fn: 2, what: "a hard interrupt handler", kind: "irq" },
  request_percpu_irq: { fn: 1, what: "an interrupt handler", kind: "irq" },
  timer_setup: { fn: 1, what: "a timer callback", kind: "bh" },
  setup_timer: { fn: 1, what: "a timer callback", kind: "bh" },
  hrtimer_setup: { fn: 1, what: "an hrtimer callback", kind: "irq" },
  tasklet_init: { fn: 1, what: "a tasklet", kind: "bh" },
  tasklet_setup: { fn: 1, what: "a tasklet", kind: "bh" },
  call_rcu: { fn: 1, what: "an RCU callback", kind: "bh" },
  call_rcu_hurry: { fn: 1, what: "an RCU callback", kind: "bh" },
};

/**
 * Ops structure → the members whose callbacks run in atomic context. The
 * irq_chip callbacks run with the descriptor's raw spinlock held and
 * interrupts off (see Documentation/core-api/genericirq.rst).
 */
export const ATOMIC_SLOTS: Readonly<Record<string, { members: readonly string[] } & AtomicContext>> = {
  irq_chip: {
    members: ["irq_startup", "irq_shutdown", "irq_enable", "irq_disable", "irq_ack", "irq_mask", "irq_mask_ack", "irq_unmask", "irq_eoi", "irq_set_type", "irq_retrigger", "irq_set_wake"],
    what: "an irq_chip callback",
    kind: "irq",
  },
};
