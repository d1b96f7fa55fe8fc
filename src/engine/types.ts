/**
 * Engine contracts: findings and per-message results, shared with the reporters.
 */
import type { MessageKind, Patch } from "../patch/model.js";

export type Severity = "error" | "warning" | "check";
export type Confidence = "high" | "medium" | "low";

export interface RelatedLocation {
  message: string;
  file: string;
  /** Post-image line, or null when unknown. */
  line: number | null;
  column: number | null;
  /** 1-based line of the input (the mail / patch file). */
  patchLine: number | null;
}

export interface Suggestion {
  /** What the fix does, in words ("use '||' for a logical or"). */
  message: string;
  /** The replacement text for the reported range. */
  replacement: string;
  /** Post-image range it replaces (1-based line, 1-based column, end exclusive). */
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  applicability: "machine-applicable" | "maybe-incorrect";
}

export interface Finding {
  rule: string;
  /** The rule's message id the finding was made from (for tests; not part of the JSON output). */
  messageId?: string;
  severity: Severity;
  /** One line, lower case, no trailing period (as checkpatch and Clippy write them). */
  message: string;
  /** Path in the patch (post-image path), "" for findings about the whole message. */
  file: string;
  /** Post-image line, or null when unknown (a trimmed quote with no `@@` line). */
  line: number | null;
  /** 1-based column, or null. */
  column: number | null;
  /**
   * The name of the function the finding stands in, or null (file scope, a
   * finding about the whole message, or a function the patch does not name).
   */
  function: string | null;
  /** 1-based line of the input: the mail or patch file line on which the finding stands. */
  patchLine: number | null;
  /** The text of the patch line the finding is on (without its `+`), for reporters. */
  sourceLine?: string;
  /** The patch line's kind, for reporters that echo it (`+`, `-`, ` `). */
  sourceKind?: "+" | "-" | " ";
  confidence: Confidence;
  related: RelatedLocation[];
  suggestion?: Suggestion;
}

/** What kreview made of one message of one input. */
export interface MessageResult {
  source: string;
  index: number;
  messageId: string;
  subject: string;
  kind: MessageKind;
  findings: Finding[];
  /** Input problems that are not findings: decoding trouble, an unreadable message's reason. */
  problems: string[];
  /** The commit the message was made from (kreview --git): its full sha; patch lines count within that commit's patch. */
  commit?: string;
  /** Number of lines of the message, for checkpatch's "N lines checked". */
  lineCount: number;
  /** Set when kreview itself failed on this message (a rule threw); the CLI exits 2. Not part of the JSON output. */
  internalError?: boolean;
  /**
   * What series grouping and the series-wide rules need of a patch or cover
   * letter (only when such a rule runs): its threading, and per rule what
   * the rule kept of it. Not part of the JSON output.
   */
  series?: {
    role: "patch" | "cover";
    inReplyTo: string;
    references: string[];
    from: string;
    data: Record<string, unknown>;
    /** A series finding may stand on this patch: its result waits for the series to close. */
    waits: boolean;
  };
  /** How many findings a baseline (`--baseline`) took out of `findings`; set only when one is in use. Counted in the totals. */
  suppressed?: number;
  /** The patch itself, kept only for reporters that quote it (the email reply). Not part of the JSON output. */
  patch?: Patch;
}

export interface Summary {
  messages: number;
  patches: number;
  errors: number;
  warnings: number;
  checks: number;
}

/** An empty summary, to count messages into one at a time. */
export function emptySummary(): Summary {
  return { messages: 0, patches: 0, errors: 0, warnings: 0, checks: 0 };
}

/** Count one message's result into a summary. */
export function addToSummary(s: Summary, r: MessageResult): Summary {
  s.messages++;
  if (r.kind === "patch") s.patches++;
  for (const f of r.findings) {
    if (f.severity === "error") s.errors++;
    else if (f.severity === "warning") s.warnings++;
    else s.checks++;
  }
  return s;
}

export function summarize(results: readonly MessageResult[]): Summary {
  const s = emptySummary();
  for (const r of results) addToSummary(s, r);
  return s;
}
