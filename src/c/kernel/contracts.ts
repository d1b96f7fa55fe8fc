/**
 * How kernel code states its locking in words, as data: the phrasing of
 * comments that say a function runs with a lock held, and of comments at a
 * struct member or a list head that say which lock protects it. Read by the
 * facts layer (src/facts/contracts.ts).
 *
 * Each pattern captures the lock expression in group 1. A lock expression is
 * a C path (`dev->lock`, `&foo_mutex`, `ctx->lock`) or a bare member name.
 */

const LOCK = String.raw`&?([A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*)*)(?:\(\))?`;

/** A function's doc comment or first comment: it is called with the lock held. */
export const HELD_ON_ENTRY: readonly RegExp[] = [
  new RegExp(String.raw`\b(?:must|should|has to|needs to) be called with\s+(?:the\s+)?${LOCK}\s+(?:lock\s+|mutex\s+|spinlock\s+)?(?:held|locked|taken|acquired)`, "i"),
  new RegExp(String.raw`\bcalled (?:with|under)\s+(?:the\s+)?${LOCK}\s+(?:lock\s+|mutex\s+)?(?:held|locked|taken|acquired)?`, "i"),
  new RegExp(String.raw`\bcaller(?:s)?\s+(?:must\s+|should\s+)?(?:hold|holds|has taken|have taken|takes|take|acquires|must acquire)\s+(?:the\s+)?${LOCK}`, "i"),
  new RegExp(String.raw`\b(?:with|under)\s+(?:the\s+)?${LOCK}\s+(?:lock\s+|mutex\s+)?(?:held|locked)\b`, "i"),
  new RegExp(String.raw`\b${LOCK}\s+(?:must|should) be (?:held|locked|taken)`, "i"),
  new RegExp(String.raw`\bContext:.*?\b${LOCK}\s+(?:held|locked)`, "i"),
  new RegExp(String.raw`\bLocking:\s*(?:the\s+)?(?:caller holds\s+)?${LOCK}`, "i"),
  new RegExp(String.raw`\bhold(?:ing)?\s+(?:the\s+)?${LOCK}\s+(?:lock\s+)?(?:is required|required)`, "i"),
];

/** A comment at a member or a list head: which lock protects it. */
export const PROTECTED_BY: readonly RegExp[] = [
  new RegExp(String.raw`\b(?:protected|guarded|seriali[sz]ed|synchroni[sz]ed|covered|locked)\s+(?:by|with|under)\s+(?:the\s+)?${LOCK}`, "i"),
  new RegExp(String.raw`\b(?:under|requires|needs|hold)\s+(?:the\s+)?${LOCK}\s*(?:lock|mutex|spinlock)?\b`, "i"),
  new RegExp(String.raw`^\s*${LOCK}\s+(?:must be )?held\b`, "i"),
];

/** A comment at a lock member: what it protects ("protects foo_list and bar"). */
export const PROTECTS = /\b(?:protects|guards|serialises|serializes|protecting|for)\s+([\w\s,>.\-&]+)/i;

/** Words in a lock phrase that are not lock names. */
export const NOT_A_LOCK: ReadonlySet<string> = new Set([
  "the", "a", "an", "this", "that", "it", "its", "locks", "rcu", "irqs", "interrupts",
  "preemption", "care", "caution", "no", "any", "all", "some", "appropriate", "proper", "relevant", "same", "both",
  "either", "one", "which", "what", "caller", "callers", "held", "locked", "is", "be",
]);

/** A function's comment: it runs where no lock is needed (at init, before anyone else sees the object). */
export const NO_LOCK_NEEDED: readonly RegExp[] = [
  /\b(?:doesn't|does not|don't|do not|need not|needn't|no need to)\s+(?:need\s+(?:to\s+)?)?(?:hold|take|grab|acquire)\s+(?:a\s+|any\s+|the\s+)?lock/i,
  /\bno lock(?:ing)?\s+(?:is\s+)?(?:needed|required|necessary)\b/i,
  /\b(?:without|no)\s+(?:any\s+)?locking\s+(?:since|because|as)\b/i,
  /\b(?:lock(?:ing)?|locks?)\s+(?:is\s+|are\s+)?not\s+(?:needed|required|necessary)\b/i,
];
