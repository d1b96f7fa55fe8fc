/**
 * Kernel annotations that tree-sitter-c does not know. Left in place they
 * derail the parse (`static int __init foo(void)` becomes a declaration of
 * `__init` followed by a function called `(void)`), so the C view blanks them
 * with spaces of the same length before parsing (columns stay true) and keeps
 * the original text for rules that ask which annotations a function carries.
 *
 * Data, not logic: add a name here when a new annotation shows up in patches.
 */

/** Annotations written as a bare word. */
export const BARE_ANNOTATIONS: readonly string[] = [
  // sections
  "__init", "__exit", "__initdata", "__exitdata", "__initconst", "__exitconst", "__ref", "__refdata",
  "__meminit", "__meminitdata", "__devinit", "__devexit", "__cpuinit", "__head",
  "__ro_after_init", "__read_mostly", "__cacheline_aligned", "__cacheline_aligned_in_smp",
  "____cacheline_aligned", "____cacheline_aligned_in_smp", "__page_aligned_data", "__page_aligned_bss",
  // address spaces and sparse
  "__user", "__kernel", "__iomem", "__percpu", "__rcu", "__force", "__bitwise", "__private", "__safe",
  "__nocast", "__must_check", "__pmem",
  // functions
  "__always_inline", "noinline", "__noinline", "__inline", "__inline__", "__cold", "__hot",
  "notrace", "__sched", "asmlinkage", "__visible", "__weak", "__noreturn", "__maybe_unused",
  "__always_unused", "__used", "__unused", "__latent_entropy", "__flatten", "noinstr", "__noclone",
  "__irq_entry", "__kprobes", "nokprobe_inline", "__fastcall", "__naked", "__no_kcsan",
  "__no_sanitize_address", "__randomize_layout", "__no_randomize_layout", "__packed", "__pure",
  "__attribute_const__", "__nocfi", "__init_or_module", "__deprecated", "__counted_by_ptr",
  // subsystem spellings of storage classes (xfs: `#define STATIC static`)
  "STATIC", "noinline_for_stack",
];

/** Annotations written with arguments, `name(...)`. */
export const CALL_ANNOTATIONS: readonly string[] = [
  "__acquires", "__releases", "__must_hold", "__cond_acquires", "__cond_releases", "__acquire", "__release",
  "__printf", "__scanf", "__aligned", "__section", "__alias", "__malloc", "__counted_by", "__guarded_by",
  "__pt_guarded_by", "__nonstring", "__alloc_size", "__diagnose_as",
];
