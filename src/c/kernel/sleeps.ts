/**
 * Calls that may sleep, as data: what must not run while a spinlock is held,
 * inside rcu_read_lock(), or with preemption, interrupts or bottom halves
 * off. Read by the sleep-in-atomic rule through the engine.
 *
 * Each entry names the calls it covers, why they sleep, and examples; a test
 * (test/kernel/sleeps.test.ts) runs the rule on every example under a
 * spinlock, so an entry that matches nothing, or that the rule does not act
 * on, fails.
 */

export interface SleepEntry {
  /** The call names (whole name). */
  re: RegExp;
  /** Why they may sleep. */
  why: string;
  /** Names the entry must match (one at least). */
  examples: readonly string[];
}

/** Calls that may sleep whatever their arguments. */
export const SLEEPING: readonly SleepEntry[] = [
  { re: /^mutex_lock(_nested|_interruptible|_killable|_io)?(_nested)?$/, why: "waits for the mutex", examples: ["mutex_lock", "mutex_lock_interruptible", "mutex_lock_nested"] },
  { re: /^(down|down_interruptible|down_killable|down_timeout)$/, why: "waits for the semaphore", examples: ["down", "down_timeout"] },
  { re: /^(down_read|down_write)(_nested|_killable|_interruptible)?$/, why: "waits for the rw-semaphore", examples: ["down_read", "down_write_killable"] },
  { re: /^(msleep|msleep_interruptible|ssleep|usleep_range|usleep_range_state|fsleep)$/, why: "sleeps for a time", examples: ["msleep", "usleep_range", "fsleep"] },
  { re: /^(schedule|schedule_timeout|schedule_timeout_interruptible|schedule_timeout_uninterruptible|schedule_timeout_killable|io_schedule|io_schedule_timeout)$/, why: "schedules", examples: ["schedule", "schedule_timeout_interruptible"] },
  { re: /^wait_event(_interruptible|_killable|_timeout|_interruptible_timeout|_idle|_freezable)*$/, why: "waits on a wait queue", examples: ["wait_event", "wait_event_interruptible_timeout"] },
  { re: /^wait_for_completion(_interruptible|_killable|_timeout|_io|_io_timeout|_interruptible_timeout|_killable_timeout)?$/, why: "waits for a completion", examples: ["wait_for_completion", "wait_for_completion_timeout"] },
  { re: /^(synchronize_rcu|synchronize_srcu|synchronize_net|synchronize_irq|synchronize_rcu_expedited|rcu_barrier)$/, why: "waits for a grace period or a handler", examples: ["synchronize_rcu", "synchronize_irq"] },
  { re: /^(flush_work|flush_delayed_work|flush_workqueue|drain_workqueue|cancel_work_sync|cancel_delayed_work_sync|destroy_workqueue)$/, why: "waits for work to finish", examples: ["flush_work", "cancel_delayed_work_sync"] },
  { re: /^(copy_from_user|copy_to_user|get_user|put_user|clear_user|strncpy_from_user|memdup_user)$/, why: "may fault in user memory", examples: ["copy_from_user", "put_user"] },
  { re: /^(might_sleep|cond_resched|kthread_stop|request_firmware)$/, why: "says so, or waits for a thread or a file", examples: ["might_sleep", "cond_resched", "request_firmware"] },
  { re: /^(vmalloc|vzalloc|vfree|vmap|vunmap)$/, why: "allocates or frees page tables with GFP_KERNEL", examples: ["vmalloc", "vfree"] },
  { re: /^(unmap_mapping_range|i_mmap_lock_write|i_mmap_lock_read|lock_page|folio_lock)$/, why: "takes a sleeping lock (i_mmap_rwsem, the page lock)", examples: ["unmap_mapping_range", "lock_page"] },
  {
    re: /^(usb_control_msg|usb_control_msg_send|usb_control_msg_recv|usb_bulk_msg|usb_interrupt_msg|usb_kill_urb|usb_kill_anchored_urbs|usb_poison_urb|usb_wait_anchor_empty_timeout|usb_reset_device)$/,
    why: "waits for a USB transfer to end",
    examples: ["usb_control_msg", "usb_kill_urb", "usb_wait_anchor_empty_timeout"],
  },
];

/** Every name pattern of the table (kept for callers that want the regular expressions alone). */
export const SLEEPING_CALLS: readonly RegExp[] = SLEEPING.map((e) => e.re);

/**
 * Calls by which a function looks at its context, or at its caller's gfp
 * mask, before it decides whether to sleep: such a body is not judged.
 */
export const CONTEXT_CHECKS: ReadonlySet<string> = new Set([
  "in_interrupt", "in_irq", "in_softirq", "in_atomic", "in_task", "in_hardirq", "in_serving_softirq", "irqs_disabled",
  "preemptible", "might_sleep_if", "gfpflags_allow_blocking", "rcu_read_lock_held", "lockdep_is_held", "oops_in_progress",
]);

/** A gfp mask that allows direct reclaim: the allocation (or whatever takes it) may sleep. */
export const SLEEPING_GFP = /\b(GFP_KERNEL|GFP_NOFS|GFP_NOIO|GFP_USER|GFP_HIGHUSER|GFP_HIGHUSER_MOVABLE|GFP_KERNEL_ACCOUNT)\b/;

/** A gfp mask that never sleeps. */
export const ATOMIC_GFP = /\b(GFP_ATOMIC|GFP_NOWAIT)\b/;

export function isSleepingCall(name: string): boolean {
  return SLEEPING_CALLS.some((re) => re.test(name));
}
