/**
 * BUG_ON() and what a reviewer asks for instead, as data. Read by the
 * bug-on rule through the engine.
 *
 * `BUG_ON(cond)` and `if (cond) BUG();` stop the machine (or the thread,
 * with the lock it held) when `cond` holds. Reviewers accept that only for
 * states nothing can recover from; a call that can fail, an argument a
 * caller got wrong, or a teardown that finds something odd is reported and
 * handled: `if (WARN_ON_ONCE(cond)) return -EINVAL;`.
 */

/** Macros that crash on a condition (argument 0), and the one that crashes unconditionally. */
export const BUG_ON_MACROS: ReadonlySet<string> = new Set(["BUG_ON"]);
export const BUG_MACROS: ReadonlySet<string> = new Set(["BUG"]);

/**
 * Calls that report failure in their result by design: a reference taken
 * only while the count is not zero, a module reference, a slot or id taken
 * from a pool.
 */
export const CAN_FAIL_CALLS: readonly RegExp[] = [
  /^(refcount|atomic|atomic_long|atomic64)_inc_not_zero$/,
  /^\w*_get_unless_zero$/,
  /^(try_module_get|kobject_get_unless_zero)$/,
  /^\w*_tryget(_live|_many)?$/,
  /^\w*_trylock$/,
  /^(ida|idr)_alloc(_cyclic|_min|_max|_range)?$/,
];

/** Calls in a condition that only read state: a BUG_ON on them is an invariant, not a failure. */
export const STATE_READS = /^(READ_ONCE|test_bit|atomic_read|atomic_long_read|refcount_read|kref_read|list_empty|hlist_empty|list_is_singular|spin_is_locked|mutex_is_locked|rwsem_is_locked|lockdep_is_held|irqs_disabled|in_interrupt|in_atomic|preemptible|PTR_ERR|likely|unlikely|ARRAY_SIZE|sizeof|min|max|offsetof|is_power_of_2|IS_ALIGNED|PAGE_ALIGNED)$/;

/** Return types that say "an error code": what to return instead of crashing. */
export const ERRNO_TYPES = /^(int|long|ssize_t|s32|s64|blk_status_t|vm_fault_t|irqreturn_t)$/;

/**
 * Names of calls that do something that can fail (take, add, set up, look
 * up): a BUG_ON on their result crashes on a failure the caller could
 * handle. A call with no such name is read as a state read.
 */
export const ACTION_NAME = /(^|_)(get|tryget|adopt|claim|alloc|register|init|setup|add|insert|attach|map|start|enable|create|open|reserve|probe|submit|queue|send|grab|take|acquire|bind|connect|request|load|parse|lookup|find|pin|resume|suspend|reset|configure|validate|check)(_|$)/;

/** Names that ask a question: a BUG_ON on them checks a state. */
export const QUESTION_NAME = /(^|_)(may|must|should|can|is|has|was|needs?)(_|$)/;


/** Calls with a form that cannot fail, to name instead of crashing on the failure of the one that can. */
export const CANNOT_FAIL_FORM: Readonly<Record<string, string>> = {
  bio_add_page: "__bio_add_page(), which cannot fail, when the bio was sized for the page",
  bio_add_folio: "bio_add_folio_nofail() when the bio was sized for the folio",
};
