/**
 * parsePatch(mail): decoded mail → Patch.
 *
 * Why the hunk reader is ours and not parse-diff's: parse-diff (0.12) reads a
 * clean unified diff from a string. It gives no input line numbers for the
 * lines it returns (every finding must point at a line of the mail), it does
 * not report a hunk that ends before its counts are met (it silently takes
 * what is there or runs on into the next text), it knows nothing of quote
 * marks (`> > +`), of trimmed quotes with no `@@` line, of reviewer comments
 * interleaved with a quoted hunk, or of the web-archive form where context
 * lines lost their leading space. Those are most of what this layer is for,
 * so the reader in scan.ts walks the lines itself, one pass, line by line.
 *
 * Line counting (`lineCount`): the lines of the message as read, headers
 * included (Mail.lineCount), as checkpatch counts the lines of a patch file;
 * the lines of all text segments when a Mail does not say.
 *
 * Input lines: the line at 0-based index k of a segment is
 * `segment.inputLine ?? (segment.lineBase + 1)` plus k.
 */
import type { Mail, TextSegment } from "../input/types.js";
import type { FileDiff, InputProblem, Patch } from "./model.js";
import { isCoverLetterSubject, isReplySubject, readCommitMessage } from "./message.js";
import { SegmentScanner, splitLines } from "./scan.js";

/** Input line of the first line of a segment. */
export function segmentBase(seg: TextSegment): number {
  return seg.inputLine ?? seg.lineBase + 1;
}

export function parsePatch(mail: Mail): Patch {
  const patch = emptyPatch(mail);
  try {
    fill(patch, mail);
  } catch (e) {
    // never throw: keep what the headers gave, say what went wrong
    const msg = e instanceof Error ? e.message : String(e);
    patch.files = [];
    patch.kind = "unreadable";
    patch.reason = `internal error while reading the patch: ${msg}`;
    patch.problems.push({ kind: "input", message: patch.reason });
  }
  return patch;
}

function emptyPatch(mail: Mail): Patch {
  const h = mail.headers ?? ({} as Partial<Mail["headers"]>);
  return {
    source: mail.source ?? "",
    index: mail.index ?? 0,
    kind: "no-diff",
    subject: h.subject ?? "",
    from: h.from ?? "",
    fromAddress: h.fromAddress ?? "",
    date: h.date ?? "",
    messageId: h.messageId ?? "",
    inReplyTo: h.inReplyTo ?? "",
    references: [...(h.references ?? [])],
    to: [...(h.to ?? [])],
    cc: [...(h.cc ?? [])],
    commitMessage: "",
    trailers: [],
    files: [],
    problems: [],
    lineCount: 0,
  };
}

function fill(patch: Patch, mail: Mail) {
  for (const p of mail.problems ?? []) patch.problems.push({ kind: "input", message: p });
  const segments = mail.segments ?? [];
  const split = segments.map((s) => splitLines(s.text ?? ""));
  patch.lineCount = mail.lineCount || split.reduce((n, l) => n + l.length, 0);

  if (mail.unreadable) {
    patch.kind = "unreadable";
    patch.reason = mail.unreadable;
    return;
  }

  const files: FileDiff[] = [];
  const problems: InputProblem[] = [];
  for (let k = 0; k < segments.length; k++) {
    const lines = split[k]!;
    const base = segmentBase(segments[k]!);
    const scan = new SegmentScanner(lines, base).scan();
    files.push(...scan.files);
    problems.push(...scan.problems);
    if (k === 0) {
      const commit = readCommitMessage(lines, scan.firstDiffIndex, (i) => base + i);
      patch.commitMessage = commit.text;
      patch.trailers = commit.trailers;
    }
  }
  patch.files = files;
  patch.problems.push(...problems);

  const unquoted = files.some((f) => !f.fragment);
  const quoted = files.some((f) => f.fragment);
  const reply = isReplySubject(patch.subject);
  if (unquoted && !reply) patch.kind = "patch";
  else if (unquoted || quoted) patch.kind = "reply";
  else {
    patch.kind = "no-diff";
    patch.reason = !reply && isCoverLetterSubject(patch.subject) ? "cover letter" : "no diff in message";
  }
}
