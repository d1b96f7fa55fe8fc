/**
 * kreview's built-in rules, by id. One module per rule; the id is the file
 * name and the fixture folder (`fixtures/<id>/`).
 */
import type { Rule } from "../src/engine/index.js";
import bitwiseOrInCondition from "./bitwise-or-in-condition.js";
import listMutationUnlocked from "./list-mutation-unlocked.js";
import nonblockingRemoveName from "./nonblocking-remove-name.js";
import opsNullDeref from "./ops-null-deref.js";
import patchFormat from "./patch-format.js";
import rcuPointerAccess from "./rcu-pointer-access.js";
import sleepInAtomic from "./sleep-in-atomic.js";
import unregisterWithoutInit from "./unregister-without-init.js";

export const builtinRules: readonly Rule[] = [bitwiseOrInCondition, listMutationUnlocked, nonblockingRemoveName, opsNullDeref, patchFormat, rcuPointerAccess, sleepInAtomic, unregisterWithoutInit].sort((a, b) => a.id.localeCompare(b.id));
