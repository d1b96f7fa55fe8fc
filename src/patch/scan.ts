/**
 * The diff reader: one pass over the lines of one text segment, finding
 *
 *  - unquoted diffs (`git format-patch` / `git diff` / `diff -u` / quilt
 *    `Index:` output, and their web-archive form), read strictly by the hunk
 *    counts; hunks that do not add up become `patch-format` problems;
 *  - diff fragments quoted in review replies at any quote depth, with or
 *    without `diff --git` / `---`+`+++` / `@@` headers, interleaved with the
 *    reviewer's comments.
 *
 * Both readers run side by side over the same lines: an unquoted line ends the
 * current quoted fragment run (it may go on after the comment), a quoted line
 * is handed to the fragment reader unless it sits inside an unquoted hunk
 * whose counts are not met yet.
 */
import type { FileDiff, Hunk, InputProblem, LineKind } from "./model.js";
import {
  codeScore,
  firstComponent,
  isBinaryPatchData,
  isSignatureLine,
  isSnipMarker,
  parseExtHeader,
  parseFileLinePath,
  parseGitDiffPaths,
  parseHunkHeader,
  stripFirstComponent,
  stripGitPrefix,
  unquote,
  type ExtHeader,
  type HunkHeader,
} from "./lines.js";

export interface SegmentScan {
  files: FileDiff[];
  problems: InputProblem[];
  /** 0-based index of the line that opened the first unquoted file diff, or -1. */
  firstDiffIndex: number;
}

interface HunkState {
  hunk: Hunk;
  file: FileDiff;
  /** Read by the `@@` counts (false: a quoted run with no `@@`). */
  counted: boolean;
  oldNo: number;
  newNo: number;
  oldRem: number;
  newRem: number;
  /** Hunk lines read (context, removed, added). */
  read: number;
}

/** Internal bookkeeping on a FileDiff while it is being read. */
interface FileState {
  file: FileDiff;
  /** For quoted files opened by `diff --git`: whether the path is confirmed yet. */
  pathDecided: boolean;
  /** Paths from `diff --git a/X b/Y`, kept apart until `---`/`+++` confirm. */
  gitA: string | null;
  gitB: string | null;
  /** A `---` or `+++` line gave the paths. */
  fromFileLines: boolean;
  /** An `Index:` line announced this file (quilt): strip the first path component. */
  stripP1: boolean;
  /** Paths read from `---` / `+++` (null for /dev/null, undefined when not seen). */
  minus?: string | null;
  plus?: string | null;
}

export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export class SegmentScanner {
  private readonly files: FileDiff[] = [];
  private readonly problems: InputProblem[] = [];
  private readonly states = new Map<FileDiff, FileState>();
  /** True when no line of the segment starts with white space: the web-archive form. */
  private readonly webForm: boolean;
  private firstDiffIndex = -1;
  private readonly damageReported = new Set<FileDiff>();

  // unquoted reader
  private uFile: FileDiff | null = null;
  private uHeader = false;
  private uHunk: HunkState | null = null;
  /** The hunk that just met its counts (lines right after it may be surplus). */
  private uDone: HunkState | null = null;
  private uOverflowReported = false;
  private uBinarySkip = false;
  /** Index of an `Index:` / `diff -u` line announcing the next `---`/`+++` pair. */
  private uAnnounce = -1;

  // quoted reader
  private qFile: FileDiff | null = null;
  private qDepth = 0;
  private qHeader = false;
  private qHunk: HunkState | null = null;
  private qInterrupted = false;
  private qPendingEmpty: number[] = [];
  private qRejectUntil = -1;

  constructor(
    private readonly lines: string[],
    /** Input line of lines[0]. */
    private readonly base: number,
  ) {
    let web = true;
    for (const l of lines) {
      const c = l.charCodeAt(0);
      if (c === 32 || c === 9) {
        web = false;
        break;
      }
      if (c === 62 /* > */) {
        const u = unquote(l).content.charCodeAt(0);
        if (u === 32 || u === 9) {
          web = false;
          break;
        }
      }
    }
    this.webForm = web;
  }

  private lineNo(i: number): number {
    return this.base + i;
  }

  scan(): SegmentScan {
    const n = this.lines.length;
    let i = 0;
    while (i < n) {
      const next = this.step(i);
      i = next > i ? next : i + 1;
    }
    if (this.uHunk) this.endUnquotedHunk(n, true);
    this.closeQuotedHunk();
    for (const st of this.states.values()) this.settlePath(st);
    return { files: this.files, problems: this.problems, firstDiffIndex: this.firstDiffIndex };
  }

  // ---------------------------------------------------------------- dispatch

  private step(i: number): number {
    const raw = this.lines[i]!;

    if (this.uHunk) {
      const h = this.uHunk;
      if (h.oldRem > 0 || h.newRem > 0) {
        if (h.read === 0 && this.isWrappedSection(h, i)) {
          // `@@ ... @@ static int foo(struct bar *b,` wrapped by the mailer
          h.hunk.section = `${h.hunk.section} ${raw.trim()}`.trim();
          return i + 1;
        }
        if (!this.breaksUnquotedHunk(i)) {
          this.addUnquotedHunkLine(raw, i);
          return i + 1;
        }
        this.endUnquotedHunk(i, false);
      }
    }
    if (this.uDone) {
      if (this.isSurplusLine(i)) {
        this.addSurplusLine(raw, i);
        return i + 1;
      }
      this.uDone = null;
    }
    if (this.uBinarySkip) {
      if (!raw.startsWith("diff ") && isBinaryPatchData(raw)) return i + 1;
      this.uBinarySkip = false;
    }

    const c0 = raw.charCodeAt(0);
    if (c0 === 62 /* > */) {
      this.uHeader = false;
      const u = unquote(raw);
      return this.quotedStep(i, u.depth, u.content);
    }
    return this.unquotedStep(i, raw);
  }

  // ------------------------------------------------------------- unquoted

  private unquotedStep(i: number, raw: string): number {
    this.interruptQuoted();

    if (raw.startsWith("diff --git ")) {
      this.openGitFile(i, raw.slice(11), 0, false);
      this.uHeader = true;
      return i + 1;
    }
    if (raw.startsWith("--- ") && this.isPlusPlusPlus(i + 1, 0)) {
      return this.unquotedFileLines(i);
    }
    if (this.uHeader && this.uFile) {
      if (raw.startsWith("--- ")) {
        this.applyMinus(this.uFile, raw.slice(4));
        return i + 1;
      }
      if (raw.startsWith("+++ ")) {
        this.applyPlus(this.uFile, raw.slice(4));
        return i + 1;
      }
      const ext = parseExtHeader(raw);
      if (ext) {
        this.applyExt(this.uFile, ext);
        if (ext.kind === "git-binary") this.uBinarySkip = true;
        return i + 1;
      }
      if (raw.startsWith("b/") && this.uFile.inputLine === this.lineNo(i - 1)) {
        // `diff --git a/long/path` wrapped before ` b/long/path`
        const st = this.states.get(this.uFile)!;
        st.gitB = stripGitPrefix(raw.trim());
        this.uFile.newPath = st.gitB;
        this.updatePath(this.uFile);
        return i + 1;
      }
    }
    const hh = parseHunkHeader(raw);
    if (hh) {
      if (!this.uFile) {
        // a bare hunk with no file header: a file whose path we do not know
        const f = this.newFile(i, false);
        f.pathKnown = false;
        this.uFile = f;
        this.noteFirstDiff(i);
      }
      this.uHeader = false;
      this.uHunk = this.openHunk(this.uFile, hh, i, true);
      return i + 1;
    }
    this.uHeader = false;
    if (raw.startsWith("Index: ") || (raw.startsWith("diff ") && raw.length > 5)) {
      this.uAnnounce = i;
      return i + 1;
    }
    if (isSignatureLine(raw)) {
      // `-- ` ends the diff: what follows is the signature
      this.uFile = null;
      return i + 1;
    }
    return i + 1;
  }

  /** `--- X` followed by `+++ Y`: a new file (or the paths of the file `diff --git` opened). */
  private unquotedFileLines(i: number): number {
    const plus = this.lines[i + 1]!;
    if (this.uHeader && this.uFile) {
      const st = this.states.get(this.uFile)!;
      if (!st.fromFileLines) {
        this.applyMinus(this.uFile, this.lines[i]!.slice(4));
        this.applyPlus(this.uFile, plus.slice(4));
        return i + 2;
      }
    }
    const announced = this.uAnnounce >= 0 && i - this.uAnnounce <= 3;
    const start = announced ? this.uAnnounce : i;
    const announceLine = announced ? this.lines[this.uAnnounce]! : "";
    this.uAnnounce = -1;
    const f = this.newFile(start, false);
    const st = this.states.get(f)!;
    st.stripP1 = announceLine.startsWith("Index: ");
    this.applyMinus(f, this.lines[i]!.slice(4));
    this.applyPlus(f, plus.slice(4));
    this.uFile = f;
    this.uHeader = true;
    this.noteFirstDiff(start);
    return i + 2;
  }

  private noteFirstDiff(i: number) {
    if (this.firstDiffIndex < 0) this.firstDiffIndex = i;
  }

  /** Does line i end an unquoted hunk whose counts are not met yet? */
  private breaksUnquotedHunk(i: number): boolean {
    const raw = this.lines[i]!;
    const c = raw.charCodeAt(0);
    if (c === 32 || c === 43 /* + */ || c === 92 /* \ */ || raw.length === 0) return false;
    if (c === 45 /* - */) {
      if (isSignatureLine(raw)) return this.looksLikeSignature(i);
      if (raw.startsWith("--- ") && this.isPlusPlusPlus(i + 1, 0)) return true;
      return false;
    }
    if (raw.startsWith("diff --git ")) return true;
    if (c === 64 /* @ */ && parseHunkHeader(raw)) return true;
    if (raw.startsWith("Index: ") && (this.lines[i + 1] ?? "").startsWith("====")) return true;
    // Any other line: in the web-archive form it is a context line whose
    // leading space was lost; in a mail that keeps its white space it means
    // the hunk was cut short (or line-wrapped), unless it starts with a tab
    // (a context line whose leading space a mailer ate).
    return !this.webForm && c !== 9;
  }

  private isWrappedSection(h: HunkState, i: number): boolean {
    if (this.webForm || h.hunk.inputLine !== this.lineNo(i - 1)) return false;
    const raw = this.lines[i]!;
    const c = raw.charCodeAt(0);
    if (raw.length === 0 || c === 32 || c === 43 || c === 45 || c === 92 || c === 9 || c === 62) return false;
    return !raw.startsWith("diff ") && !raw.startsWith("@@");
  }

  /** `-- ` inside a hunk: a signature if a version line or the end follows. */
  private looksLikeSignature(i: number): boolean {
    const n = this.lines.length;
    if (i + 1 >= n) return true;
    const next = this.lines[i + 1]!;
    if (/^\d+\.\d+/.test(next)) return true;
    // near the end, with nothing diff-like after it
    if (n - i <= 4) {
      for (let j = i + 1; j < n; j++) {
        const c = this.lines[j]!.charCodeAt(0);
        if (c === 43 || c === 45 || c === 32) return false;
      }
      return true;
    }
    return false;
  }

  private isPlusPlusPlus(j: number, depth: number): boolean {
    if (j >= this.lines.length) return false;
    const l = this.lines[j]!;
    if (depth === 0) return l.startsWith("+++ ");
    const u = unquote(l);
    return u.depth === depth && u.content.startsWith("+++ ");
  }

  private addUnquotedHunkLine(raw: string, i: number) {
    const h = this.uHunk!;
    const c = raw.charCodeAt(0);
    if (c === 92 /* \ */) return; // "\ No newline at end of file"
    let kind: LineKind;
    let text: string;
    if (c === 43) {
      kind = "+";
      text = raw.slice(1);
    } else if (c === 45) {
      kind = "-";
      text = raw.slice(1);
    } else if (c === 32) {
      kind = " ";
      text = raw.slice(1);
    } else {
      // empty line or web-archive context line with its leading space lost
      kind = " ";
      text = raw;
      if (c === 9 && !this.webForm && !this.damageReported.has(h.file)) {
        this.damageReported.add(h.file);
        this.problems.push({
          kind: "patch-format",
          message: "context line lost its leading space: the patch is whitespace-damaged and will not apply",
          file: fileLabel(h.file),
          inputLine: this.lineNo(i),
        });
      }
    }
    this.pushCounted(h, kind, text, i);
    if (h.oldRem <= 0 && h.newRem <= 0) {
      this.finishCounted(h, i);
      this.uHunk = null;
      this.uDone = h;
      this.uOverflowReported = false;
    }
  }

  private pushCounted(h: HunkState, kind: LineKind, text: string, i: number) {
    const line = {
      kind,
      text,
      oldNo: kind === "+" ? null : h.oldNo,
      newNo: kind === "-" ? null : h.newNo,
      inputLine: this.lineNo(i),
    };
    if (kind !== "+") {
      h.oldNo++;
      h.oldRem--;
    }
    if (kind !== "-") {
      h.newNo++;
      h.newRem--;
    }
    h.read++;
    h.hunk.lines.push(line);
  }

  /** Counts met: flag a hunk whose lines went past one side's count. */
  private finishCounted(h: HunkState, i: number) {
    if (h.oldRem < 0 || h.newRem < 0) {
      h.hunk.complete = false;
      if (!h.file.fragment)
        this.problems.push({
          kind: "patch-format",
          message: `hunk ${hunkLabel(h.hunk)} has ${h.hunk.oldCount - h.oldRem} old and ${h.hunk.newCount - h.newRem} new lines: the counts are wrong`,
          file: fileLabel(h.file),
          inputLine: this.lineNo(i),
        });
    }
  }

  /** Ends an unquoted hunk before its counts are met, at line i (or at the end of the text). */
  private endUnquotedHunk(i: number, atEnd: boolean) {
    const h = this.uHunk!;
    this.uHunk = null;
    const lines = h.hunk.lines;
    if (atEnd || isSignatureLine(this.lines[i] ?? "")) {
      // blank lines at the very end are mail padding, not context
      while (lines.length > 0) {
        const last = lines[lines.length - 1]!;
        if (last.kind !== " " || last.text !== "" || this.lines[last.inputLine - this.base] !== "") break;
        lines.pop();
        h.oldRem++;
        h.newRem++;
        h.read--;
      }
    }
    h.hunk.complete = false;
    const expected = h.read + Math.max(h.oldRem, h.newRem);
    const at = atEnd ? (lines.length > 0 ? lines[lines.length - 1]!.inputLine : h.hunk.inputLine) : this.lineNo(i);
    this.problems.push({
      kind: "patch-format",
      message: `hunk ends after ${h.read} of ${expected} lines: the mail may be truncated or the counts are wrong`,
      file: fileLabel(h.file),
      inputLine: at,
    });
  }

  /** A `+`/`-` line right after a hunk that met its counts: the counts were too small. */
  private isSurplusLine(i: number): boolean {
    const raw = this.lines[i]!;
    const c = raw.charCodeAt(0);
    if (c !== 43 && c !== 45) {
      // context lines may go on once surplus lines have been seen
      return this.uOverflowReported && c === 32;
    }
    if (isSignatureLine(raw)) return false;
    if (raw.startsWith("--- ") || raw.startsWith("+++ ")) return false;
    if (raw.trimEnd() === "---") return false;
    return true;
  }

  private addSurplusLine(raw: string, i: number) {
    const h = this.uDone!;
    if (!this.uOverflowReported) {
      this.uOverflowReported = true;
      h.hunk.complete = false;
      this.problems.push({
        kind: "patch-format",
        message: `hunk ${hunkLabel(h.hunk)} has more lines than its counts: the counts are wrong`,
        file: fileLabel(h.file),
        inputLine: this.lineNo(i),
      });
    }
    const kind = raw[0] as LineKind;
    const line = {
      kind,
      text: raw.slice(1),
      oldNo: kind === "+" ? null : h.oldNo,
      newNo: kind === "-" ? null : h.newNo,
      inputLine: this.lineNo(i),
    };
    if (kind !== "+") h.oldNo++;
    if (kind !== "-") h.newNo++;
    h.hunk.lines.push(line);
  }

  // ------------------------------------------------------------- files

  private newFile(i: number, fragment: boolean): FileDiff {
    const f: FileDiff = {
      oldPath: null,
      newPath: null,
      path: "",
      status: "modified",
      binary: false,
      hunks: [],
      inputLine: this.lineNo(i),
      fragment,
      pathKnown: true,
    };
    this.files.push(f);
    this.states.set(f, { file: f, pathDecided: !fragment, gitA: null, gitB: null, fromFileLines: false, stripP1: false });
    return f;
  }

  private openGitFile(i: number, rest: string, depth: number, fragment: boolean): FileDiff {
    const f = this.newFile(i, fragment);
    const st = this.states.get(f)!;
    const p = parseGitDiffPaths(rest);
    if (p) {
      st.gitA = stripGitPrefix(p.a);
      st.gitB = stripGitPrefix(p.b);
      f.oldPath = st.gitA;
      f.newPath = st.gitB;
      f.path = f.newPath || f.oldPath || "";
    }
    if (depth === 0) {
      this.uFile = f;
      this.uHunk = null;
      this.noteFirstDiff(i);
    }
    return f;
  }

  private applyMinus(f: FileDiff, rest: string) {
    const st = this.states.get(f)!;
    st.fromFileLines = true;
    st.minus = parseFileLinePath(rest);
    if (st.minus === null) f.status = "added";
    this.resolveFileLinePaths(f, st);
  }

  private applyPlus(f: FileDiff, rest: string) {
    const st = this.states.get(f)!;
    st.fromFileLines = true;
    st.plus = parseFileLinePath(rest);
    if (st.plus === null) f.status = "deleted";
    this.resolveFileLinePaths(f, st);
  }

  /**
   * Paths from `---`/`+++`: `a/`/`b/` prefixes are dropped; with no such
   * prefix and no `diff --git` line (quilt `Index:`, `diff -u` of two trees
   * such as `linux.orig/` and `linux/`), the first component is dropped as
   * `patch -p1` would.
   */
  private resolveFileLinePaths(f: FileDiff, st: FileState) {
    if (f.status === "renamed" || f.status === "copied") return;
    let a = st.minus === undefined ? f.oldPath : st.minus;
    let b = st.plus === undefined ? f.newPath : st.plus;
    const hasPrefix = (p: string | null) => p !== null && (p.startsWith("a/") || p.startsWith("b/"));
    if (hasPrefix(a) || hasPrefix(b)) {
      if (a !== null && hasPrefix(a)) a = a.slice(2);
      if (b !== null && hasPrefix(b)) b = b.slice(2);
      // `--- a/x.c~fix-name` / `+++ a/x.c` (Andrew Morton's scripts)
      if (a !== null && b !== null && a.startsWith(b + "~")) a = b;
    } else if (st.gitA === null && st.minus !== undefined && st.plus !== undefined) {
      const ca = a === null ? "" : firstComponent(a);
      const cb = b === null ? "" : firstComponent(b);
      if (st.stripP1 || (ca && cb && ca !== cb)) {
        if (a !== null) a = stripFirstComponent(a);
        if (b !== null) b = stripFirstComponent(b);
      }
    }
    if (st.minus !== undefined) f.oldPath = a;
    if (st.plus !== undefined) f.newPath = b;
    this.updatePath(f);
  }

  private applyExt(f: FileDiff, ext: ExtHeader) {
    switch (ext.kind) {
      case "new-file":
        f.status = "added";
        f.oldPath = null;
        break;
      case "deleted-file":
        f.status = "deleted";
        f.newPath = null;
        break;
      case "rename-from":
        f.status = "renamed";
        f.oldPath = ext.path;
        break;
      case "rename-to":
        f.status = "renamed";
        f.newPath = ext.path;
        break;
      case "copy-from":
        f.status = "copied";
        f.oldPath = ext.path;
        break;
      case "copy-to":
        f.status = "copied";
        f.newPath = ext.path;
        break;
      case "binary":
      case "git-binary":
        f.binary = true;
        break;
      default:
        break;
    }
    this.updatePath(f);
  }

  private updatePath(f: FileDiff) {
    if (f.pathKnown === false) return;
    f.path = f.newPath ?? f.oldPath ?? "";
  }

  /** Fragments whose header was never followed by anything that confirms or denies it. */
  private settlePath(st: FileState) {
    if (!st.pathDecided) {
      st.pathDecided = true;
      st.file.pathKnown = true;
      this.updatePath(st.file);
    }
  }

  private openHunk(f: FileDiff, hh: HunkHeader, i: number, counted: boolean): HunkState {
    const hunk: Hunk = {
      oldStart: hh.oldStart,
      oldCount: hh.oldCount,
      newStart: hh.newStart,
      newCount: hh.newCount,
      section: hh.section,
      lines: [],
      inputLine: this.lineNo(i),
      positionsKnown: counted,
      complete: true,
    };
    f.hunks.push(hunk);
    return {
      hunk,
      file: f,
      counted,
      oldNo: hh.oldStart,
      newNo: hh.newStart,
      oldRem: hh.oldCount,
      newRem: hh.newCount,
      read: 0,
    };
  }

  // --------------------------------------------------------------- quoted

  /** An unquoted line (or quoted prose): the current quoted run stops here. */
  private interruptQuoted() {
    this.qInterrupted = true;
    this.qPendingEmpty.length = 0;
    this.qHeader = false;
  }

  private quotedStep(i: number, d: number, c: string): number {
    // headers, at any depth
    if (c.startsWith("diff --git ")) {
      this.closeQuotedHunk();
      this.qFile = this.openGitFile(i, c.slice(11), d, true);
      this.states.get(this.qFile)!.pathDecided = false;
      this.qDepth = d;
      this.qHeader = true;
      this.qInterrupted = false;
      return i + 1;
    }
    const sameDepth = this.qFile !== null && this.qDepth === d;
    const inCountedHunk =
      sameDepth && this.qHunk !== null && this.qHunk.counted && (this.qHunk.oldRem > 0 || this.qHunk.newRem > 0);
    if (c.startsWith("--- ") && this.isPlusPlusPlus(i + 1, d) && !(inCountedHunk && !this.qInterrupted)) {
      this.closeQuotedHunk();
      const plus = unquote(this.lines[i + 1]!).content;
      let f = this.qFile;
      if (!(f && sameDepth && this.qHeader && !this.states.get(f)!.fromFileLines)) {
        f = this.newFile(i, true);
        this.qFile = f;
        this.qDepth = d;
      }
      const st = this.states.get(f)!;
      st.pathDecided = true;
      f.pathKnown = true;
      this.applyMinus(f, c.slice(4));
      this.applyPlus(f, plus.slice(4));
      this.qHeader = true;
      this.qInterrupted = false;
      return i + 2;
    }
    if (c.charCodeAt(0) === 64 /* @ */) {
      const hh = parseHunkHeader(c);
      if (hh) {
        this.closeQuotedHunk();
        const f = this.quotedFile(i, d, sameDepth, true);
        this.qHeader = false;
        this.qInterrupted = false;
        this.qHunk = this.openHunk(f, hh, i, true);
        return i + 1;
      }
    }
    if (sameDepth && this.qHeader) {
      const ext = parseExtHeader(c);
      if (ext) {
        this.applyExt(this.qFile!, ext);
        return i + 1;
      }
    }

    // inside a quoted hunk
    if (sameDepth && this.qHunk) {
      const r = this.quotedHunkLine(i, c);
      if (r >= 0) return r;
    }

    // `diff --git` (+ `index`) followed directly by hunk lines: the header may name another file
    if (sameDepth && this.qHeader) {
      const k = c.charCodeAt(0);
      if ((k === 43 || k === 45 || k === 32) && !c.startsWith("---") && !c.startsWith("+++")) {
        const f = this.qFile!;
        const st = this.states.get(f)!;
        this.qHeader = false;
        if (!st.pathDecided) {
          st.pathDecided = true;
          f.pathKnown = false;
          f.path = "";
        }
        this.qHunk = this.openPositionless(f, i);
        this.qInterrupted = false;
        this.addQuotedLine(this.qHunk, c, i);
        return i + 1;
      }
    }

    // a run of `+`/`-` lines with no header (a trimmed quote)
    const k = c.charCodeAt(0);
    if ((k === 43 || k === 45) && i >= this.qRejectUntil && isDiffLineStart(c)) {
      const run = this.evaluateRun(i, d);
      if (run.code >= 1 && run.code >= run.prose) {
        const f = this.quotedFile(i, d, sameDepth, false);
        this.closeQuotedHunk();
        this.qHeader = false;
        this.qHunk = this.openPositionless(f, i);
        this.qInterrupted = false;
        this.addQuotedLine(this.qHunk, c, i);
        return i + 1;
      }
      this.qRejectUntil = run.end;
    }

    // quoted prose (or a line at another depth): the fragment run stops
    this.interruptQuoted();
    return i + 1;
  }

  /**
   * A line at the depth of the open quoted hunk. Returns the next index when
   * the line was taken (or dropped) as part of the hunk, -1 when the hunk
   * ends here and the line is to be looked at again.
   */
  private quotedHunkLine(i: number, c: string): number {
    const h = this.qHunk!;
    if (isSnipMarker(c)) {
      // lines were left out: what follows has no known position
      this.closeQuotedHunk();
      this.interruptQuoted();
      return i + 1;
    }
    const k = c.charCodeAt(0);
    const isEmpty = c.length === 0;
    const prefixed = k === 43 || k === 45 || k === 32 || k === 92;

    if (h.counted && h.oldRem <= 0 && h.newRem <= 0) {
      this.closeQuotedHunk();
      return -1;
    }
    if (isEmpty) {
      // an empty quoted line: a context line if more hunk lines follow, a
      // separator around the reviewer's comment otherwise
      if (!this.qInterrupted) this.qPendingEmpty.push(i);
      return i + 1;
    }
    if (this.qInterrupted) {
      // after the reviewer's comment: the quote goes on only with hunk lines
      if (k === 92) return i + 1;
      if (!prefixed && !(h.counted && this.webForm && !looksLikeHeader(c) && !isSignatureLine(c))) {
        this.closeQuotedHunk();
        return -1;
      }
      if (isSignatureLine(c) || c.trimEnd() === "---") {
        this.closeQuotedHunk();
        return -1;
      }
      if (!h.counted) {
        const run = this.evaluateRun(i, this.qDepth);
        if (run.prose > run.code) {
          this.closeQuotedHunk();
          return -1;
        }
      } else if (!this.runFits(i, h)) {
        // the quote goes on with more lines than the hunk has left: the
        // reviewer cut lines out along with the comment
        this.closeQuotedHunk();
        return -1;
      }
      this.qInterrupted = false;
    }
    if (k === 92) return i + 1;
    if (!prefixed && h.read === 0 && h.counted && h.hunk.inputLine === this.lineNo(i - 1) && sectionOpen(h.hunk.section) && this.overCounts(i, h)) {
      // `@@ ... @@ int foo(struct a *a,` wrapped by the archive or the mailer:
      // the rest of the section, not a context line
      h.hunk.section = `${h.hunk.section} ${c.trim()}`.trim();
      return i + 1;
    }
    if (!prefixed) {
      // web-archive context line, only inside a counted hunk
      if (!h.counted || !this.webForm || looksLikeHeader(c)) {
        this.closeQuotedHunk();
        return -1;
      }
    }
    if (isSignatureLine(c)) {
      this.closeQuotedHunk();
      return -1;
    }
    // flush pending empty context lines
    for (const e of this.qPendingEmpty) {
      if (h.counted && h.oldRem <= 0 && h.newRem <= 0) break;
      this.pushQuoted(h, " ", "", e);
    }
    this.qPendingEmpty.length = 0;
    if (h.counted && h.oldRem <= 0 && h.newRem <= 0) {
      this.closeQuotedHunk();
      return -1;
    }
    if (h.counted && !fits(h, c)) {
      // more lines of one kind than the `@@` counts allow: the reviewer cut
      // lines (or the next `@@` line) out of the quote; what follows has no
      // known position
      this.closeQuotedHunk();
      return -1;
    }
    this.addQuotedLine(h, c, i);
    return i + 1;
  }

  /**
   * Would the quoted lines from i on hold more pre-image lines than the hunk's
   * counts if line i were a context line, and fit without it? Then line i is
   * the rest of a wrapped `@@` section, not code.
   */
  private overCounts(i: number, h: HunkState): boolean {
    let old = 0;
    let nu = 0;
    for (let j = i; j < this.lines.length; j++) {
      const raw = this.lines[j]!;
      if (raw.charCodeAt(0) !== 62) continue; // the reviewer's comment between quoted parts
      const { content } = unquote(raw);
      if (looksLikeHeader(content) || isSignatureLine(content)) break;
      const k = content.charCodeAt(0);
      if (k === 43) nu++;
      else if (k === 45) old++;
      else if (k !== 92) {
        old++;
        nu++;
      }
    }
    return old > h.oldRem && old - 1 <= h.oldRem && nu - 1 <= h.newRem;
  }

  /**
   * The file a quoted hunk starting at line i belongs to: the quoted file
   * being read when the depth is the same, else a new one whose path is not
   * to be trusted. A file whose path is still undecided gets it now:
   * trusted when the hunk has an `@@` line under its header, not otherwise.
   */
  private quotedFile(i: number, d: number, sameDepth: boolean, trustPath: boolean) {
    let f = this.qFile;
    if (!f || !sameDepth) {
      f = this.newFile(i, true);
      f.pathKnown = false;
      this.states.get(f)!.pathDecided = true;
      this.qFile = f;
      this.qDepth = d;
      return f;
    }
    const st = this.states.get(f)!;
    if (!st.pathDecided) {
      st.pathDecided = true;
      f.pathKnown = trustPath;
      if (trustPath) this.updatePath(f);
      else f.path = "";
    }
    return f;
  }

  private addQuotedLine(h: HunkState, c: string, i: number) {
    const k = c.charCodeAt(0);
    if (k === 43) this.pushQuoted(h, "+", c.slice(1), i);
    else if (k === 45) this.pushQuoted(h, "-", c.slice(1), i);
    else if (k === 32) this.pushQuoted(h, " ", c.slice(1), i);
    else this.pushQuoted(h, " ", c, i);
  }

  private pushQuoted(h: HunkState, kind: LineKind, text: string, i: number) {
    if (h.counted) {
      this.pushCounted(h, kind, text, i);
      return;
    }
    h.hunk.lines.push({ kind, text, oldNo: null, newNo: null, inputLine: this.lineNo(i) });
    if (kind !== "+") h.hunk.oldCount++;
    if (kind !== "-") h.hunk.newCount++;
    h.read++;
  }

  private openPositionless(f: FileDiff, i: number): HunkState {
    return this.openHunk(f, { oldStart: 0, oldCount: 0, newStart: 0, newCount: 0, section: "" }, i, false);
  }

  private closeQuotedHunk() {
    const h = this.qHunk;
    if (!h) return;
    this.qHunk = null;
    this.qPendingEmpty.length = 0;
    if (!h.counted || h.oldRem > 0 || h.newRem > 0) h.hunk.complete = false;
    if (h.counted && (h.oldRem < 0 || h.newRem < 0)) h.hunk.complete = false;
    if (h.hunk.lines.length === 0 && !h.counted) {
      const hs = h.file.hunks;
      if (hs[hs.length - 1] === h.hunk) hs.pop();
    }
  }

  /**
   * Whether the quoted run from line i (up to the next comment or header)
   * fits in what is left of counted hunk h.
   */
  private runFits(i: number, h: HunkState): boolean {
    let oldRem = h.oldRem;
    let newRem = h.newRem;
    let empties = 0;
    const n = this.lines.length;
    for (let j = i; j < n; j++) {
      const raw = this.lines[j]!;
      if (raw.charCodeAt(0) !== 62) return true;
      const u = unquote(raw);
      if (u.depth !== this.qDepth) return true;
      const c = u.content;
      if (c.length === 0) {
        empties++;
        continue;
      }
      const k = c.charCodeAt(0);
      if (k === 92) continue;
      const prefixed = k === 43 || k === 45 || k === 32;
      if (!prefixed && (!this.webForm || looksLikeHeader(c) || isSnipMarker(c) || isSignatureLine(c))) return true;
      for (; empties > 0; empties--) {
        if (oldRem <= 0 || newRem <= 0) return true;
        oldRem--;
        newRem--;
      }
      if (k === 43) {
        if (newRem <= 0) return oldRem <= 0;
        newRem--;
      } else if (k === 45) {
        if (oldRem <= 0) return newRem <= 0;
        oldRem--;
      } else {
        if (oldRem <= 0 || newRem <= 0) return oldRem <= 0 && newRem <= 0;
        oldRem--;
        newRem--;
      }
      if (oldRem <= 0 && newRem <= 0) return true;
    }
    return true;
  }

  /**
   * Looks ahead over the run of quoted lines at depth d from line i while they
   * could be hunk lines, scoring how code-like their `+`/`-` lines are.
   */
  private evaluateRun(i: number, d: number): { end: number; code: number; prose: number } {
    let code = 0;
    let prose = 0;
    let j = i;
    const n = this.lines.length;
    for (; j < n; j++) {
      const raw = this.lines[j]!;
      if (raw.charCodeAt(0) !== 62) break;
      const u = unquote(raw);
      if (u.depth !== d) break;
      const c = u.content;
      if (c.length === 0) continue;
      const k = c.charCodeAt(0);
      if (k === 32) continue;
      if (k !== 43 && k !== 45) break;
      if (!isDiffLineStart(c)) break;
      const s = codeScore(c.slice(1));
      if (s > 0) code++;
      else if (s < 0) prose++;
    }
    return { end: j, code, prose };
  }
}

/** A `+`/`-` line that is not a file header, a `---` separator or a signature. */
function isDiffLineStart(c: string): boolean {
  if (c.startsWith("--- ") || c.startsWith("+++ ")) return false;
  const t = c.trimEnd();
  if (t === "---" || t === "--" || t === "+++") return false;
  return true;
}

/** Whether a quoted hunk line still fits the counts left of its hunk. */
function fits(h: HunkState, c: string): boolean {
  const k = c.charCodeAt(0);
  if (k === 43) return h.newRem > 0;
  if (k === 45) return h.oldRem > 0;
  return h.oldRem > 0 && h.newRem > 0;
}

function looksLikeHeader(c: string): boolean {
  return c.startsWith("diff --git ") || c.startsWith("Index: ") || c.startsWith("@@ ") || c.trimEnd() === "---";
}

function hunkLabel(h: Hunk): string {
  return `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@`;
}

function fileLabel(f: FileDiff): string {
  return f.path || f.newPath || f.oldPath || "";
}

/** A hunk section that stops inside a parameter list (`int foo(struct a *a,`). */
function sectionOpen(section: string): boolean {
  let depth = 0;
  for (const ch of section) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
  }
  return depth > 0;
}
