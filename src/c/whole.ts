/**
 * Whole files as context. When kreview runs in a kernel tree, a file the
 * patch changes can be read whole: the C views are then built from the whole
 * file with the patch applied, so a rule sees the function head, and the
 * lock taken twenty lines above the hunk. Findings still stand only on lines
 * the patch adds.
 *
 * The tree file may hold the pre-image (the patch is not applied yet: a
 * series about to be sent) or the post-image (the commits are in the tree:
 * `kreview --git`). Whichever the hunks' lines match is used; when neither
 * does, the views are built from the hunks alone and the caller says so.
 *
 * No I/O here: the caller hands over the file's text.
 */
import type { FileDiff, PatchLine } from "../patch/model.js";
import type { Side } from "./layout.js";

/** What a tree holds for a path, as the CLI read it. */
export type TreeRead = { text: string } | { refused: string } | null;

/** Reads files of the tree by the path the patch names; null when the tree has no such file. */
export interface TreeSource {
  read(path: string): TreeRead;
  /**
   * The `.c`/`.h` files of the whole tree that name each of `names` as a
   * whole word; null when this tree cannot be searched now.
   */
  search?(names: readonly string[]): Map<string, string[]> | null;
}

/** One side of a file laid out whole: text per row, and the patch line shown on each row (null for lines only the tree shows). */
export interface WholeSide {
  rows: string[];
  lines: (PatchLine | null)[];
}

export interface WholeFile {
  post: WholeSide;
  pre: WholeSide;
  /** Which image the tree held. */
  treeHeld: "pre-image" | "post-image";
}

function splitText(text: string): string[] {
  const rows = text.replace(/\r\n/g, "\n").split("\n");
  if (rows.length > 1 && rows[rows.length - 1] === "") rows.pop();
  return rows;
}

/** Do the hunks' lines of one side stand at their numbers in these rows? */
function matches(file: FileDiff, rows: string[], side: Side): boolean {
  let seen = 0;
  for (const h of file.hunks) {
    if (!h.positionsKnown) return false;
    for (const l of h.lines) {
      const onSide = l.kind === " " || l.kind === (side === "pre" ? "-" : "+");
      if (!onSide) continue;
      const n = side === "pre" ? l.oldNo : l.newNo;
      if (n === null || rows[n - 1] === undefined) return false;
      if (rows[n - 1].trimEnd() !== l.text.trimEnd()) return false;
      seen++;
    }
  }
  return seen > 0 || file.hunks.length > 0;
}

/**
 * Rebuild the other side from one whole side and the hunks: walk the known
 * side's rows, and inside each hunk take the hunk's lines instead.
 */
function otherSide(file: FileDiff, known: string[], knownSide: Side): { known: WholeSide; other: WholeSide } {
  const knownLines: (PatchLine | null)[] = new Array(known.length).fill(null);
  const other: WholeSide = { rows: [], lines: [] };
  const want = (l: PatchLine, side: Side) => l.kind === " " || l.kind === (side === "pre" ? "-" : "+");
  const otherSideName: Side = knownSide === "pre" ? "post" : "pre";
  let row = 0; // next row of the known side not yet copied
  for (const h of file.hunks) {
    const start = (knownSide === "pre" ? h.oldStart : h.newStart) - (knownCount(h, knownSide) === 0 ? 0 : 1);
    while (row < start && row < known.length) {
      other.rows.push(known[row]);
      other.lines.push(null);
      row++;
    }
    for (const l of h.lines) {
      if (want(l, knownSide)) {
        const n = (knownSide === "pre" ? l.oldNo : l.newNo)! - 1;
        knownLines[n] = l;
        row = n + 1;
      }
      if (want(l, otherSideName)) {
        other.rows.push(l.text);
        other.lines.push(l);
      }
    }
  }
  while (row < known.length) {
    other.rows.push(known[row]);
    other.lines.push(null);
    row++;
  }
  return { known: { rows: known, lines: knownLines }, other };
}

function knownCount(h: FileDiff["hunks"][number], side: Side): number {
  return side === "pre" ? h.oldCount : h.newCount;
}

/**
 * Lay a file out whole from the tree's text, or return null when the hunks
 * do not match it (then the hunks alone are used).
 */
export function wholeFile(file: FileDiff, treeText: string): WholeFile | null {
  if (file.fragment || file.binary || file.hunks.length === 0) return null;
  const rows = splitText(treeText);
  if (matches(file, rows, "pre")) {
    const { known, other } = otherSide(file, rows, "pre");
    return { pre: known, post: other, treeHeld: "pre-image" };
  }
  if (matches(file, rows, "post")) {
    const { known, other } = otherSide(file, rows, "post");
    return { post: known, pre: other, treeHeld: "post-image" };
  }
  return null;
}
