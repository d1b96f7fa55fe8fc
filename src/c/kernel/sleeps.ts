/**
 * Calls that may sleep, as data: what must not run while a spinlock is held,
 * inside rcu_read_lock(), or with preemption, interrupts or bottom halves
 * off. Read by the sleep-in-atomic rule through the engine.
 */

/** Calls that may sleep whatever their arguments. */
export const SLEEPING_CALLS: readonly RegExp[] = [
  /^mutex_lock(_nested|_interruptible|_killable|_io)?(_nested)?$/,
  /^(down|down_interruptible|down_killable|down_timeout)$/,
  /^(down_read|down_write)(_nested|_killable|_interruptible)?$/,
  /^(msleep|msleep_interruptible|ssleep|usleep_range|usleep_range_state|fsleep)$/,
  /^(schedule|schedule_timeout|schedule_timeout_interruptible|schedule_timeout_uninterruptible|schedule_timeout_killable|io_schedule|io_schedule_timeout)$/,
  /^wait_event(_interruptible|_killable|_timeout|_interruptible_timeout|_idle|_freezable)*$/,
  /^wait_for_completion(_interruptible|_killable|_timeout|_io|_io_timeout|_interruptible_timeout|_killable_timeout)?$/,
  /^(synchronize_rcu|synchronize_srcu|synchronize_net|synchronize_irq|synchronize_rcu_expedited|rcu_barrier)$/,
  /^(flush_work|flush_delayed_work|flush_workqueue|drain_workqueue|cancel_work_sync|cancel_delayed_work_sync|destroy_workqueue)$/,
  /^(copy_from_user|copy_to_user|get_user|put_user|clear_user|strncpy_from_user|memdup_user)$/,
  /^(might_sleep|cond_resched|kthread_stop|request_firmware|msleep)$/,
  /^(vmalloc|vzalloc|vfree|vmap|vunmap)$/,
  /^(unmap_mapping_range|i_mmap_lock_write|i_mmap_lock_read|lock_page|folio_lock)$/,
];

/** A gfp mask that allows direct reclaim: the allocation (or whatever takes it) may sleep. */
export const SLEEPING_GFP = /\b(GFP_KERNEL|GFP_NOFS|GFP_NOIO|GFP_USER|GFP_HIGHUSER|GFP_HIGHUSER_MOVABLE|GFP_KERNEL_ACCOUNT)\b/;

/** A gfp mask that never sleeps. */
export const ATOMIC_GFP = /\b(GFP_ATOMIC|GFP_NOWAIT)\b/;

export function isSleepingCall(name: string): boolean {
  return SLEEPING_CALLS.some((re) => re.test(name));
}
