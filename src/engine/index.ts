/**
 * Engine entry points.
 *
 *   const linter = createLinter({ rules: builtinRules, ignore, only, strict, severity });
 *   const result: MessageResult = linter.lintPatch(patch);
 *
 * createLinter is synchronous; it loads tree-sitter's native modules, and
 * throws NativeParserError (one line for the user) when they cannot be.
 * lintPatch never throws for bad input: an exception inside a rule becomes an
 * `internal error` problem on that message (and `internalError` is set), and
 * the other rules still run.
 */
export * from "./types.js";
export * from "./rule.js";
export { createLinter, ruleKey, unknownRuleMessage, UnknownRuleError, type Linter, type LinterOptions } from "./linter.js";
export { SeriesHold } from "./series.js";
export { NativeParserError } from "../c/native.js";

// What rules may use from the C layer: node types, views and the shared analyses.
export type { SyntaxNode, QueryMatch } from "../c/parser.js";
export { CView, functionName, type CFile, type EnclosingFunction } from "../c/view.js";
export { LOCK_CALLS, GUARD_CLASSES, LOCK_ASSERTIONS, guardsWriters } from "../c/kernel/locks.js";
export { isWaitCall, isRefDropCall, isUserWait, WAIT_CALLS, REF_DROP_CALLS } from "../c/kernel/waits.js";
export * as naming from "../c/kernel/naming.js";
export { isSleepingCall, SLEEPING_GFP, ATOMIC_GFP } from "../c/kernel/sleeps.js";
export { sleepsItself } from "../facts/sleeps.js";
export { ACTION_NAME, BUG_MACROS, BUG_ON_MACROS, CAN_FAIL_CALLS, CANNOT_FAIL_FORM, ERRNO_TYPES, QUESTION_NAME, STATE_READS } from "../c/kernel/bugs.js";
export { isLookupCall, isNullAlloc } from "../c/kernel/nulls.js";
export { BOOT_ONLY_ANNOTATIONS, BOOT_PARAM_MACROS, INITCALL_MACROS, INIT_FUNCTION_ANNOTATIONS, VARIABLE_PLACEMENT } from "../c/kernel/init.js";
export { COMPLETION_MEMBERS, WORK_WAITS, INLINE_CALLBACK_CALLS } from "../c/kernel/callbacks.js";
export { RCU_ACCESSORS, READ_SIDE_LOADS, ERASE_CALLS, TRY_GET_CALLS } from "../c/kernel/rcu.js";
// The semantic core: facts every rule shares (src/facts/).
export {
  PatchFacts,
  postFacts,
  preFacts,
  kernelNullSource,
  changeFacts,
  ChangeFacts,
  callbackFacts,
  CallbackFacts,
  lockIdentity,
  sameLock,
  lockDisplay,
  type TakenLock,
  holds,
  pathText,
  ownerOf,
  startsWith,
  functionComments,
  commentText,
  pathDisplay,
  listGuard,
  rcuFacts,
  type RcuModel,
  type RcuEvidence,
  type RcuCall,
  objectOf,
  onErrorLadder,
  type ListGuard,
  walkBody,
  bodySeen,
  entryLeaves,
  lockDrops,
  type LockDrop,
  runInSequence,
  fileLocal,
  fieldsOf,
  droppedAround,
  hiddenBefore,
  releasedUntaken,
  fileScope,
  callersHidden,
  type FieldAccess,
  type FieldGuard,
  type FieldLock,
  type NullTest,
  type NullSource,
  type ResultUse,
  type Analysis,
  type FunctionFacts,
  type CallSite,
  type HeldLock,
  type LockState,
  type ListRef,
  type ListUse,
  type Path,
  type Stage,
  type StatedGuard,
  type StructInfo,
} from "../facts/index.js";
export type { TreeSource, TreeRead } from "../c/whole.js";
export { exportFacts, type ExportFacts, type ExportAdded } from "../facts/exports.js";
export type { TreeFacts, BuildUnit } from "../facts/tree.js";
export { isKernelSource, isTestCode, isUserspace } from "../c/kernel/paths.js";
export { seriesTag, type SeriesInfo, type SeriesTag } from "../patch/series.js";
export { calleeName, callArgs, unparen } from "../c/syntax.js";
export { descendantsOfType } from "../c/descendants.js";
