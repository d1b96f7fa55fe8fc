/**
 * kreview's built-in rules, by id. One module per rule; the id is the file
 * name and the fixture folder (`fixtures/<id>/`).
 */
import type { Rule } from "../src/engine/index.js";
import bitwiseOrInCondition from "./bitwise-or-in-condition.js";
import bugOn from "./bug-on.js";
import callbackUnderLock from "./callback-under-lock.js";
import exportWithoutUser from "./export-without-user.js";
import holderNotCleared from "./holder-not-cleared.js";
import listMutationUnlocked from "./list-mutation-unlocked.js";
import nonblockingRemoveName from "./nonblocking-remove-name.js";
import opsNullDeref from "./ops-null-deref.js";
import optionalOpsCheck from "./optional-ops-check.js";
import patchFormat from "./patch-format.js";
import rcuPointerAccess from "./rcu-pointer-access.js";
import roAfterInit from "./ro-after-init.js";
import safeIteratorMisuse from "./safe-iterator-misuse.js";
import sleepInAtomic from "./sleep-in-atomic.js";
import unlockedSharedUpdate from "./unlocked-shared-update.js";
import unregisterWithoutInit from "./unregister-without-init.js";

export const builtinRules: readonly Rule[] = [
  bitwiseOrInCondition,
  bugOn,
  callbackUnderLock,
  exportWithoutUser,
  holderNotCleared,
  listMutationUnlocked,
  nonblockingRemoveName,
  opsNullDeref,
  optionalOpsCheck,
  patchFormat,
  rcuPointerAccess,
  roAfterInit,
  safeIteratorMisuse,
  sleepInAtomic,
  unlockedSharedUpdate,
  unregisterWithoutInit,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)); // code-unit order: localeCompare would load ICU's collator at start-up
