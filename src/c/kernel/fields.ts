/**
 * Kernel knowledge about writes to fields, as data: which calls write a
 * field in place (the argument that names it), and which writes are meant
 * to race (marked lockless or atomic). Read by the field-write facts
 * (src/facts/fields.ts); rules never list these names.
 */

/**
 * Calls that write a field of their argument with plain, non-atomic stores:
 * the argument position of the field (`__set_bit(nr, &x->flags)` writes
 * `x->flags`), and for helpers that write a member of the object they are
 * handed, that member (`mapping_set_large_folios(m)` does
 * `__set_bit(AS_LARGE_FOLIO_SUPPORT, &m->flags)`).
 */
export const PLAIN_WRITE_CALLS: Readonly<Record<string, { arg: number; member?: string }>> = {
  __set_bit: { arg: 1 },
  __clear_bit: { arg: 1 },
  __change_bit: { arg: 1 },
  __assign_bit: { arg: 1 },
  __test_and_set_bit: { arg: 1 },
  __test_and_clear_bit: { arg: 1 },
  bitmap_set: { arg: 0 },
  bitmap_clear: { arg: 0 },
  bitmap_zero: { arg: 0 },
  bitmap_fill: { arg: 0 },
  mapping_set_large_folios: { arg: 0, member: "flags" },
  mapping_clear_large_folios: { arg: 0, member: "flags" },
  mapping_set_folio_order_range: { arg: 0, member: "flags" },
  mapping_set_folio_min_order: { arg: 0, member: "flags" },
  mapping_set_gfp_mask: { arg: 0, member: "gfp_mask" },
};

/**
 * Writes that are meant to run without the lock: a marked store
 * (`WRITE_ONCE()`, `smp_store_release()`), an atomic read-modify-write.
 * A field written so is written locklessly on purpose, and a plain write
 * elsewhere is not one of them either way: these are never counted as the
 * race a reviewer asks about.
 */
export const LOCKLESS_WRITE_CALLS: readonly RegExp[] = [
  /^(WRITE_ONCE|smp_store_release|smp_store_mb|rcu_assign_pointer|RCU_INIT_POINTER|xchg\w*|cmpxchg\w*|try_cmpxchg\w*)$/,
  /^(atomic|atomic64|atomic_long|refcount|local|local64)_\w+$/,
  /^(set_bit|clear_bit|change_bit|test_and_set_bit|test_and_clear_bit|test_and_change_bit|assign_bit|set_mask_bits|clear_bit_unlock|set_bit_lock|test_and_set_bit_lock)$/,
];

export const isLocklessWrite = (name: string) => LOCKLESS_WRITE_CALLS.some((re) => re.test(name));

/**
 * Lock wrappers that take a lock which lives in the object they are handed:
 * `filemap_invalidate_lock(mapping)` is `down_write(&mapping->invalidate_lock)`.
 * The lock is named as that member, so that a write under the wrapper and
 * one under the bare lock are seen to hold the same thing.
 */
export const MEMBER_LOCK_WRAPPERS: Readonly<Record<string, { op: "acquire" | "release"; arg: number; member: string; shared?: boolean }>> = {
  filemap_invalidate_lock: { op: "acquire", arg: 0, member: "invalidate_lock" },
  filemap_invalidate_unlock: { op: "release", arg: 0, member: "invalidate_lock" },
  filemap_invalidate_lock_shared: { op: "acquire", arg: 0, member: "invalidate_lock", shared: true },
  filemap_invalidate_unlock_shared: { op: "release", arg: 0, member: "invalidate_lock", shared: true },
  inode_lock: { op: "acquire", arg: 0, member: "i_rwsem" },
  inode_unlock: { op: "release", arg: 0, member: "i_rwsem" },
  inode_lock_shared: { op: "acquire", arg: 0, member: "i_rwsem", shared: true },
  inode_unlock_shared: { op: "release", arg: 0, member: "i_rwsem", shared: true },
};
