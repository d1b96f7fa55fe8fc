/**
 * What kernel names promise, as data: functions named like teardown or
 * registration, struct members that hold an operations table, macros whose
 * argument is a tested condition, calls that are no work of their own on a
 * path, and the phrasing of a promise not to block. Rules read these through
 * the engine; they never spell the names themselves.
 */

/** Teardown functions whose callers expect no user to remain when they return. */
export const TEARDOWN_NAME = /_(remove|destroy|unregister)$/;

/** Registration and unregistration functions of a registry. */
export const REGISTER_NAME = /(^|_)(register|add|attach|install|enroll)(_|$)/;
export const UNREGISTER_NAME = /(^|_)(unregister|remove|del|delete|detach|uninstall)(_|$)/;

/** Calls whose name says they let go of an object: drop a reference, free it, take it off. */
export const LET_GO_NAME = /(^|_)(put|unref|release|free|destroy|del|delete|remove|unlink|drop|kill|cleanup|teardown|detach|unregister)(_|$)/;

/** Members that hold an operations table (`ops`, `fops`, `holder_ops`, `callbacks`). */
export const OPS_MEMBER = /(^|_)f?ops$|operations$|(^|_)callbacks?$/;

/** Macros whose (first) argument is a condition being tested; the value is the argument index. */
export const TEST_MACROS: Readonly<Record<string, number>> = {
  WARN_ON: 0,
  WARN_ON_ONCE: 0,
  BUG_ON: 0,
  WARN: 0,
  WARN_ONCE: 0,
  unlikely: 0,
  likely: 0,
  IS_ERR_OR_NULL: 0,
  dev_WARN_ONCE: 1,
};

/** Tests that are true when the pointer is NULL (or an error pointer). */
export const NULL_WHEN_TRUE: ReadonlySet<string> = new Set(["IS_ERR_OR_NULL"]);

/** Calls that are not work of their own on a path: locking, warnings, printing, tracing. */
export const INCIDENTAL_CALL = /^(WARN\w*|BUG_ON|pr_\w+|dev_\w+|printk|trace_\w+|lockdep_\w+|might_sleep|READ_ONCE|WRITE_ONCE|likely|unlikely)$/;

/** Words that promise a function does not block or wait. */
export const SAYS_NO_WAIT = /\b(does not|doesn't|won't|will not|never|not)\s+(block|wait|sleep)|\bnon-?blocking\b|\bwithout (blocking|waiting)\b/i;

/**
 * Kernel predicates: functions whose name says they answer yes or no
 * (`of_device_is_compatible()`, `is_vmalloc_addr()`, `pci_is_pcie()`,
 * `list_empty()`); their result is a truth value, whatever type they return.
 */
export const PREDICATE_NAME = /^(is|has|can|should|needs?)_\w+$|_(is|has|can)_\w+$|^(list|hlist)_empty(_careful)?$|^\w+_(enabled|present|supported|empty|busy|pending)$/;

/** Names of functions that end an object's life: `kill_dax()`, `foo_destroy()`, `bar_release()`. */
export const LIFE_END_NAME = /^kill_\w+$|_(remove|destroy|unregister|release|free|kill|teardown|shutdown)$/;

/** Names of functions that hand an object a pointer to keep: `dax_set_holder()`, `foo_register_client()`. */
export const KEEPS_POINTER_NAME = /(^|_)(set|register|attach|bind|install|hold|claim)(_|$)/;

/**
 * Functions whose name says they set an object up (`foo_init_queue()`,
 * `uvcg_video_init()`, `bar_setup()`, `baz_probe()`): they run before the
 * object is handed to anyone else, so what they write needs no lock.
 */
export const SETUP_NAME = /(^|_)(init|setup|probe)(_|$)/;
