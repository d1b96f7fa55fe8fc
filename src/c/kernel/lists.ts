/**
 * The kernel's list API, as data: which calls change a list and which walk
 * one, and which of their arguments is the entry and which the head.
 * Read by ../lists.ts; rules never list these names themselves.
 */

export interface ListCall {
  op: "mutation" | "walk";
  /** Argument index of the list head, or -1 when the call names no head (list_del(entry)). */
  head: number;
  /** Argument index of the entry (`&obj->member`), or -1. */
  entry: number;
  /** For walks: the argument naming the member the entries are linked by. */
  member?: number;
  /** What a change does: puts an entry on (add, move, splice) or takes it off (del, replace). */
  change?: "add" | "del";
  /** The `_rcu` form, made for walkers that hold no lock. */
  rcu?: boolean;
  /** The `_safe` form of a walk, which survives the walker's own deletions (and nothing else). */
  safe?: boolean;
}

const table: Record<string, ListCall> = {};
const add = (names: string[], call: ListCall) =>
  names.forEach((n) => {
    const change = call.op === "walk" ? undefined : /_(del|replace)/.test(n) ? "del" : "add";
    table[n] = { ...call, change, rcu: /_rcu/.test(n), safe: /_safe/.test(n) };
  });

add(["list_add", "list_add_tail", "list_add_rcu", "list_add_tail_rcu", "hlist_add_head", "hlist_add_head_rcu", "hlist_add_tail_rcu", "list_move", "list_move_tail", "hlist_add_fake"], {
  op: "mutation", head: 1, entry: 0,
});
add(["list_del", "list_del_init", "list_del_rcu", "list_del_init_careful", "hlist_del", "hlist_del_init", "hlist_del_rcu", "hlist_del_init_rcu", "list_del_entry"], {
  op: "mutation", head: -1, entry: 0,
});
add(["list_replace", "list_replace_init", "list_replace_rcu", "hlist_replace_rcu"], { op: "mutation", head: -1, entry: 0 });
add(["list_splice", "list_splice_tail", "list_splice_init", "list_splice_tail_init", "list_splice_init_rcu", "list_splice_tail_init_rcu"], {
  op: "mutation", head: 1, entry: -1,
});
// The walks, as include/linux/list.h and rculist.h of Linux 6.12 define them (argument order included).
add([
  "list_for_each_entry", "list_for_each_entry_reverse", "list_for_each_entry_continue", "list_for_each_entry_continue_reverse",
  "list_for_each_entry_from", "list_for_each_entry_from_reverse", "list_for_each_entry_rcu", "list_for_each_entry_srcu",
  "list_for_each_entry_lockless", "list_for_each_entry_continue_rcu", "list_for_each_entry_from_rcu",
  "hlist_for_each_entry", "hlist_for_each_entry_rcu", "hlist_for_each_entry_srcu", "hlist_for_each_entry_rcu_notrace", "hlist_for_each_entry_rcu_bh",
], { op: "walk", head: 1, entry: 0, member: 2 });
// (pos, member): they go on from an entry, and name no head.
add(["hlist_for_each_entry_continue", "hlist_for_each_entry_from", "hlist_for_each_entry_continue_rcu", "hlist_for_each_entry_continue_rcu_bh", "hlist_for_each_entry_from_rcu"], {
  op: "walk", head: -1, entry: 0, member: 1,
});
add(["list_for_each_entry_safe", "list_for_each_entry_safe_reverse", "list_for_each_entry_safe_continue", "list_for_each_entry_safe_from", "hlist_for_each_entry_safe"], {
  op: "walk", head: 2, entry: 0, member: 3,
});
add(["list_for_each", "list_for_each_reverse", "list_for_each_prev", "list_for_each_continue", "list_for_each_rcu", "hlist_for_each"], { op: "walk", head: 1, entry: -1 });
add(["list_for_each_safe", "list_for_each_prev_safe", "hlist_for_each_safe"], { op: "walk", head: 2, entry: -1 });

export const LIST_CALLS: Readonly<Record<string, ListCall>> = table;

/** File-scope list heads: `static LIST_HEAD(name);`, `HLIST_HEAD(name)`. */
export const LIST_HEAD_MACROS: ReadonlySet<string> = new Set(["LIST_HEAD", "HLIST_HEAD"]);

/** Types of a list head member in a struct. */
export const LIST_HEAD_TYPES: ReadonlySet<string> = new Set(["list_head", "hlist_head"]);

/** Types of a lock member in a struct (what can guard a list beside it). */
export const LOCK_TYPES: ReadonlySet<string> = new Set(["spinlock_t", "raw_spinlock_t", "rwlock_t", "mutex", "rw_semaphore", "semaphore"]);
