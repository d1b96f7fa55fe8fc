/**
 * The prose parts of a patch mail: commit message, trailers, and what the
 * subject says (reply, cover letter).
 */
import type { Trailer } from "./model.js";

const IN_BODY_HEADER_RE = /^(From|Date|Subject): /;
const TRAILER_RE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]+(\S.*)$/;
const KNOWN_TRAILERS = new Set(
  [
    "signed-off-by",
    "reviewed-by",
    "acked-by",
    "tested-by",
    "reported-by",
    "suggested-by",
    "co-developed-by",
    "fixes",
    "link",
    "cc",
    "closes",
    "requested-by",
    "reported-and-tested-by",
    "debugged-by",
    "bisected-by",
    "originally-by",
    "message-id",
    "change-id",
    "based-on-patch-by",
  ].map((s) => s.toLowerCase()),
);

export interface CommitMessage {
  text: string;
  trailers: Trailer[];
}

/**
 * The commit message: the lines before the first `---` separator line or the
 * first diff line (`end`, exclusive), whichever comes first, without the
 * in-body `From:`/`Date:`/`Subject:` lines `git am` takes off the top, and
 * without leading and trailing blank lines. Trailers are read from its last
 * paragraph.
 */
export function readCommitMessage(lines: string[], end: number, lineNo: (i: number) => number): CommitMessage {
  let stop = Math.min(end < 0 ? lines.length : end, lines.length);
  for (let i = 0; i < stop; i++) {
    if (lines[i]!.trimEnd() === "---") {
      stop = i;
      break;
    }
  }
  let start = 0;
  while (start < stop && lines[start]!.trim() === "") start++;
  // in-body headers (`From: Author <a@b>` then a blank line)
  if (start < stop && IN_BODY_HEADER_RE.test(lines[start]!)) {
    let j = start;
    while (j < stop && IN_BODY_HEADER_RE.test(lines[j]!)) j++;
    if (j < stop && lines[j]!.trim() === "") {
      start = j;
      while (start < stop && lines[start]!.trim() === "") start++;
    }
  }
  while (stop > start && lines[stop - 1]!.trim() === "") stop--;
  const text = lines.slice(start, stop).join("\n");

  // last paragraph
  let p = stop;
  while (p > start && lines[p - 1]!.trim() !== "") p--;
  const trailers: Trailer[] = [];
  let known = 0;
  let others = 0;
  for (let i = p; i < stop; i++) {
    const m = TRAILER_RE.exec(lines[i]!);
    if (m) {
      const key = m[1]!;
      trailers.push({ key, value: m[2]!.trimEnd(), inputLine: lineNo(i) });
      if (KNOWN_TRAILERS.has(key.toLowerCase()) || /-by$/i.test(key)) known++;
    } else if (lines[i]!.startsWith(" ") || lines[i]!.startsWith("\t") || lines[i]!.startsWith("[")) {
      // continuation line or a maintainer's `[ note ]`
    } else others++;
  }
  // a paragraph of prose that happens to hold `Note: ...` is not a trailer block
  const isTrailerBlock = known > 0 || (trailers.length > 0 && others === 0);
  return { text, trailers: isTrailerBlock ? trailers : [] };
}

/** Reply prefixes in several languages (`Re:`, `Aw:`, `Sv:`, ...). */
const REPLY_RE = /^(?:re|aw|sv|antw|odp|vs|ynt|回复|回覆|答复)(?:\[\d+\])?\s*[:：]/i;

/**
 * True when the subject starts with a reply prefix, also after list tags
 * such as `[dm-devel]` that are not a patch tag.
 */
export function isReplySubject(subject: string): boolean {
  let s = subject.trim();
  for (let k = 0; k < 6; k++) {
    if (REPLY_RE.test(s)) return true;
    if (!s.startsWith("[")) return false;
    const close = s.indexOf("]");
    if (close < 0) return false;
    const tag = s.slice(0, close + 1);
    if (/patch|rfc/i.test(tag)) return false;
    s = s.slice(close + 1).trimStart();
  }
  return false;
}

/** A cover letter: `[PATCH 0/N]`, `[PATCH v3 00/12]`, `[RFC PATCH 000/100]`. */
export function isCoverLetterSubject(subject: string): boolean {
  let pos = 0;
  for (;;) {
    const open = subject.indexOf("[", pos);
    if (open < 0) return false;
    const close = subject.indexOf("]", open);
    if (close < 0) return false;
    const tag = subject.slice(open + 1, close);
    if (/(?:^|[\s,])0+\/\d+$/.test(tag.trim())) return true;
    pos = close + 1;
  }
}
