/**
 * RCU as data: the accessors that read and write an RCU-protected pointer,
 * the calls that unpublish an object from RCU readers, the calls that wait
 * for (or defer to) a grace period, the calls that free memory at once, and
 * the reference "try-gets" that RCU readers use on an object they found
 * without holding a reference (Documentation/RCU/rcuref.rst).
 *
 * Data, not logic: add a name here when a new spelling shows up in patches.
 */

/** How an RCU accessor treats its pointer argument (argument 0 in every case). */
export interface RcuAccessor {
  op: "load" | "store" | "replace" | "test";
  /** A load that is only legal inside a read-side section (lockdep says so). */
  readSide?: boolean;
}

export const RCU_ACCESSORS: Readonly<Record<string, RcuAccessor>> = {
  rcu_dereference: { op: "load", readSide: true },
  rcu_dereference_bh: { op: "load", readSide: true },
  rcu_dereference_sched: { op: "load", readSide: true },
  rcu_dereference_check: { op: "load" },
  rcu_dereference_bh_check: { op: "load" },
  rcu_dereference_sched_check: { op: "load" },
  rcu_dereference_protected: { op: "load" },
  rcu_dereference_raw: { op: "load" },
  rcu_dereference_raw_check: { op: "load" },
  srcu_dereference: { op: "load" },
  srcu_dereference_check: { op: "load" },
  rcu_access_pointer: { op: "test" },
  unrcu_pointer: { op: "load" },
  rcu_pointer_handoff: { op: "load" },
  rcu_assign_pointer: { op: "store" },
  RCU_INIT_POINTER: { op: "store" },
  rcu_replace_pointer: { op: "replace" },
  rcu_swap_protected: { op: "replace" },
};

/** The read-side loads that a reviewer asks to turn into `rcu_dereference_protected()` where the updaters' lock is held. */
export const READ_SIDE_LOADS: ReadonlySet<string> = new Set(Object.keys(RCU_ACCESSORS).filter((n) => RCU_ACCESSORS[n].readSide));

/**
 * Calls that take an object away from RCU readers, with the argument that
 * is the object (or a member of it: `&e->node` is `e`). Readers that already
 * found it may still be looking at it until a grace period has passed.
 */
export const UNPUBLISH_CALLS: Readonly<Record<string, { obj: number }>> = {
  list_del_rcu: { obj: 0 },
  list_del_init_rcu: { obj: 0 },
  hlist_del_rcu: { obj: 0 },
  hlist_del_init_rcu: { obj: 0 },
  hlist_nulls_del_rcu: { obj: 0 },
  hlist_nulls_del_init_rcu: { obj: 0 },
  hlist_bl_del_rcu: { obj: 0 },
  list_replace_rcu: { obj: 0 },
  hlist_replace_rcu: { obj: 0 },
  hash_del_rcu: { obj: 0 },
};

/**
 * Stores that take the old value of an RCU pointer away from readers: the
 * pointer is argument 0 (`rcu_assign_pointer(p->x, NULL)`, `RCU_INIT_POINTER(p->x, new)`).
 */
export const POINTER_STORES: ReadonlySet<string> = new Set(["rcu_assign_pointer", "RCU_INIT_POINTER", "rcu_replace_pointer"]);

/** Lookup-table removals whose result is the object they took away from readers (`old = xa_erase(&xa, id)`). */
export const ERASE_CALLS: ReadonlySet<string> = new Set(["xa_erase", "xa_erase_irq", "xa_erase_bh", "__xa_erase", "idr_remove", "radix_tree_delete", "xa_store", "rcu_replace_pointer"]);

/** Calls that wait for a grace period, or hand the object to be freed after one. */
export const GRACE_PERIOD_CALLS: readonly RegExp[] = [
  /^synchronize_(rcu|srcu|net|sched|rcu_expedited|rcu_tasks\w*|rcu_bh)$/,
  /^(call_rcu|call_srcu|call_rcu_hurry|call_rcu_tasks\w*)$/,
  /^(kfree_rcu|kvfree_rcu|kfree_rcu_mightsleep|kvfree_rcu_mightsleep|kvfree_call_rcu|queue_rcu_work)$/,
  /^(cond_synchronize_rcu\w*|poll_state_synchronize_rcu\w*)$/,
];

/**
 * Calls whose name says they may wait for readers: a helper the patch does
 * not show may hide the grace period, so a free after one is not reported.
 */
export const MAYBE_WAITS = /synchroni[sz]e|_rcu\b|rcu_|grace|barrier|wait|quiesce/;

/** Calls that free memory at once, with the argument that is the object. */
export const FREE_CALLS: Readonly<Record<string, number>> = {
  kfree: 0,
  kvfree: 0,
  vfree: 0,
  kfree_sensitive: 0,
  kvfree_sensitive: 0,
  kzfree: 0,
  kmem_cache_free: 1,
  mempool_free: 0,
  free_page: 0,
};

/**
 * Reference "try-gets": an RCU reader that found an object without a
 * reference takes one only if the count is not already zero. The object's
 * memory must outlive the last put by a grace period, or the try-get reads
 * freed memory. The argument is the counter (`&obj->ref`).
 */
export const TRY_GET_CALLS: ReadonlySet<string> = new Set([
  "atomic_inc_not_zero",
  "atomic_long_inc_not_zero",
  "atomic64_inc_not_zero",
  "refcount_inc_not_zero",
  "kref_get_unless_zero",
  "atomic_add_unless",
  "refcount_add_not_zero",
  "percpu_ref_tryget",
  "percpu_ref_tryget_live",
]);

export const isGracePeriodCall = (name: string) => GRACE_PERIOD_CALLS.some((re) => re.test(name));
