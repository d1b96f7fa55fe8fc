/**
 * Callbacks and the calls around them, as data: which struct members are a
 * completion or notification callback that belongs to whoever handed the
 * object in, which calls wait for a work item's handler, which macros bind a
 * handler to a work item, which calls may run a callback handed to them
 * before they return, and the macros that export a function. The callback
 * facts (../../facts/callbacks.ts) read these; rules never list the names.
 */

/**
 * Members that hold a completion or notification callback of the object's
 * owner, not of the code that calls it: a gadget driver's `usb_request`
 * `->complete`, a bio's `->bi_end_io`, an iocb's `->ki_complete`, a
 * notifier's `->notifier_call`. Calling one runs another subsystem's code,
 * which may call back in.
 */
export const COMPLETION_MEMBERS: ReadonlySet<string> = new Set(["complete", "ki_complete", "bi_end_io", "end_io", "notifier_call"]);

/** Calls that wait for a work item's handler to finish, by the index of the work argument. */
export const WORK_WAITS: Readonly<Record<string, number>> = {
  cancel_work_sync: 0,
  cancel_delayed_work_sync: 0,
  flush_work: 0,
  flush_delayed_work: 0,
  disable_work_sync: 0,
  disable_delayed_work_sync: 0,
  kthread_cancel_work_sync: 0,
  kthread_cancel_delayed_work_sync: 0,
  kthread_flush_work: 0,
};

/** Macros that bind a handler to a work item: the index of the work and of the handler. */
export const WORK_INITS: Readonly<Record<string, { work: number; fn: number }>> = {
  INIT_WORK: { work: 0, fn: 1 },
  INIT_WORK_ONSTACK: { work: 0, fn: 1 },
  INIT_DELAYED_WORK: { work: 0, fn: 1 },
  INIT_DELAYED_WORK_ONSTACK: { work: 0, fn: 1 },
  INIT_DEFERRABLE_WORK: { work: 0, fn: 1 },
  INIT_RCU_WORK: { work: 0, fn: 1 },
  kthread_init_work: { work: 0, fn: 1 },
  kthread_init_delayed_work: { work: 0, fn: 1 },
  DECLARE_WORK: { work: 0, fn: 1 },
  DECLARE_DELAYED_WORK: { work: 0, fn: 1 },
};

/** The parameter type of a work handler. */
export const WORK_PARAM_TYPES: ReadonlySet<string> = new Set(["work_struct", "kthread_work"]);

/**
 * Calls that may run a callback handed to them before they return, by the
 * index of the argument that carries it (a function, or an ops table whose
 * `slots` hold it): `iomap_dio_rw()` calls `->end_io` inline when the IO
 * completes before it returns, and always for a synchronous iocb.
 */
export const INLINE_CALLBACK_CALLS: Readonly<Record<string, { arg: number; slots: readonly string[] }>> = {
  iomap_dio_rw: { arg: 3, slots: ["end_io"] },
  __iomap_dio_rw: { arg: 3, slots: ["end_io"] },
};

/** Macros that export a function to other modules. */
export const EXPORT_MACROS = /^EXPORT_(SYMBOL|SYMBOL_GPL|SYMBOL_NS|SYMBOL_NS_GPL|SYMBOL_FOR_MODULES|GPL_SYMBOL)$/;
