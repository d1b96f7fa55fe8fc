/**
 * Kernel knowledge about objects, as data: which calls give a pointer back
 * into the object that embeds a member, which allocate a new object, which
 * set one up, and which make one visible to other threads (publish it).
 * Read by the facts layer (src/facts/); rules never list these names.
 */

/** `container_of(ptr, type, member)` and kin: argument positions (-1: not given). */
export interface ContainerCall {
  ptr: number;
  type: number;
  member: number;
}

export const CONTAINER_CALLS: Readonly<Record<string, ContainerCall>> = {
  container_of: { ptr: 0, type: 1, member: 2 },
  container_of_const: { ptr: 0, type: 1, member: 2 },
  list_entry: { ptr: 0, type: 1, member: 2 },
  hlist_entry: { ptr: 0, type: 1, member: 2 },
  rb_entry: { ptr: 0, type: 1, member: 2 },
  from_timer: { ptr: 1, type: -1, member: 2 },
  timer_container_of: { ptr: 1, type: -1, member: 2 },
  from_tasklet: { ptr: 1, type: -1, member: 2 },
  from_work: { ptr: 1, type: -1, member: 2 },
};

/** The kernel's memory allocators: each returns new memory, or NULL when it fails. */
export const KMALLOC_FAMILY: readonly RegExp[] = [
  /^(kv?[mz]alloc|kv?calloc|kv?malloc_array|kv?zalloc_node|kv?malloc_node|kcalloc_node|kzalloc_obj|kmalloc_obj|krealloc|krealloc_array)$/,
  /^kmem_cache_z?alloc(_node|_lru)?$/,
  /^devm_k[mz]alloc$/,
  /^devm_kcalloc$/,
  /^devm_kmalloc_array$/,
  /^(vzalloc|vmalloc|vcalloc)(_node)?$/,
  /^(kmemdup|kstrdup|kstrndup|devm_kmemdup|devm_kstrdup|kasprintf|devm_kasprintf)$/,
];

/** Calls that return a new object nobody else has seen. */
export const ALLOC_CALLS: readonly RegExp[] = [...KMALLOC_FAMILY, /^\w+_alloc$/, /^alloc_\w+$/, /^\w+_create$/];

/** Calls that set up a member of an object: before them, nobody uses it. */
export const INIT_CALLS: ReadonlySet<string> = new Set([
  "spin_lock_init",
  "raw_spin_lock_init",
  "rwlock_init",
  "mutex_init",
  "init_rwsem",
  "sema_init",
  "seqlock_init",
  "kref_init",
  "init_completion",
  "init_waitqueue_head",
  "INIT_WORK",
  "INIT_DELAYED_WORK",
  "timer_setup",
  "xa_init",
  "xa_init_flags",
  "idr_init",
  "ida_init",
]);

/** Calls that (re)initialise a list head: set-up, unless a lock is held (then it is a reset). */
export const LIST_INIT_CALLS: ReadonlySet<string> = new Set(["INIT_LIST_HEAD", "INIT_HLIST_HEAD", "INIT_LIST_HEAD_RCU"]);

/**
 * Calls that make an object (passed as any argument, or a member of it)
 * reachable by other threads: it is published from then on.
 */
export const PUBLISH_CALLS: readonly RegExp[] = [
  /^(h?list_add\w*|hlist_add\w*|list_move\w*|list_splice\w*)$/,
  /^(xa_store|xa_insert|xa_cmpxchg|__xa_store|__xa_insert|xa_alloc\w*)$/,
  /^(idr_alloc\w*|idr_replace|ida_\w*|radix_tree_insert|interval_tree_insert|rb_link_node|rb_insert_color\w*|rb_add\w*|hash_add\w*)$/,
  /^(device_add|device_register|cdev_add|cdev_device_add|kobject_add|kobject_init_and_add|platform_device_add|misc_register)$/,
  /^(queue_work|queue_delayed_work|schedule_work|schedule_delayed_work|mod_timer|add_timer|kthread_run|wake_up_process|call_rcu|kfree_rcu)$/,
  /^(request_irq|request_threaded_irq|devm_request_irq|devm_request_threaded_irq)$/,
  /^(dev_set_drvdata|platform_set_drvdata|pci_set_drvdata|i2c_set_clientdata|usb_set_intfdata|spi_set_drvdata)$/,
  /^(rcu_assign_pointer|WRITE_ONCE|smp_store_release|xchg|cmpxchg)$/,
  /(^|_)(register|publish|enqueue)(_\w+)?$/,
];

export const isAllocCall = (name: string) => ALLOC_CALLS.some((re) => re.test(name));
export const isPublishCall = (name: string) => PUBLISH_CALLS.some((re) => re.test(name));

/** Calls that drop a reference and are true (non-zero) when it was the last one. */
export const LAST_PUT_CALLS: readonly RegExp[] = [
  /^refcount_dec_and_(test|lock|mutex_lock|lock_irqsave)$/,
  /^atomic(64|_long)?_dec_and_test$/,
  /^kref_put(_lock|_mutex)?$/,
  /^local_dec_and_test$/,
];

export const isLastPutCall = (name: string) => LAST_PUT_CALLS.some((re) => re.test(name));

/**
 * Calls that register a function to run when an object is torn down, with
 * the argument positions of the function and of the object it is handed:
 * that function's parameter is dying (nobody else uses it any more).
 */
export const TEARDOWN_REGISTRATIONS: Readonly<Record<string, { fn: number; data: number }>> = {
  devm_add_action: { fn: 1, data: 2 },
  devm_add_action_or_reset: { fn: 1, data: 2 },
  call_rcu: { fn: 1, data: 0 },
  call_srcu: { fn: 2, data: 1 },
  kref_put: { fn: 1, data: 0 },
};

/** Ops-table members whose function runs after the last reference went (`.release = foo_release`). */
export const RELEASE_SLOTS: ReadonlySet<string> = new Set(["release", "free", "dev_release", "free_inode", "destroy_inode"]);
