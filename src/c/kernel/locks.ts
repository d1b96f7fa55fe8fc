/**
 * Kernel locking calls, as data. The lock-context analysis (../locks.ts)
 * reads this table; rules never list lock functions themselves.
 *
 * `arg` is the index of the argument naming the lock; -1 for locks with no
 * argument (rcu_read_lock), which get the fixed key in `key`.
 */

export type LockKind = "spinlock" | "rwlock" | "mutex" | "rwsem" | "semaphore" | "rcu" | "srcu" | "seqlock" | "preempt" | "irq" | "bh";

/**
 * Kinds that keep other writers out. A read-side section (RCU, SRCU) and a
 * disabled context (preemption, interrupts, bottom halves) do not: they make
 * a section atomic, but guard no list or field against another CPU's writer.
 */
export function guardsWriters(kind: LockKind | "custom"): boolean {
  return !(kind === "rcu" || kind === "srcu" || kind === "preempt" || kind === "irq" || kind === "bh");
}

export interface LockCall {
  op: "acquire" | "release";
  kind: LockKind;
  arg: number;
  /** For locks without an argument: the key that names them. */
  key?: string;
  /** Sleeping is forbidden while this lock is held. */
  atomic: boolean;
  /** Shared (reader) side of a reader/writer lock. */
  shared?: boolean;
  /** Acquire that may fail and returns non-zero when it took the lock (trylock). */
  conditional?: "nonzero-taken" | "zero-taken";
}

const table: Record<string, LockCall> = {};

function family(names: string[], call: LockCall) {
  for (const n of names) table[n] = call;
}

const spinSuffixes = ["", "_irq", "_irqsave", "_bh", "_nested", "_irqsave_nested", "_nest_lock"];
family(spinSuffixes.map((s) => `spin_lock${s}`), { op: "acquire", kind: "spinlock", arg: 0, atomic: true });
family(["spin_unlock", "spin_unlock_irq", "spin_unlock_irqrestore", "spin_unlock_bh"], { op: "release", kind: "spinlock", arg: 0, atomic: true });
family(spinSuffixes.map((s) => `raw_spin_lock${s}`), { op: "acquire", kind: "spinlock", arg: 0, atomic: true });
family(["raw_spin_unlock", "raw_spin_unlock_irq", "raw_spin_unlock_irqrestore", "raw_spin_unlock_bh"], { op: "release", kind: "spinlock", arg: 0, atomic: true });
family(["spin_trylock", "raw_spin_trylock", "spin_trylock_irqsave", "spin_trylock_bh", "spin_trylock_irq"], {
  op: "acquire", kind: "spinlock", arg: 0, atomic: true, conditional: "nonzero-taken",
});
for (const side of ["read", "write"] as const) {
  family(["", "_irq", "_irqsave", "_bh"].map((s) => `${side}_lock${s}`), { op: "acquire", kind: "rwlock", arg: 0, atomic: true, shared: side === "read" });
  family(["", "_irq", "_irqrestore", "_bh"].map((s) => `${side}_unlock${s}`), { op: "release", kind: "rwlock", arg: 0, atomic: true, shared: side === "read" });
}
family(["mutex_lock", "mutex_lock_nested", "mutex_lock_io", "mutex_lock_interruptible", "mutex_lock_killable", "mutex_lock_interruptible_nested", "mutex_lock_killable_nested"], {
  op: "acquire", kind: "mutex", arg: 0, atomic: false,
});
table["mutex_trylock"] = { op: "acquire", kind: "mutex", arg: 0, atomic: false, conditional: "nonzero-taken" };
table["mutex_unlock"] = { op: "release", kind: "mutex", arg: 0, atomic: false };
family(["down_read", "down_read_nested", "down_read_killable", "down_read_interruptible"], { op: "acquire", kind: "rwsem", arg: 0, atomic: false, shared: true });
family(["down_write", "down_write_nested", "down_write_killable"], { op: "acquire", kind: "rwsem", arg: 0, atomic: false });
table["down_read_trylock"] = { op: "acquire", kind: "rwsem", arg: 0, atomic: false, shared: true, conditional: "nonzero-taken" };
table["down_write_trylock"] = { op: "acquire", kind: "rwsem", arg: 0, atomic: false, conditional: "nonzero-taken" };
table["up_read"] = { op: "release", kind: "rwsem", arg: 0, atomic: false, shared: true };
table["up_write"] = { op: "release", kind: "rwsem", arg: 0, atomic: false };
family(["down", "down_interruptible", "down_killable"], { op: "acquire", kind: "semaphore", arg: 0, atomic: false });
table["down_trylock"] = { op: "acquire", kind: "semaphore", arg: 0, atomic: false, conditional: "zero-taken" };
table["up"] = { op: "release", kind: "semaphore", arg: 0, atomic: false };
family(["rcu_read_lock", "rcu_read_lock_bh", "rcu_read_lock_sched"], { op: "acquire", kind: "rcu", arg: -1, key: "rcu", atomic: true, shared: true });
family(["rcu_read_unlock", "rcu_read_unlock_bh", "rcu_read_unlock_sched"], { op: "release", kind: "rcu", arg: -1, key: "rcu", atomic: true, shared: true });
table["srcu_read_lock"] = { op: "acquire", kind: "srcu", arg: 0, atomic: false, shared: true };
table["srcu_read_unlock"] = { op: "release", kind: "srcu", arg: 0, atomic: false, shared: true };
family(["write_seqlock", "write_seqlock_irq", "write_seqlock_irqsave", "write_seqlock_bh"], { op: "acquire", kind: "seqlock", arg: 0, atomic: true });
family(["write_sequnlock", "write_sequnlock_irq", "write_sequnlock_irqrestore", "write_sequnlock_bh"], { op: "release", kind: "seqlock", arg: 0, atomic: true });

// Disabled contexts: atomic sections with no lock to name.
family(["preempt_disable", "preempt_disable_notrace"], { op: "acquire", kind: "preempt", arg: -1, key: "preempt", atomic: true });
family(["preempt_enable", "preempt_enable_no_resched", "preempt_enable_notrace"], { op: "release", kind: "preempt", arg: -1, key: "preempt", atomic: true });
family(["local_irq_disable", "local_irq_save"], { op: "acquire", kind: "irq", arg: -1, key: "irqs off", atomic: true });
family(["local_irq_enable", "local_irq_restore"], { op: "release", kind: "irq", arg: -1, key: "irqs off", atomic: true });
family(["local_bh_disable"], { op: "acquire", kind: "bh", arg: -1, key: "bh off", atomic: true });
family(["local_bh_enable"], { op: "release", kind: "bh", arg: -1, key: "bh off", atomic: true });

export const LOCK_CALLS: Readonly<Record<string, LockCall>> = table;

/**
 * `guard(NAME)(&lock)` and `scoped_guard(NAME, &lock)` classes
 * (include/linux/cleanup.h users): the guard's name → the kind of lock.
 */
export const GUARD_CLASSES: Readonly<Record<string, { kind: LockKind; atomic: boolean; shared?: boolean; noArg?: string }>> = {
  spinlock: { kind: "spinlock", atomic: true },
  spinlock_irq: { kind: "spinlock", atomic: true },
  spinlock_irqsave: { kind: "spinlock", atomic: true },
  spinlock_bh: { kind: "spinlock", atomic: true },
  raw_spinlock: { kind: "spinlock", atomic: true },
  raw_spinlock_irq: { kind: "spinlock", atomic: true },
  raw_spinlock_irqsave: { kind: "spinlock", atomic: true },
  read_lock: { kind: "rwlock", atomic: true, shared: true },
  write_lock: { kind: "rwlock", atomic: true },
  mutex: { kind: "mutex", atomic: false },
  mutex_intr: { kind: "mutex", atomic: false },
  rwsem_read: { kind: "rwsem", atomic: false, shared: true },
  rwsem_write: { kind: "rwsem", atomic: false },
  rcu: { kind: "rcu", atomic: true, shared: true, noArg: "rcu" },
  srcu: { kind: "srcu", atomic: false, shared: true },
};

/** Assertions that a lock is held (`lockdep_assert_held(&l)`): evidence of which lock guards what. */
export const LOCK_ASSERTIONS: ReadonlySet<string> = new Set([
  "lockdep_assert_held",
  "lockdep_assert_held_write",
  "lockdep_assert_held_read",
  "lockdep_assert_held_once",
  "assert_spin_locked",
  "WARN_ON_ONCE_lockdep_assert_held",
]);
