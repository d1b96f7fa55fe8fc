/**
 * Lay a file diff's lines out as C source, one view per side.
 *
 * Where positions are known, lines stand in the order and at the distances
 * their numbers say, with unknown lines left blank: patch line N of the
 * post-image sits on row N-1 (tree-sitter rows are 0-based) as long as no
 * run of unknown lines is longer than MAX_GAP, and longer runs are squeezed
 * to MAX_GAP blank rows, so that the text parsed grows with the lines the
 * patch shows and never with their numbers. `CView.lineAt(row)` maps a row
 * back to its patch line, and so to its real line number. Fragments without positions (a trimmed quote in a
 * review reply) are laid out one after another with a blank row between hunks.
 *
 * A hunk usually starts inside a function whose head it does not show. Parsed
 * as is, its statements would land at file scope as errors, so the hunk is
 * wrapped: on the blank row before it goes a head (from the `@@` section when
 * that is a function head, else a made-up one) with as many `{` as the hunk
 * needs, and on the blank row after it the `}` that close them. Those rows are
 * marked synthetic: no finding can point at them, and rules learn from
 * `headVisible` that they did not see the real function head.
 */
import type { FileDiff, Hunk, PatchLine } from "../patch/model.js";
import { blankAnnotations } from "./blank.js";

export type Side = "post" | "pre";

export interface Layout {
  /** Text per row, as it goes to the parser (annotations blanked). */
  rows: string[];
  /** Original text per row (annotations kept). */
  rawRows: string[];
  /** Patch line shown on each row, or null for blank and synthetic rows. */
  lines: (PatchLine | null)[];
  /** Rows holding text kreview made up to open or close a hunk's blocks. */
  synthetic: Map<number, SyntheticHead | "close" | "gap">;
  /** True when rows are real file lines (every hunk had positions). */
  realPositions: boolean;
}

export interface SyntheticHead {
  /** Name of the function taken from the hunk's `@@` section, or null when made up. */
  name: string | null;
  /** The section text the head came from. */
  section: string;
  kind: "function" | "aggregate" | "unknown";
  /**
   * The hunk starts with the function's opening `{` right under the head git
   * put in the section: the whole body is shown, only the head line is not.
   */
  bodyShown?: boolean;
  /** The section showed the head without all its parameters. */
  paramsCut?: boolean;
}

const MADE_UP_HEAD = "void __kreview_hunk(void)";

function onSide(line: PatchLine, side: Side): boolean {
  return line.kind === " " || (side === "post" ? line.kind === "+" : line.kind === "-");
}

interface Placed {
  hunk: Hunk;
  first: number;
  last: number;
  lines: PatchLine[];
}

export function layoutFile(file: FileDiff, side: Side): Layout {
  // Where each line would stand if rows were line numbers: sparse, since a
  // hunk may start at line 50,000,000 (or 2^32) and the rows in between are
  // never shown.
  const at = new Map<number, PatchLine>();
  const placed: Placed[] = [];
  let cursor = 0;
  let realPositions = true;
  for (const hunk of file.hunks) {
    const mine = hunk.lines.filter((l) => onSide(l, side));
    if (mine.length === 0) continue;
    let first = -1;
    let last = -1;
    if (hunk.positionsKnown) {
      for (const l of mine) {
        const n = side === "post" ? l.newNo : l.oldNo;
        if (n === null || n < 1 || !Number.isSafeInteger(n)) continue;
        const row = n - 1;
        if (at.has(row)) continue; // a second hunk claiming the same line: keep the first
        at.set(row, l);
        if (first < 0 || row < first) first = row;
        if (row > last) last = row;
      }
      if (first < 0) continue;
      cursor = Math.max(cursor, last + 2);
    } else {
      realPositions = false;
      const start = cursor + 1; // one blank row before, for a synthetic head
      mine.forEach((l, i) => at.set(start + i, l));
      first = start;
      last = start + mine.length - 1;
      cursor = last + 2;
    }
    placed.push({ hunk, first, last, lines: mine });
  }

  // Rows the patch does not show are squeezed to at most MAX_GAP blank rows,
  // so the text parsed grows with the lines shown, never with their numbers.
  // Every row kept has the same neighbours (a blank row before a hunk for its
  // head, one after for its closers), so the wrapping below is unchanged.
  const compact = compactRows([...at.keys()]);
  for (const p of placed) {
    p.first = compact.get(p.first)!;
    p.last = compact.get(p.last)!;
  }
  let maxRow = -2;
  for (const r of compact.values()) if (r > maxRow) maxRow = r;
  const size = maxRow + 3;
  const lines: (PatchLine | null)[] = new Array(size).fill(null);
  const rows: string[] = new Array(size).fill("");
  const rawRows: string[] = new Array(size).fill("");
  for (const [real, l] of at) {
    const r = compact.get(real)!;
    lines[r] = l;
    rawRows[r] = l.text;
    rows[r] = blankAnnotations(l.text);
  }

  const synthetic = new Map<number, SyntheticHead | "close" | "gap">();
  const free = (r: number) => r >= 0 && r < size && lines[r] === null;
  const put = (r: number, text: string) => {
    rows[r] = rows[r] ? `${rows[r]} ${text}` : text;
    rawRows[r] = rows[r];
  };

  // A region left inside a function is closed only once we know the next
  // region is not more of the same function (two hunks of one function).
  let pending: { after: number; scan: BraceScan; end: number; aggregate: boolean; section: string; texts: string[] } | null = null;
  const flush = () => {
    if (pending && (pending.end > 0 || pending.scan.endsInComment) && free(pending.after)) {
      put(pending.after, pending.end > 0 ? closers(pending.scan, pending.end, pending.aggregate) : "*/");
      synthetic.set(pending.after, "close");
    }
    pending = null;
  };

  for (const region of mergeAdjacent(placed)) {
    const scan = scanBraces(region.texts);
    // A goto label sits at column 0 inside a function: its indentation says nothing of the depth.
    const firstCode = region.texts.find((t) => isCode(t) && !LABEL.test(t));
    const indent = firstCode === undefined ? 0 : leadingDepth(firstCode);
    const open = Math.max(-scan.minDepth, indent);
    const end = open + scan.net;
    const before = region.first - 1;
    const after = region.last + 1;

    if (pending && pending.end > 0 && open > 0 && !scan.startsInComment && pending.after < region.first && free(pending.after) && sameFunction(pending, region)) {
      // More of the function the previous hunk ended in: bridge the unseen
      // lines with the braces that make the depths meet, and go on.
      const diff = pending.end - open;
      // A comment the previous hunk left open ends in the lines not shown.
      const close = pending.scan.endsInComment ? "*/ " : "";
      put(pending.after, close + (diff > 0 ? "} ".repeat(diff).trim() : diff < 0 ? "{ ".repeat(-diff).trim() : ";"));
      synthetic.set(pending.after, "gap");
      pending = { after, scan, end, aggregate: pending.aggregate, section: region.section, texts: region.texts };
      continue;
    }
    flush();
    const head0 = open === 0 && firstCode !== undefined && /^\{\s*$/.test(firstCode) ? headFromSection(region.section) : null;
    if (head0?.kind === "function" && free(before)) {
      // `@@ ... @@ int foo(int a)` then ` {`: the head git named is the line above.
      put(before, head0.text);
      synthetic.set(before, { name: head0.name, section: region.section, kind: "function", bodyShown: true, paramsCut: head0.cut });
      if (end > 0) pending = { after, scan, end, aggregate: false, section: region.section, texts: region.texts };
      continue;
    }
    if ((open > 0 || scan.startsInComment) && free(before)) {
      const head = open > 0 ? headFromSection(region.section) : null;
      const parts: string[] = [];
      if (open > 0) {
        const text = head?.text ?? MADE_UP_HEAD;
        parts.push(`${text} {${" {".repeat(open - 1)}`);
      }
      if (scan.startsInComment) parts.push("/*");
      put(before, parts.join(" "));
      synthetic.set(before, {
        name: head?.kind === "function" ? head.name : null,
        section: region.section,
        kind: open > 0 ? (head?.kind ?? "unknown") : "unknown",
      });
      pending = { after, scan, end, aggregate: head?.kind === "aggregate", section: region.section, texts: region.texts };
    } else if ((end > 0 || scan.endsInComment) && open === 0) {
      // Starts at file scope (the function head is in the hunk) but stops inside it, or inside a comment.
      pending = { after, scan, end, aggregate: false, section: region.section, texts: region.texts };
    }
  }
  flush();
  return { rows, rawRows, lines, synthetic, realPositions };
}

/** Blank rows kept between two shown lines (and before the first) at most. */
export const MAX_GAP = 64;

/** Map rows (as line numbers would place them) to rows with no run of more than MAX_GAP blank rows. */
function compactRows(used: number[]): Map<number, number> {
  used.sort((a, b) => a - b);
  const out = new Map<number, number>();
  let prevReal = -1;
  let prevRow = -1;
  for (const r of used) {
    const row = prevRow + 1 + Math.min(r - prevReal - 1, MAX_GAP);
    out.set(r, row);
    prevReal = r;
    prevRow = row;
  }
  return out;
}

/**
 * The text that closes what a region left open: `}` for blocks, `};` for
 * aggregates, the braces the region opened itself known from the scan, the
 * ones the synthetic head opened from the head's kind.
 */
function closers(scan: BraceScan, end: number, headIsAggregate: boolean): string {
  const kinds = scan.open.slice(-end);
  while (kinds.length < end) kinds.unshift(headIsAggregate && kinds.length === end - 1 ? "aggregate" : "block");
  const text = kinds.reverse().map((k) => (k === "aggregate" ? "};" : "}")).join(" ");
  return scan.endsInComment ? `*/ ${text}` : text;
}

/**
 * Is the next region more of the function the previous one ended inside?
 * git names the function a hunk starts in by its head line (the `@@`
 * section): the same section, or a head line the previous region showed.
 */
function sameFunction(prev: { section: string; texts: string[] }, next: Region): boolean {
  const sec = next.section.trim();
  if (!sec || !headFromSection(sec)) return false;
  return sec === prev.section.trim() || prev.texts.some((t) => t.trim() === sec);
}

interface Region {
  first: number;
  last: number;
  section: string;
  texts: string[];
}

/** Hunks whose rows touch are one region: there is no blank row between them to wrap each. */
function mergeAdjacent(placed: Placed[]): Region[] {
  const sorted = [...placed].sort((a, b) => a.first - b.first);
  const out: Region[] = [];
  for (const p of sorted) {
    const prev = out[out.length - 1];
    const texts = p.lines.map((l) => l.text);
    if (prev && p.first <= prev.last + 1) {
      prev.last = Math.max(prev.last, p.last);
      prev.texts.push(...texts);
    } else out.push({ first: p.first, last: p.last, section: p.hunk.section, texts });
  }
  return out;
}

interface BraceScan {
  /** Lowest running depth reached (negative: the hunk closes blocks it did not open). */
  minDepth: number;
  /** Depth change over the whole region. */
  net: number;
  startsInComment: boolean;
  endsInComment: boolean;
  /** The braces the region leaves open, outermost first: an aggregate (`struct x {`, `= {`) needs `};`. */
  open: ("aggregate" | "block")[];
}

/**
 * Count braces outside comments, strings, character constants and
 * preprocessor lines. A region whose first comment-looking lines (` * foo`,
 * ` */`) come before any `/*` started inside a block comment.
 */
export function scanBraces(texts: string[]): BraceScan {
  let depth = 0;
  let minDepth = 0;
  let inComment = false;
  let startsInComment = false;
  let seenCode = false;
  let inMacro = false;
  const open: ("aggregate" | "block")[] = [];
  for (const text of texts) {
    if (!seenCode && !inComment && /^\s*\*(\/|\s|$)/.test(text) && !/^\s*\*\s*\w+\s*=/.test(text)) {
      // A kerneldoc or block comment continued from before the hunk.
      startsInComment = true;
      inComment = true;
    }
    if (inMacro || (!inComment && /^\s*#/.test(text))) {
      inMacro = /\\\s*$/.test(text);
      continue;
    }
    let i = 0;
    while (i < text.length) {
      // Character codes, not one-character strings: this runs on every character of every hunk.
      const c = text.charCodeAt(i);
      if (inComment) {
        const end = text.indexOf("*/", i);
        if (end < 0) break;
        inComment = false;
        i = end + 2;
        continue;
      }
      if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
        inComment = true;
        i += 2;
        continue;
      }
      if (c === SLASH && text.charCodeAt(i + 1) === SLASH) break;
      if (c === DQUOTE || c === SQUOTE) {
        i = skipQuoted(text, i);
        continue;
      }
      if (c === LBRACE) {
        depth++;
        open.push(/\b(struct|union|enum)\b[^;()]*$|=\s*$/.test(text.slice(0, i)) ? "aggregate" : "block");
      } else if (c === RBRACE) {
        depth--;
        open.pop();
        if (depth < minDepth) minDepth = depth;
      }
      if (!seenCode && !/\s/.test(text[i]!)) seenCode = true;
      i++;
    }
  }
  return { minDepth, net: depth, startsInComment, endsInComment: inComment, open };
}

const SLASH = 0x2f;
const STAR = 0x2a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

function skipQuoted(text: string, start: number): number {
  const q = text.charCodeAt(start);
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === q) return i + 1;
  }
  return text.length;
}

/** A goto label on its own line (`out_unlock:`), which kernel style writes at column 0 whatever the depth. */
const LABEL = /^[A-Za-z_]\w*:\s*$/;

function isCode(text: string): boolean {
  const t = text.trim();
  return t !== "" && !t.startsWith("/*") && !t.startsWith("*") && !t.startsWith("//") && !t.startsWith("#");
}

/**
 * How deep a line's indentation says it is: kernel style indents one tab per
 * block (web archives collapse that to a single space, which still says
 * "inside something").
 */
function leadingDepth(text: string): number {
  const m = /^[\t ]*/.exec(text)![0];
  if (m === "") return 0;
  const tabs = (m.match(/\t/g) ?? []).length + Math.floor(m.replace(/\t/g, "").length / 8);
  return Math.max(1, tabs);
}

export interface SectionHead {
  text: string;
  name: string | null;
  kind: "function" | "aggregate";
  /** The section cut the parameter list short (`foo(` with the parameters on the lines below). */
  cut?: boolean;
}

/** Turn a hunk's `@@` section text into a head that opens a block, when it is one. */
export function headFromSection(section: string): SectionHead | null {
  const s = blankAnnotations(section).replace(/\{\s*$/, "").trim();
  if (!s || s.startsWith("#") || s.endsWith(";") || s.endsWith(":")) return null;
  if (/^((static|const|typedef)\s+)*(struct|union|enum)(\s+\w+)?$/.test(s) || (/=\s*$/.test(s) && !s.includes("("))) {
    return { text: s, name: null, kind: "aggregate" };
  }
  if (/=\s*$/.test(s)) return { text: s, name: null, kind: "aggregate" };
  const m = /([A-Za-z_]\w*)\s*\(/.exec(s);
  if (!m || !/^[A-Za-z_]/.test(s)) return null;
  const name = m[1];
  if (/^(if|for|while|switch|return|sizeof)$/.test(name)) return null;
  let depth = 0;
  let close = -1;
  for (let i = m.index + m[0].length - 1; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) {
      close = i;
      break;
    }
  }
  let text = close >= 0 ? s.slice(0, close + 1) : `${s.slice(0, m.index + m[0].length)})`;
  // Kernel style may put the return type on the line above (`void\nfoo(int x)`), and git's
  // section then shows the name alone: give the made-up head a type so it parses as one.
  if (m.index === 0) text = `int ${text}`;
  return { text, name, kind: "function", cut: close < 0 };
}
