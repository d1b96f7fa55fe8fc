/**
 * The linter: runs the enabled rules over each patch and turns their reports
 * into findings on patch lines. Synchronous, no I/O.
 */
import { compileQuery, cNodeTypes, type SyntaxNode, type QueryMatch } from "../c/parser.js";
import { descendantsOfType, encloses } from "../c/descendants.js";
import { loadNative } from "../c/native.js";
import { buildCFiles, type CFile, type CView } from "../c/view.js";
import type { TreeSource } from "../c/whole.js";
import { changeFacts, postFacts, preFacts, type Analysis, type ChangeFacts, type PatchFacts } from "../facts/index.js";
import type { FileDiff, Patch, PatchLine } from "../patch/model.js";
import type { CodeContext, CodeReportDescriptor, CollectContext, PatchContext, ReportDescriptor, Rule, RuleContext, SeriesReportDescriptor, Site, Visitors, PatchReportDescriptor } from "./rule.js";
import { seriesTag, type SeriesInfo } from "../patch/series.js";
import { isCoverLetterSubject } from "../patch/message.js";
import { treeFacts, type TreeFacts } from "../facts/tree.js";
import type { Confidence, Finding, MessageResult, RelatedLocation, Severity } from "./types.js";

export interface LinterOptions {
  /** The rules to choose from (the CLI passes kreview's built-in rules). */
  rules: readonly Rule[];
  /** Rule ids to turn off (checkpatch --ignore); any case, `_` for `-` (ruleKey). */
  ignore?: string[];
  /** Rule ids to run alone (checkpatch --types); spelled as `ignore`. */
  only?: string[];
  /** Keep check-level findings (checkpatch --strict). */
  strict?: boolean;
  /** Per-rule severity overrides, keyed by rule ids spelled as `ignore`. */
  severity?: Record<string, Severity>;
  /** The kernel tree the patches apply to: C views are then built from whole files. */
  tree?: TreeSource;
}

export interface Linter {
  /** The rules this linter runs. */
  readonly rules: readonly Rule[];
  lintPatch(patch: Patch): MessageResult;
  /** True when some enabled rule needs a whole series (the caller must then keep the patches). */
  readonly wantsSeries: boolean;
  /**
   * Run the series-wide rules over one series, the results of its patches
   * in part order (what `lintPatch` kept of each for them, in
   * `result.series`), and add their findings to those results.
   */
  lintSeries(series: SeriesInfo, results: MessageResult[]): void;
}

export class UnknownRuleError extends Error {}

/**
 * The rule id a user's spelling names: ids are matched without regard to
 * case, and `_` stands for `-`, so checkpatch habits (`--ignore BUG_ON`,
 * `--types Bitwise-Or-In-Condition`) name kreview's kebab-case ids.
 */
export function ruleKey(spelling: string): string {
  return spelling.trim().toLowerCase().replace(/_/g, "-");
}

/** The one-line message for a rule id that names no rule; an UPPER_CASE one is likely a checkpatch type. */
export function unknownRuleMessage(spelling: string): string {
  const hint = /^[A-Z][A-Z0-9_]*$/.test(spelling) && spelling.includes("_") ? "; checkpatch's message types are not kreview's rules" : "";
  return `unknown rule '${spelling}' (see 'kreview rules'${hint})`;
}

export function createLinter(options: LinterOptions): Linter {
  // The native parser is needed by every patch: a failure to load it is told now, not as each message's internal error.
  loadNative();
  const known = new Map(options.rules.map((r) => [r.id, r]));
  const idOf = (spelling: string): string => {
    const id = ruleKey(spelling);
    if (!known.has(id)) throw new UnknownRuleError(unknownRuleMessage(spelling));
    return id;
  };
  const ignore = new Set((options.ignore ?? []).map(idOf));
  const onlyIds = (options.only ?? []).map(idOf);
  // In the order given: a later setting of the same rule, in any spelling, wins.
  const levels = new Map<string, Severity>();
  for (const [spelling, level] of Object.entries(options.severity ?? {})) levels.set(idOf(spelling), level);
  const only = onlyIds.length ? new Set(onlyIds) : null;
  const rules = options.rules.filter((r) => (!only || only.has(r.id)) && !ignore.has(r.id));
  const severityOf = (r: Rule): Severity => levels.get(r.id) ?? r.severity;
  const keepChecks = options.strict === true;
  const seriesRules = rules.filter((r) => r.series);
  let treeFactsOf: TreeFacts | undefined;

  return {
    rules,
    wantsSeries: rules.some((r) => r.series),
    lintSeries(series, results) {
      const members = results.map((r) => ({ part: seriesTag(r.subject)?.part ?? null, subject: r.subject }));
      const tree = options.tree ? (treeFactsOf ??= treeFacts(options.tree)) : null;
      for (const rule of rules) {
        if (!rule.series) continue;
        try {
          rule.series.check({
            series,
            members: members.map((m, i) => ({ ...m, data: results[i].series?.data[rule.id] })),
            tree,
            report(d) {
              const target = results[d.member];
              if (!target) throw new Error(`rule ${rule.id} reported on member ${d.member} of ${results.length}`);
              if (!d.site) throw new Error(`rule ${rule.id} reported with no site`);
              const f = siteFinding(rule, d);
              f.severity = d.demote && !levels.has(rule.id) ? "check" : severityOf(rule);
              if (f.severity === "check" && !keepChecks) return;
              target.findings.push(f);
            },
          });
        } catch (e) {
          const first = results[0];
          if (first) internalError(first, `rule ${rule.id}`, e);
        }
      }
      for (const r of results) r.findings = sortFindings(dedupe(r.findings));
    },
    lintPatch(patch) {
      const result: MessageResult = {
        source: patch.source,
        index: patch.index,
        messageId: patch.messageId,
        subject: patch.subject,
        kind: patch.kind,
        findings: [],
        problems: patch.problems.filter((p) => p.kind === "input").map((p) => p.message),
        lineCount: patch.lineCount,
      };
      if (patch.kind === "unreadable") {
        if (patch.reason) result.problems.push(patch.reason);
        return result;
      }
      let cfiles: CFile[] = [];
      try {
        cfiles = buildCFiles(patch, { tree: patch.kind === "patch" ? options.tree : undefined, problems: result.problems });
      } catch (e) {
        internalError(result, "C view", e);
      }
      const findings: Finding[] = [];
      const shared = new Analyses(patch, cfiles, patch.kind === "patch" ? options.tree : undefined);
      const sinkOf = (rule: Rule) => (f: Finding) => {
        f.severity = severityOf(rule);
        if (f.severity === "check" && !keepChecks) return;
        findings.push(f);
      };
      const failed = new Set<Rule>();
      const fail = (rule: Rule, e: unknown) => {
        if (failed.has(rule)) return;
        failed.add(rule);
        internalError(result, `rule ${rule.id}`, e);
      };
      for (const rule of rules) {
        try {
          if (rule.checkPatch) rule.checkPatch(patchContext(rule, patch, cfiles, sinkOf(rule)));
        } catch (e) {
          fail(rule, e);
        }
      }
      if (cfiles.length > 0) {
        for (const rule of rules) {
          if (!rule.checkCode || failed.has(rule)) continue;
          try {
            rule.checkCode(codeContext(rule, patch, cfiles, shared, sinkOf(rule)));
          } catch (e) {
            fail(rule, e);
          }
        }
      }
      const visiting = rules.filter((r) => r.create);
      for (const cf of cfiles) runVisitors(visiting, patch, cf, cfiles, shared, sinkOf, failed, fail);
      if (seriesRules.length > 0 && (patch.kind === "patch" || isCoverLetterSubject(patch.subject))) {
        const data: Record<string, unknown> = {};
        let waits = false;
        if (patch.kind === "patch" && cfiles.length > 0) {
          for (const rule of seriesRules) {
            if (failed.has(rule)) continue;
            try {
              const d = rule.series!.collect(collectContext(patch, cfiles, shared));
              if (d === undefined) continue;
              data[rule.id] = d;
              waits ||= rule.series!.standsOn?.(d) ?? true;
            } catch (e) {
              fail(rule, e);
            }
          }
        }
        const role = patch.kind === "patch" ? "patch" : "cover";
        result.series = { role, inReplyTo: patch.inReplyTo, references: patch.references, from: patch.fromAddress, data, waits };
      }
      result.findings = sortFindings(dedupe(findings));
      return result;
    },
  };
}

function internalError(result: MessageResult, where: string, e: unknown) {
  const msg = e instanceof Error ? e.message : String(e);
  result.problems.push(`internal error in ${where}: ${msg}`);
  result.internalError = true;
}

function fill(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => {
    if (!data || !(k in data)) throw new Error(`message placeholder '${k}' has no data`);
    return String(data[k]);
  });
}

function messageOf(rule: Rule, messageId: string, data?: Record<string, string | number>): string {
  const t = (rule.messages as Record<string, string>)[messageId];
  if (t === undefined) throw new Error(`rule ${rule.id} reported unknown messageId '${messageId}'`);
  return fill(t, data);
}

const validated = new WeakSet<Rule>();
const queryCache = new WeakMap<Rule, Map<string, ReturnType<typeof compileQuery>>>();

function validateVisitors(rule: Rule, visitors: Visitors) {
  if (validated.has(rule)) return;
  const types = cNodeTypes();
  for (const key of Object.keys(visitors)) {
    const type = key.endsWith(":exit") ? key.slice(0, -5) : key;
    if (!types.has(type)) throw new Error(`rule ${rule.id} visits unknown node type '${type}'`);
  }
  validated.add(rule);
}

/** Compile (once per process) and return a rule's named query. */
export function ruleQuery(rule: Rule, name: string) {
  let cache = queryCache.get(rule);
  if (!cache) queryCache.set(rule, (cache = new Map()));
  let q = cache.get(name);
  if (!q) {
    const src = rule.queries?.[name];
    if (src === undefined) throw new Error(`rule ${rule.id} has no query '${name}'`);
    q = compileQuery(src);
    cache.set(name, q);
  }
  return q;
}

function locate(view: CView, node: SyntaxNode): { line: PatchLine | null; column: number } {
  return { line: view.lineOf(node), column: node.startPosition.column + 1 };
}

type Handler = (node: SyntaxNode) => void;

/**
 * Run every rule's visitors over one file's post-image in a single walk. A
 * rule that throws is reported once and skipped for the rest of the patch;
 * the other rules go on.
 */
function runVisitors(
  rules: readonly Rule[],
  patch: Patch,
  cfile: CFile,
  cfiles: readonly CFile[],
  shared: Analyses,
  sinkOf: (rule: Rule) => (f: Finding) => void,
  failed: Set<Rule>,
  fail: (rule: Rule, e: unknown) => void,
) {
  const enter = new Map<string, Handler[]>();
  const exit = new Map<string, Handler[]>();
  for (const rule of rules) {
    if (failed.has(rule)) continue;
    let visitors: Visitors;
    try {
      visitors = rule.create!(ruleContext(rule, patch, cfile, cfiles, shared, sinkOf(rule)));
      validateVisitors(rule, visitors);
    } catch (e) {
      fail(rule, e);
      continue;
    }
    for (const [key, fn] of Object.entries(visitors)) {
      const guarded: Handler = (node) => {
        if (failed.has(rule)) return;
        try {
          fn(node);
        } catch (e) {
          fail(rule, e);
        }
      };
      const isExit = key.endsWith(":exit");
      const map = isExit ? exit : enter;
      const type = isExit ? key.slice(0, -5) : key;
      const list = map.get(type);
      if (list) list.push(guarded);
      else map.set(type, [guarded]);
    }
  }
  walk(cfile.post.root, enter, exit);
}

/**
 * The per-patch analyses: each computed on first use by any rule and kept for
 * the rest of the patch (`ctx.analysis(def)`), the semantic core's facts first.
 */
class Analyses {
  private readonly results = new Map<string, unknown>();
  /** What every rule context of the patch offers of these analyses, as property descriptors (withShared). */
  readonly part: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(sharedPart(this));

  constructor(
    private readonly patch: Patch,
    private readonly cfiles: readonly CFile[],
    private readonly tree: TreeSource | undefined,
  ) {}

  get<T>(a: Analysis<T>): T {
    if (!this.results.has(a.id)) this.results.set(a.id, a.compute({ patch: this.patch, cfiles: this.cfiles, tree: this.tree, get: (b) => this.get(b) }));
    return this.results.get(a.id) as T;
  }

  get changes(): ChangeFacts {
    return this.get(changeFacts);
  }

  get facts(): PatchFacts {
    return this.get(postFacts);
  }

  get preFacts(): PatchFacts {
    return this.get(preFacts);
  }
}

/**
 * Give a rule context what every context offers of the shared analyses
 * (kept as getters: computed on first use), described once per patch. Not
 * as a prototype: one object per patch made a prototype raised peak RSS
 * over nvdimm twice (-j 2) from 469 to 567 MB.
 */
function withShared<T extends object>(ctx: T, shared: Analyses) {
  return Object.defineProperties(ctx, shared.part) as T & SharedPart;
}

type SharedPart = ReturnType<typeof sharedPart>;

function sharedPart(shared: Analyses) {
  return {
    get facts() {
      return shared.facts;
    },
    get preFacts() {
      return shared.preFacts;
    },
    get changes() {
      return shared.changes;
    },
    analysis: <T>(a: Analysis<T>) => shared.get(a),
  };
}

function ruleContext(rule: Rule, patch: Patch, cfile: CFile, cfiles: readonly CFile[], shared: Analyses, sink: (f: Finding) => void): RuleContext {
  const own = {
    patch,
    file: cfile.file,
    cfile,
    cfiles,
    post: cfile.post,
    get pre() {
      return cfile.pre;
    },
    query(name: string, root?: SyntaxNode): QueryMatch[] {
      return ruleQuery(rule, name).matches(root ?? cfile.post.root);
    },
    report(d: ReportDescriptor<string>) {
      const f = nodeFinding(rule, d.view ?? cfile.post, d);
      if (f) sink(f);
    },
  };
  return withShared(own, shared);
}

function codeContext(rule: Rule, patch: Patch, cfiles: readonly CFile[], shared: Analyses, sink: (f: Finding) => void): CodeContext {
  const own = {
    patch,
    cfiles,
    report(d: CodeReportDescriptor<string>) {
      const f = nodeFinding(rule, d.view, d);
      if (f) sink(f);
    },
  };
  return withShared(own, shared);
}

function collectContext(patch: Patch, cfiles: readonly CFile[], shared: Analyses): CollectContext {
  const own = withShared(
    {
      patch,
      cfiles,
      site(node: SyntaxNode, view: CView): Site | null {
        const { line, column } = locate(view, node);
        if (!line) return null;
        const no = view.side === "post" ? line.newNo : line.oldNo;
        const fn = view.enclosingFunction(node)?.name ?? null;
        return { file: view.file.path, line: no, column: no === null ? null : column, function: fn, patchLine: line.inputLine, sourceLine: line.text, sourceKind: line.kind };
      },
    },
    shared,
  );
  return own;
}

/** A series rule's report, as a finding on the site it kept. */
function siteFinding(rule: Rule, d: SeriesReportDescriptor<string>): Finding {
  return {
    rule: rule.id,
    messageId: d.messageId,
    severity: rule.severity,
    message: messageOf(rule, d.messageId, d.data),
    ...d.site,
    confidence: d.confidence ?? rule.confidence,
    related: (d.related ?? []).map((r) => ({ message: r.message, file: r.site.file, line: r.site.line, column: r.site.column, patchLine: r.site.patchLine })),
  };
}

/** A report on a node of a view, as a finding on its patch line; null when the line is not one to report on. */
function nodeFinding(rule: Rule, view: CView, d: ReportDescriptor<string>): Finding | null {
  const file = view.file;
  const { line, column } = d.at ? { line: view.lineAt(d.at.row), column: d.at.column + 1 } : locate(view, d.node);
  if (!line) return null; // synthetic or blank row: nothing in the patch to point at
  if ((rule.reportOn ?? "added") === "added" && line.kind !== "+" && !(d.removal && line.kind === " ")) return null;
  const related: RelatedLocation[] = (d.related ?? []).map((r) => {
    const rv = r.view ?? view;
    const loc = locate(rv, r.node);
    // A line only the tree shows is still a line of the file: its row says which.
    const no = loc.line ? (rv.side === "post" ? loc.line.newNo : loc.line.oldNo) : rv.whole ? r.node.startPosition.row + 1 : null;
    return {
      message: r.message,
      file: rv.file.path,
      line: no,
      column: loc.line && no !== null ? loc.column : null,
      patchLine: loc.line?.inputLine ?? null,
    };
  });
  const lineNo = view.side === "post" ? line.newNo : line.oldNo;
  const at = d.at ? view.root.descendantForPosition({ row: d.at.row, column: d.at.column }) : d.node;
  const f: Finding = {
    rule: rule.id,
    messageId: d.messageId,
    severity: rule.severity,
    message: messageOf(rule, d.messageId, d.data),
    file: file.path,
    line: lineNo,
    // A column means something only beside a line number (docs/json-output.md).
    column: lineNo === null ? null : column,
    function: view.enclosingFunction(at)?.name ?? null,
    patchLine: line.inputLine,
    sourceLine: line.text,
    sourceKind: line.kind,
    confidence: d.confidence ?? rule.confidence,
    related,
  };
  if (d.suggest) {
    const target = d.suggest.node ?? d.node;
    const endLine = view.lineAt(target.endPosition.row);
    f.suggestion = {
      message: d.suggest.message,
      replacement: d.suggest.replacement,
      line: line.newNo,
      column: line.newNo === null ? null : target.startPosition.column + 1,
      endLine: endLine?.newNo ?? null,
      endColumn: endLine?.newNo == null ? null : target.endPosition.column + 1,
      applicability: d.suggest.applicability ?? "maybe-incorrect",
    };
  }
  return f;
}

/**
 * Depth-first walk calling enter and `:exit` handlers, over the nodes of
 * the types someone handles only (making a node object for every node costs
 * more than the parse): they come in document order from the tree's index
 * (src/c/descendants.ts), and a node is left once the next one is not
 * inside it.
 */
function walk(root: SyntaxNode, enter: Map<string, Handler[]>, exit: Map<string, Handler[]>) {
  if (enter.size === 0 && exit.size === 0) return;
  const open: SyntaxNode[] = [];
  const leave = (done: SyntaxNode) => {
    for (const h of exit.get(done.type)!) h(done);
  };
  for (const node of descendantsOfType(root, [...new Set([...enter.keys(), ...exit.keys()])])) {
    while (open.length > 0 && !encloses(open[open.length - 1]!, node)) leave(open.pop()!);
    const type = node.type;
    for (const h of enter.get(type) ?? []) h(node);
    if (exit.has(type)) open.push(node);
  }
  while (open.length > 0) leave(open.pop()!);
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => (a.patchLine ?? 0) - (b.patchLine ?? 0) || (a.column ?? 0) - (b.column ?? 0) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/** A finding about a patch as a whole, or one of its lines. */
function patchFinding(rule: Rule, d: PatchReportDescriptor<string>, patch: Patch | undefined, cfiles: readonly CFile[]): Finding {
  const line = d.line ?? null;
  return {
    rule: rule.id,
    messageId: d.messageId,
    severity: rule.severity,
    message: messageOf(rule, d.messageId, d.data),
    file: d.file,
    line: line?.newNo ?? null,
    column: null,
    function: line && patch ? lineFunction(patch, cfiles, d.file, line) : null,
    patchLine: line?.inputLine ?? d.inputLine ?? null,
    sourceLine: line?.text,
    sourceKind: line?.kind,
    confidence: (d.confidence ?? rule.confidence) as Confidence,
    related: [],
  };
}

/**
 * The function a patch line stands in: the C view's when the line is in a C
 * file's view (it knows functions that start inside the hunk, and takes the
 * `@@` section's when the head is not shown), else the hunk's own say.
 */
function lineFunction(patch: Patch, cfiles: readonly CFile[], file: string, line: PatchLine): string | null {
  const cf = cfiles.find((c) => c.file.path === file);
  const view = cf ? (line.kind === "-" ? cf.pre : cf.post) : null;
  const row = view ? view.rowOf(line) : -1;
  if (view && row >= 0) {
    const column = /^\s*/.exec(line.text)![0].length;
    return view.enclosingFunction(view.root.descendantForPosition({ row, column }))?.name ?? null;
  }
  const diff = patch.files.find((f) => f.path === file && f.hunks.some((h) => h.lines.includes(line)));
  return diff ? hunkFunction(diff, line) : null;
}

/** A C function head at the left margin (`static int foo(struct bar *b)`): its name. */
const HEAD = /^(?!(?:if|for|while|switch|return|sizeof|do|else)\b)[A-Za-z_][\w\s*]*?\b([A-Za-z_]\w*)\s*\(/;

function headName(text: string): string | null {
  if (/;\s*$/.test(text) || /^[A-Za-z_]\w*\s*:(?!:)/.test(text)) return null; // a declaration or a label
  return HEAD.exec(text)?.[1] ?? null;
}

/**
 * The function a line is in, from the hunk alone (as git finds a hunk's
 * section): the nearest head above it in the hunk, unless a `}` at the
 * margin closed that function first; with none, the `@@` section's.
 */
function hunkFunction(file: FileDiff, line: PatchLine): string | null {
  for (const hunk of file.hunks) {
    const idx = hunk.lines.indexOf(line);
    if (idx < 0) continue;
    for (let j = idx; j >= 0; j--) {
      const l = hunk.lines[j]!;
      if (l.kind === (line.kind === "-" ? "+" : "-")) continue; // the other side's lines
      if (j < idx && l.text.startsWith("}")) return null;
      const name = headName(l.text);
      if (name) return name;
    }
    return headName(hunk.section);
  }
  return null;
}

function patchContext(rule: Rule, patch: Patch, cfiles: CFile[], sink: (f: Finding) => void): PatchContext {
  return {
    patch,
    cfiles,
    report(d: PatchReportDescriptor<string>) {
      sink(patchFinding(rule, d, patch, cfiles));
    },
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.rule}\0${f.file}\0${f.patchLine}\0${f.column}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
