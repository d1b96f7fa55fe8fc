/**
 * A whole source file as a patch (`kreview -f FILE`, checkpatch's `--file`):
 * the patch that adds the file, every line an added line. checkpatch does
 * the same by linting `diff -u /dev/null FILE`.
 *
 * The file is named as the user gave it: that is the file of every finding.
 * Post-image line N is line N of the file, and so is the input line (`#N`),
 * since the input is the file itself. There is no mail: no subject, no
 * commit message, no trailers.
 */
import type { FileDiff, Patch, PatchLine } from "./model.js";
import { splitLines } from "./scan.js";

export function sourcePatch(source: string, text: string): Patch {
  const lines = splitLines(text);
  const added: PatchLine[] = lines.map((line, i) => ({ kind: "+", text: line, oldNo: null, newNo: i + 1, inputLine: i + 1 }));
  const file: FileDiff = {
    oldPath: null,
    newPath: source,
    path: source,
    status: "added",
    binary: false,
    // An empty file adds nothing: no hunk (diff -u /dev/null prints none either).
    hunks:
      added.length === 0
        ? []
        : [{ oldStart: 0, oldCount: 0, newStart: 1, newCount: added.length, section: "", lines: added, inputLine: 1, positionsKnown: true, complete: true }],
    inputLine: 1,
    fragment: false,
  };
  return {
    source,
    index: 0,
    kind: "patch",
    subject: "",
    from: "",
    fromAddress: "",
    date: "",
    messageId: "",
    inReplyTo: "",
    references: [],
    to: [],
    cc: [],
    commitMessage: "",
    trailers: [],
    files: [file],
    problems: [],
    lineCount: lines.length,
  };
}
