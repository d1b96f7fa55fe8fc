import type { Severity } from "./types.js";

export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One-line summary for `kreview rules`. */
  summary: string;
  /** Markdown docs for `kreview explain`. */
  docs: string;
}

export function allRules(): RuleInfo[] {
  return [];
}

export function findRule(id: string): RuleInfo | undefined {
  return allRules().find((r) => r.id === id);
}
