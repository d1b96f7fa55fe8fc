/**
 * Engine entry points (contract).
 *
 *   const linter = createLinter({ ignore, only, strict, severity });
 *   const result: MessageResult = linter.lintPatch(patch);
 *
 * createLinter is synchronous (tree-sitter's native binding loads at import).
 * lintPatch never throws for bad input: an exception inside a rule becomes an
 * `internal-error` problem on that message, and the other rules still run.
 */
export * from "./types.js";
export { createLinter, type Linter, type LinterOptions } from "./linter.js";
export { allRules, findRule, type RuleInfo } from "./registry.js";
