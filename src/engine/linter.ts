import type { Patch } from "../patch/model.js";
import type { MessageResult, Severity } from "./types.js";

export interface LinterOptions {
  /** Rule ids to turn off (checkpatch --ignore). */
  ignore?: string[];
  /** Rule ids to run alone (checkpatch --types). */
  only?: string[];
  /** Keep check-level findings (checkpatch --strict). */
  strict?: boolean;
  /** Per-rule severity overrides. */
  severity?: Record<string, Severity>;
}

export interface Linter {
  lintPatch(patch: Patch): MessageResult;
}

export function createLinter(_options: LinterOptions = {}): Linter {
  throw new Error("not yet implemented");
}
