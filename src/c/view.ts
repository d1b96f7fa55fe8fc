/**
 * The C view of a patch: for each C file, a parsed post-image (and
 * pre-image), and the helpers every rule needs to go between tree-sitter
 * nodes and patch lines.
 */
import type { FileDiff, Patch, PatchLine } from "../patch/model.js";
import { annotationsIn } from "./blank.js";
import { blankAnnotations } from "./blank.js";
import { layoutFile, type Layout, type Side, type SyntheticHead } from "./layout.js";
import { wholeFile, type TreeSource, type WholeSide } from "./whole.js";
import { parseC, type SyntaxNode, type Tree } from "./parser.js";
import { descendantsOfType, enclosingOfType } from "./descendants.js";

export class CView {
  readonly tree: Tree;
  readonly source: string;
  private readonly layout: Layout;
  private fnIndex?: Map<string, SyntaxNode[]>;
  private rowIndex?: Map<PatchLine, number>;
  private readonly described = new Map<number, EnclosingFunction>();

  /** Built from the whole file the tree holds: row N is line N+1 of this side, shown in the patch or not. */
  readonly whole: boolean;

  constructor(
    readonly file: FileDiff,
    readonly side: Side,
    whole?: WholeSide,
    /** The layout of this side, when it was made before the view. */
    layout?: Layout,
  ) {
    this.whole = !!whole;
    this.layout = layout ?? sideLayout(file, side, whole);
    this.source = this.layout.rows.join("\n");
    this.tree = parseC(this.source);
  }

  get root(): SyntaxNode {
    return this.tree.rootNode;
  }

  /** True when rows are real file lines (every hunk had an `@@` line). */
  get realPositions(): boolean {
    return this.layout.realPositions;
  }

  /** The patch line a node starts on, or null for blank and synthetic rows. */
  lineOf(node: SyntaxNode): PatchLine | null {
    return this.layout.lines[node.startPosition.row] ?? null;
  }

  /** The patch line on a row. */
  lineAt(row: number): PatchLine | null {
    return this.layout.lines[row] ?? null;
  }

  /** The row a patch line sits on in this view, or -1 when it is not on this side. */
  rowOf(line: PatchLine): number {
    if (!this.rowIndex) {
      this.rowIndex = new Map();
      this.layout.lines.forEach((l, r) => {
        if (l) this.rowIndex!.set(l, r);
      });
    }
    return this.rowIndex.get(line) ?? -1;
  }

  /** The original text of a row (kernel annotations kept). */
  rawRow(row: number): string {
    return this.layout.rawRows[row] ?? "";
  }

  /** True when the node starts on a line the patch adds. */
  isAdded(node: SyntaxNode): boolean {
    return this.lineOf(node)?.kind === "+";
  }

  /** True when any row the node spans is a line the patch adds. */
  touchesAdded(node: SyntaxNode): boolean {
    for (let r = node.startPosition.row; r <= node.endPosition.row; r++) {
      if (this.layout.lines[r]?.kind === "+") return true;
    }
    return false;
  }

  /** True when a node spans lines the patch does not show between two hunks of one function. */
  spansGap(node: SyntaxNode): boolean {
    for (const [row, kind] of this.layout.synthetic) {
      if (kind === "gap" && row > node.startPosition.row && row < node.endPosition.row) return true;
    }
    return false;
  }

  /** Rows where kreview bridged lines the patch does not show between two hunks of one function. */
  get gapRows(): number[] {
    const out: number[] = [];
    for (const [row, kind] of this.layout.synthetic) if (kind === "gap") out.push(row);
    return out.sort((a, b) => a - b);
  }

  /** True when the node starts on a row kreview made up. */
  isSynthetic(node: SyntaxNode): boolean {
    return this.layout.synthetic.has(node.startPosition.row);
  }

  /** The function a node is in, and whether the patch shows that function's head. */
  enclosingFunction(node: SyntaxNode): EnclosingFunction | null {
    const fn = enclosingOfType(node, "function_definition");
    return fn ? this.describeFunction(fn) : null;
  }

  /** Name, head visibility and annotations of a function_definition node (computed once per function). */
  describeFunction(fn: SyntaxNode): EnclosingFunction {
    let d = this.described.get(fn.id);
    if (!d) this.described.set(fn.id, (d = this.describe(fn)));
    return d;
  }

  private describe(fn: SyntaxNode): EnclosingFunction {
    const headRow = fn.startPosition.row;
    const synth = this.layout.synthetic.get(headRow);
    if (synth && typeof synth === "object" && this.layout.lines[headRow] === null) {
      const head = synth as SyntheticHead;
      if (head.bodyShown) {
        // The section is the head line itself, and the body is shown from its `{`.
        const type = fn.childForFieldName("type");
        return { node: fn, name: head.name, headVisible: true, paramsKnown: !head.paramsCut, annotations: annotationsIn(head.section), returnType: type ? type.text : null };
      }
      // The head is hidden, but git's `@@` section line is that head: its annotations (`__init`) are the function's.
      return { node: fn, name: head.name, headVisible: false, paramsKnown: false, annotations: head.name ? annotationsIn(head.section) : [], returnType: null };
    }
    const body = fn.childForFieldName("body");
    const endRow = body ? body.startPosition.row : fn.endPosition.row;
    let headText = "";
    for (let r = headRow; r <= endRow; r++) headText += `${this.rawRow(r)}\n`;
    const type = fn.childForFieldName("type");
    return {
      node: fn,
      name: functionName(fn),
      headVisible: true,
      paramsKnown: true,
      annotations: annotationsIn(headText),
      returnType: type ? type.text : null,
    };
  }

  /** Every function definition of this view with the given name. */
  functionsNamed(name: string): SyntaxNode[] {
    if (!this.fnIndex) {
      this.fnIndex = new Map();
      for (const fn of descendantsOfType(this.root, "function_definition")) {
        const n = functionName(fn);
        if (!n) continue;
        const list = this.fnIndex.get(n) ?? [];
        list.push(fn);
        this.fnIndex.set(n, list);
      }
    }
    return this.fnIndex.get(name) ?? [];
  }
}

export interface EnclosingFunction {
  node: SyntaxNode;
  /** The function's name, or null when the patch does not show it. */
  name: string | null;
  /** False when the function's head is not in the patch (kreview made one up to parse the hunk). */
  headVisible: boolean;
  /** False when its parameters are not all shown (a hidden head, or an `@@` section that cut them short). */
  paramsKnown: boolean;
  /** Kernel annotations on the head (`__init`, `__must_check`, ...), read from the `@@` section line when the head is hidden. */
  annotations: string[];
  /** Return type text as written, or null when the head is not visible. */
  returnType: string | null;
}

/** The declared name of a function_definition (through pointer declarators). */
export function functionName(fn: SyntaxNode): string | null {
  let d: SyntaxNode | null = fn.childForFieldName("declarator");
  while (d) {
    if (d.type === "function_declarator") {
      const inner = d.childForFieldName("declarator");
      if (inner && (inner.type === "identifier" || inner.type === "field_identifier")) return inner.text;
      d = inner;
    } else if (d.type === "identifier") return d.text;
    else d = d.childForFieldName("declarator");
  }
  return null;
}

export interface CFile {
  file: FileDiff;
  post: CView;
  /** The pre-image, or null for a new file (or a fragment with no removed or context lines); parsed on first use. */
  readonly pre: CView | null;
  /** Find the pre-image node that stands where a post-image node on a context line stands. */
  preImageOf(node: SyntaxNode): SyntaxNode | null;
  /**
   * True when a row of the pre-image holds `text`, read from its layout
   * without parsing it. A pre-image function, call or use that `text` names
   * cannot be where this is false: questions about the pre-image ask it
   * first (parsing the pre-images is about half the parsing).
   */
  mentionedBefore(text: string): boolean;
}

/** Does a file diff hold C the views can parse? */
export function isCFile(file: FileDiff): boolean {
  if (file.binary || file.hunks.length === 0) return false;
  if (file.fragment && file.pathKnown === false) return looksLikeC(file);
  return /\.[ch]$/.test(file.newPath ?? file.oldPath ?? "");
}

/** A fragment with no trustworthy file name is taken as C when its lines read as C. */
function looksLikeC(file: FileDiff): boolean {
  let score = 0;
  let total = 0;
  for (const h of file.hunks) {
    for (const l of h.lines) {
      const t = l.text.trim();
      if (!t) continue;
      total++;
      if (/[;{}]$/.test(t) || /^(if|for|while|return|struct|static|int|void|unsigned|bool|const)\b/.test(t)) score++;
    }
  }
  return total > 0 && score * 2 >= total;
}

/** A side's layout: from the whole file when the tree gave it, else from the hunks. */
function sideLayout(file: FileDiff, side: Side, whole: WholeSide | undefined): Layout {
  return whole ? wholeLayout(whole) : layoutFile(file, side);
}

/** A whole file's side as a layout: every row is real, none is made up. */
function wholeLayout(whole: WholeSide): Layout {
  return {
    rows: whole.rows.map(blankAnnotations),
    rawRows: whole.rows,
    lines: whole.lines,
    synthetic: new Map(),
    realPositions: true,
  };
}

export interface BuildOptions {
  /** The kernel tree the patch applies to, for whole files as context. */
  tree?: TreeSource;
  /** Where to say what could not be taken from the tree. */
  problems?: string[];
}

/**
 * Build the C views of every C file in a patch. Each view is parsed once; a
 * pre-image only when asked for. With a tree, a file it holds is laid out
 * whole, with the patch applied; otherwise (or when the tree's file does not
 * match the patch) from the hunks alone.
 */
export function buildCFiles(patch: Patch, options: BuildOptions = {}): CFile[] {
  const out: CFile[] = [];
  for (const file of patch.files) {
    if (!isCFile(file)) continue;
    const whole = options.tree && !file.fragment ? fromTree(file, options.tree, options.problems) : null;
    const post = new CView(file, "post", whole?.post);
    const hasPre = file.status !== "added" && file.hunks.some((h) => h.lines.some((l) => l.kind !== "+"));
    let pre: CView | null | undefined = hasPre ? undefined : null;
    let preLayout: Layout | undefined;
    const layoutPre = () => (preLayout ??= sideLayout(file, "pre", whole?.pre));
    out.push({
      file,
      post,
      get pre() {
        if (pre === undefined) pre = new CView(file, "pre", whole?.pre, layoutPre());
        return pre;
      },
      mentionedBefore(text) {
        return hasPre && layoutPre().rows.some((r) => r.includes(text));
      },
      preImageOf(node) {
        const view = this.pre;
        if (!view) return null;
        const line = post.lineOf(node);
        if (!line || line.kind !== " ") return null;
        return findSameNode(view, line, node);
      },
    });
  }
  return out;
}

/** The whole file from the tree, or null (saying why when it matters) to fall back to the hunks. */
function fromTree(file: FileDiff, tree: TreeSource, problems: string[] | undefined) {
  if (file.status === "added") return null; // the hunks are the whole file
  const path = file.oldPath ?? file.newPath;
  if (!path) return null;
  const got = tree.read(path);
  if (got === null) {
    problems?.push(`${path}: not in the tree: linted from the hunks alone`);
    return null;
  }
  if ("refused" in got) {
    problems?.push(got.refused);
    return null;
  }
  const whole = wholeFile(file, got.text);
  if (!whole) problems?.push(`${path}: the tree's file does not match the patch's context: linted from the hunks alone`);
  return whole;
}

function findSameNode(pre: CView, line: PatchLine, node: SyntaxNode): SyntaxNode | null {
  const row = pre.rowOf(line);
  if (row < 0) return null;
  const col = node.startPosition.column;
  let n: SyntaxNode | null = pre.root.descendantForPosition({ row, column: col });
  while (n && !(n.type === node.type && n.startPosition.column === col && n.startPosition.row === row)) n = n.parent;
  return n;
}
