/**
 * Patch model: series → patch → file diff → hunk → line.
 *
 * Built from decoded mail text. Knows nothing about C.
 */

export type LineKind = "+" | "-" | " ";

export interface PatchLine {
  kind: LineKind;
  /** The line's text without the leading `+`/`-`/` ` (and without any `> ` quote marks). */
  text: string;
  /** Pre-image line number, or null for added lines or when unknown. */
  oldNo: number | null;
  /** Post-image line number, or null for deleted lines or when unknown (trimmed quote). */
  newNo: number | null;
  /** 1-based line of the input (see Mail/TextSegment for what "input" means). */
  inputLine: number;
}

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text after the second `@@` (usually the enclosing function's head). */
  section: string;
  lines: PatchLine[];
  /** 1-based input line of the `@@` line, or of the first hunk line when there is none. */
  inputLine: number;
  /** False when the line numbers are unknown (a quoted fragment with no `@@` line). */
  positionsKnown: boolean;
  /** False when the hunk ended before its counts were met (truncated mail, bad counts). */
  complete: boolean;
}

export type FileStatus = "modified" | "added" | "deleted" | "renamed" | "copied";

export interface FileDiff {
  /** Path before the change (without `a/`), null for a new file. */
  oldPath: string | null;
  /** Path after the change (without `b/`), null for a deleted file. */
  newPath: string | null;
  /** The path to name in reports: newPath, else oldPath, else "". */
  path: string;
  status: FileStatus;
  binary: boolean;
  hunks: Hunk[];
  /** 1-based input line of the `diff --git` (or `---`) line that opened this file. */
  inputLine: number;
  /**
   * True for code quoted in a review reply: the lines are a fragment of the
   * file, possibly without positions, possibly under a header that names
   * another file.
   */
  fragment: boolean;
  /**
   * False when the file name is not to be trusted: a quoted fragment with no
   * header, or one whose `diff --git` header is followed by code from another
   * file (a trimmed quote). Absent means true.
   */
  pathKnown?: boolean;
}

export type MessageKind = "patch" | "reply" | "no-diff" | "unreadable";

export interface Trailer {
  key: string;
  value: string;
  inputLine: number;
}

/** Something wrong with the input itself (not with the code it changes). */
export interface InputProblem {
  /** `patch-format` for hunks that do not add up; `input` for decoding trouble. */
  kind: "patch-format" | "input";
  message: string;
  /** File the problem is in, when it is about one file diff. */
  file?: string;
  /** 1-based input line where it shows. */
  inputLine?: number;
}

export interface Patch {
  source: string;
  index: number;
  kind: MessageKind;
  subject: string;
  from: string;
  fromAddress: string;
  date: string;
  messageId: string;
  inReplyTo: string;
  references: string[];
  to: string[];
  cc: string[];
  /** The commit message (body text before the `---` separator / first diff). */
  commitMessage: string;
  trailers: Trailer[];
  files: FileDiff[];
  problems: InputProblem[];
  /** Why a message is `unreadable`, or what a `no-diff` message is (cover letter, discussion). */
  reason?: string;
  /** Total number of input lines the message had (for "lines checked"). */
  lineCount: number;
}

export interface Series {
  patches: Patch[];
}
