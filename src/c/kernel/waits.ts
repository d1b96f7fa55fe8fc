/**
 * Calls that wait for other users of an object to finish, and calls that
 * drop a reference. Data for the rules about teardown; rules never list
 * these names themselves.
 */



/**
 * The waits whose removal from a teardown function is a finding of its own:
 * waits for users to finish (not `*_sync` calls in general, such as
 * `pm_runtime_put_sync()`).
 */
export const USER_WAITS: readonly RegExp[] = [
  /^wait_event(_\w+)?$/,
  /^wait_var_event(_\w+)?$/,
  /^wait_for_completion(_\w+)?$/,
  /^synchronize_(\w+_)?(rcu|srcu|sched|net|irq)(_\w+)?$/,
  /^(rcu|srcu)_barrier(_\w+)?$/,
  /^flush_(work|delayed_work|workqueue|scheduled_work|rcu_work)$/,
  /^cancel_(delayed_)?work_sync$/,
  /^drain_workqueue$/,
  /^kthread_stop$/,
];

/** A call that does not return before concurrent users (callbacks, readers, work) are done. */
export const WAIT_CALLS: readonly RegExp[] = [...USER_WAITS, /^destroy_workqueue$/, /^free_irq$/, /^\w+_sync$/];

/** A call that drops a reference and reports (or acts on) the last one going. */
export const REF_DROP_CALLS: readonly RegExp[] = [
  /^refcount_dec_and_(test|lock|mutex_lock|lock_irqsave)$/,
  /^kref_put(_lock|_mutex)?$/,
  /^atomic(64|_long)?_dec_and_test$/,
  /^percpu_ref_put(_many)?$/,
];

export function isWaitCall(name: string): boolean {
  return WAIT_CALLS.some((re) => re.test(name));
}

export function isRefDropCall(name: string): boolean {
  return REF_DROP_CALLS.some((re) => re.test(name));
}

export function isUserWait(name: string): boolean {
  return USER_WAITS.some((re) => re.test(name));
}
