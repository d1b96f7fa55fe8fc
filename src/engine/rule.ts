/**
 * The rule-module contract.
 *
 * A rule is one module in `rules/`: its metadata (id, severity, confidence,
 * one-line summary, message templates, docs) and its behaviour, either
 * tree-sitter node-type visitors over each C file of a patch (`create`), or a
 * check over the whole patch (`checkPatch`), or both. Rules are pure: no I/O,
 * no console, no state kept between calls of `create`.
 */
import type { SyntaxNode, QueryMatch } from "../c/parser.js";
import type { CFile, CView } from "../c/view.js";
import type { Analysis, ChangeFacts, PatchFacts } from "../facts/index.js";
import type { FileDiff, Patch, PatchLine } from "../patch/model.js";
import type { SeriesInfo } from "../patch/series.js";
import type { TreeFacts } from "../facts/tree.js";
import type { Confidence, Finding, Severity } from "./types.js";

export type RuleType = "problem" | "suggestion" | "style";

/** Visitors keyed by tree-sitter node type; a key ending in `:exit` runs when the walk leaves the node. */
export type Visitors = Record<string, (node: SyntaxNode) => void>;

export interface Rule<M extends string = string> {
  /** kebab-case; reads well in `--ignore bitwise-or-in-condition`. */
  id: string;
  type: RuleType;
  severity: Severity;
  /** How sure the rule is when it fires, as Coccinelle headers say it. */
  confidence: Confidence;
  /** One line for `kreview rules`. */
  summary: string;
  /** Message templates by id; `{{name}}` is filled from the report's data. */
  messages: Record<M, string>;
  /**
   * Markdown with the headings, in order: `### What it does`, `### Why is this bad?`,
   * `### Example` (with "Use instead:"), `### Reviewer said`, `### Known problems`.
   */
  docs: string;
  /**
   * True when the rule looks past the lines the patch shows (the function
   * around a hunk, its head, its callers and callees, the rest of the file):
   * with the kernel tree it reads whole files and says more, without it it
   * says less. The report says so when no tree was found.
   */
  usesTree?: boolean;
  /** Which lines a finding may stand on: added lines only (default), or any line shown. */
  reportOn?: "added" | "any";
  /** Tree-sitter queries by name, compiled once per process on first use. */
  queries?: Record<string, string>;
  /** Called once per C file of a patch; returns the visitors for its post-image tree. */
  create?(ctx: RuleContext<M>): Visitors;
  /** Called once per patch, for checks about the message or the whole patch. */
  checkPatch?(ctx: PatchContext<M>): void;
  /**
   * Called once per patch that has C, for points that stand on the facts of
   * every C file at once (a list changed in one file and walked in another):
   * a finding may stand in any C file of the patch, its related locations in
   * any other.
   */
  checkCode?(ctx: CodeContext<M>): void;
  /**
   * Points that need every patch of a series at once: an export that no
   * patch of the series uses, a helper added in one patch and used in none.
   * `collect` runs on each patch that has C, beside the other rules, and
   * keeps what the check will need of it; `check` runs once per series, when
   * it is complete or can no longer grow, over what was kept.
   */
  series?: SeriesRule<M>;
}

/** A place in a patch a series finding can stand on, kept from `collect` to `check`. */
export type Site = Pick<Finding, "file" | "line" | "column" | "function" | "patchLine" | "sourceLine" | "sourceKind">;

export interface SeriesRule<M extends string = string, S = unknown> {
  /**
   * What the series check needs of one patch, as plain data (it may cross
   * threads, and is kept until the series ends: keep it small). Undefined
   * when the patch holds nothing of interest.
   */
  collect(ctx: CollectContext): S | undefined;
  /**
   * Whether a finding of the check may stand on this patch (default: when
   * collect kept anything). A patch no finding can stand on is handed on
   * without waiting for its series to close.
   */
  standsOn?(data: S): boolean;
  check(ctx: SeriesContext<M, S>): void;
}

/** What every context over a whole patch's C offers: the patch, its C files and the shared facts. */
export interface PatchScope {
  readonly patch: Patch;
  readonly cfiles: readonly CFile[];
  readonly facts: PatchFacts;
  readonly preFacts: PatchFacts;
  readonly changes: ChangeFacts;
  analysis<T>(a: Analysis<T>): T;
}

export interface CollectContext extends PatchScope {
  /** Where a node stands in the patch, for a finding made later; null when it is on no line the patch shows. */
  site(node: SyntaxNode, view: CView): Site | null;
}

export interface SeriesMember<S = unknown> {
  /** The `[PATCH vN M/T]` part, null when unnumbered. */
  part: number | null;
  subject: string;
  data: S | undefined;
}

export interface SeriesReportDescriptor<M extends string> {
  /** Which member the finding belongs to (its position in `members`). */
  member: number;
  messageId: M;
  data?: Record<string, string | number>;
  site: Site;
  related?: { site: Site; message: string }[];
  confidence?: Confidence;
  /**
   * The finding rests on what the series does not show (a missing patch may
   * change it): reported at check level, as `--strict` shows, unless the
   * user set the rule's level.
   */
  demote?: boolean;
}

export interface SeriesContext<M extends string = string, S = unknown> {
  /** The series as grouped: version, announced total, parts missing, whether it is complete. */
  readonly series: SeriesInfo;
  readonly members: readonly SeriesMember<S>[];
  /** The kernel tree, when there is one: where names are used, how files are built. */
  readonly tree: TreeFacts | null;
  report(d: SeriesReportDescriptor<M>): void;
}

export interface Related {
  node: SyntaxNode;
  message: string;
  /** The view the node belongs to (default: the post-image of the file reported on); it names the file. */
  view?: CView;
}

export interface SuggestDescriptor {
  message: string;
  /** Replaces the text of `node` (default: the reported node). */
  replacement: string;
  node?: SyntaxNode;
  applicability?: "machine-applicable" | "maybe-incorrect";
}

export interface ReportDescriptor<M extends string> {
  node: SyntaxNode;
  messageId: M;
  data?: Record<string, string | number>;
  related?: Related[];
  suggest?: SuggestDescriptor;
  /** Lower than the rule's own when this finding rests on less evidence. */
  confidence?: Confidence;
  /** The view the node belongs to (default: the post-image). */
  view?: CView;
  /** Report at this row and column of the view instead of the node's start (a line inside a long comment). */
  at?: { row: number; column: number };
  /**
   * The finding is about what the patch removed (a check, a lock): it may
   * stand on a context line, the nearest line the patch still shows, when
   * the rule reports on added lines only.
   */
  removal?: boolean;
}

export interface RuleContext<M extends string = string> {
  readonly patch: Patch;
  readonly file: FileDiff;
  readonly cfile: CFile;
  /** Every C file of the patch (for facts that live in another file, such as a struct in a header). */
  readonly cfiles: readonly CFile[];
  readonly post: CView;
  readonly pre: CView | null;
  /** The semantic core's facts about the patch's post-images (locks, identities, lists, stages), shared by every rule. */
  readonly facts: PatchFacts;
  /** The same facts about the pre-images: what the code did before the patch. */
  readonly preFacts: PatchFacts;
  /** What the patch changed: removed tests, calls that left their lock, removed waits. */
  readonly changes: ChangeFacts;
  /** A per-patch analysis, computed on first use and shared by every rule. */
  analysis<T>(a: Analysis<T>): T;
  report(d: ReportDescriptor<M>): void;
  /** Run one of the rule's named queries over a node (default: the post-image root). */
  query(name: string, root?: SyntaxNode): QueryMatch[];
}

export interface CodeReportDescriptor<M extends string> extends ReportDescriptor<M> {
  /** The view the finding stands in: it names the file (post-image of any C file of the patch, or a pre-image). */
  view: CView;
}

export interface CodeContext<M extends string = string> extends PatchScope {
  report(d: CodeReportDescriptor<M>): void;
}

export interface PatchReportDescriptor<M extends string> {
  messageId: M;
  data?: Record<string, string | number>;
  /** File path in the patch, "" for the whole message. */
  file: string;
  /** The patch line the finding is about, when there is one. */
  line?: PatchLine | null;
  /** Input line, when there is no patch line. */
  inputLine?: number | null;
  confidence?: Confidence;
}

export interface PatchContext<M extends string = string> {
  readonly patch: Patch;
  readonly cfiles: readonly CFile[];
  report(d: PatchReportDescriptor<M>): void;
}

/** Identity helper that types message ids from the literal (as typescript-eslint's createRule). */
export function defineRule<const M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

/** The headings every rule's docs must have, in this order. */
export const DOC_HEADINGS = [
  "### What it does",
  "### Why is this bad?",
  "### Example",
  "### Reviewer said",
  "### Known problems",
] as const;
