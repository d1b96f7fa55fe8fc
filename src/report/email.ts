/**
 * `email`: for each message with findings, a review reply in the form kernel
 * reviewers send to the list, all in one mbox (docs/email-reply.md).
 *
 *   From kreview Mon Sep 17 00:00:00 2001
 *   To: Chao Peng <chao.p.peng@linux.intel.com>
 *   Cc: kvm@vger.kernel.org, ...
 *   Subject: Re: [PATCH v5 02/13] mm: Introduce memfile_notifier
 *   In-Reply-To: <20220310140911.50924-3-chao.p.peng@linux.intel.com>
 *   References: <20220310140911.50924-1-chao.p.peng@linux.intel.com>
 *    <20220310140911.50924-3-chao.p.peng@linux.intel.com>
 *   MIME-Version: 1.0
 *   Content-Type: text/plain; charset=UTF-8
 *   Content-Transfer-Encoding: 8bit
 *
 *   On Thu, Mar 10, 2022 at 10:09:00PM +0800, Chao Peng wrote:
 *   > diff --git a/mm/memfile_notifier.c b/mm/memfile_notifier.c
 *   ...
 *   > +	if (!inode || !notifier | !pfn_ops)
 *
 *   Bitwise '|' between truth values in a condition: did you mean '||'?
 *   ...
 *
 * Choices, and why:
 * - No `From:` header. git send-email writes the sender it is configured
 *   with (--from, sendemail.from, user.name/user.email); a `From:` in the
 *   file that differs from it would be copied into the body as a
 *   "From: ..." line, as for a patch by another author. No `Date:` and no
 *   `Message-ID:` either: send-email makes both, and a date here would make
 *   the output depend on the clock.
 * - No signature: the reply is the user's, to read, edit and sign; a tool's
 *   footer on a list reply reads as automated mail.
 * - The mbox separator is git format-patch's fixed `From ... Mon Sep 17
 *   00:00:00 2001` line: deterministic, and what `git am` and
 *   `git mailsplit` recognise. git send-email sends a whole file as one
 *   message, so several replies are split first (`git mailsplit`).
 * - Quotes are trimmed to what the findings are about; the rule is in
 *   `quoteRanges` below and in docs/email-reply.md.
 *
 * Needs each result's `patch` (the CLI keeps them for this format); without
 * it the reply quotes only the lines the findings name.
 */
import type { Finding, MessageResult, RelatedLocation, Suggestion } from "../engine/types.js";
import type { FileDiff, Hunk, Patch, PatchLine } from "../patch/model.js";
import { collected, type StreamFactory } from "./types.js";
import { oneLine } from "./util.js";

/** git format-patch's separator date: fixed, so the output does not depend on the clock. */
export const MBOX_SEPARATOR = "From kreview Mon Sep 17 00:00:00 2001";

/** Where prose is wrapped, as mail clients wrap replies. */
const WRAP = 72;
/** A function whose head is at most this far above the finding is quoted whole, from its head. */
const WHOLE_FUNCTION = 30;
/** Otherwise at most this many lines above the finding are quoted, back to the last blank line. */
const LEAD = 8;
/** A second finding further than this below the first in the same function starts a new quote. */
const CONTINUE = 20;
/** How far below a function head its opening `{` may be. */
const HEAD_LINES = 8;

export const emailStream: StreamFactory = () => {
  let any = false;
  return {
    message(r) {
      if (r.findings.length === 0) return "";
      // mbox: each message after the first is preceded by a blank line.
      const out = (any ? "\n" : "") + reply(r);
      any = true;
      return out;
    },
    end: () => "",
  };
};

export const email = collected(emailStream);

function reply(r: MessageResult): string {
  const patch = r.patch;
  return [MBOX_SEPARATOR, ...headers(r, patch), "", ...body(r, patch).map(escapeFromLine)].join("\n") + "\n";
}

// ---- headers ----

function headers(r: MessageResult, patch: Patch | undefined): string[] {
  const out: string[] = [];
  const author = patch ? (patch.from || patch.fromAddress) : "";
  if (author) out.push(addressHeader("To", [author]));

  if (patch) {
    // Reply to all, as reviewers do on the list: the patch's To and Cc, once each, not the author again.
    const seen = new Set<string>([addressKey(author)]);
    const cc: string[] = [];
    for (const a of [...patch.to, ...patch.cc]) {
      const key = addressKey(a);
      if (key === "" || seen.has(key)) continue;
      seen.add(key);
      cc.push(a);
    }
    if (cc.length > 0) out.push(addressHeader("Cc", cc));
  }

  const subject = oneLine(patch?.subject ?? r.subject).trim();
  out.push(unstructuredHeader("Subject", /^re\s*:/i.test(subject) ? subject : `Re: ${subject}`));

  const id = bareId(patch?.messageId ?? r.messageId);
  if (id) {
    out.push(`In-Reply-To: <${id}>`);
    // RFC 5322 3.6.4: the parent's References (or its In-Reply-To when it has none), then the parent.
    const parents = patch ? (patch.references.length > 0 ? patch.references : patch.inReplyTo ? [patch.inReplyTo] : []) : [];
    const chain: string[] = [];
    for (const p of [...parents, id].map(bareId)) if (p && !chain.includes(p)) chain.push(p);
    out.push(`References: ${chain.map((c) => `<${c}>`).join("\n ")}`);
  }

  out.push("MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit");
  return out;
}

function bareId(id: string): string {
  return oneLine(id).trim().replace(/^<+|>+$/g, "").trim();
}

/** The address part, lower case, for telling one recipient from another. */
function addressKey(a: string): string {
  const m = /<([^<>]*)>\s*$/.exec(a);
  return (m ? m[1]! : a).trim().toLowerCase();
}

/** `To:`/`Cc:` folded between addresses, each address in RFC 5322 form. */
function addressHeader(name: string, addresses: string[]): string {
  const parts = addresses.map((a, i) => mailbox(a) + (i < addresses.length - 1 ? "," : ""));
  const lines: string[] = [];
  let line = `${name}:`;
  for (const p of parts) {
    if (line.length + 1 + p.length > 78 && line.length > name.length + 1) {
      lines.push(line);
      line = `\t${p}`;
    } else line += ` ${p}`;
  }
  lines.push(line);
  return lines.join("\n");
}

/**
 * The parser gives "Name <addr>" with the name unquoted; a name with a comma
 * or a dot must be quoted again ("Wong, Darrick" is otherwise two
 * recipients), and a name outside ASCII is encoded (RFC 2047).
 */
function mailbox(a: string): string {
  a = oneLine(a).trim();
  const m = /^(.*?)\s*<([^<>]*)>$/.exec(a);
  if (!m) return a;
  const name = m[1]!.replace(/^"(.*)"$/, "$1").trim();
  const addr = m[2]!.trim();
  if (name === "") return `<${addr}>`;
  if (!isAscii(name)) return `${encodedWords(name, "phrase").join(" ")} <${addr}>`;
  if (/[()<>[\]:;@\\,."]/.test(name)) return `"${name.replace(/(["\\])/g, "\\$1")}" <${addr}>`;
  return `${name} <${addr}>`;
}

/** An unstructured header (Subject), encoded when it is not ASCII and folded between encoded words. */
function unstructuredHeader(name: string, value: string): string {
  if (isAscii(value)) return `${name}: ${value}`;
  return `${name}: ${encodedWords(value, "text", name.length + 2).join("\n ")}`;
}

function isAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/**
 * RFC 2047 Q-encoded words of at most 75 characters, never splitting a
 * character's UTF-8 bytes. In a phrase (a display name) only letters,
 * digits and !*+-/ may stay as they are. The first word leaves room for
 * the header's name, so that no line is longer than 76 characters.
 */
function encodedWords(s: string, where: "text" | "phrase", lead = 0): string[] {
  const plain = where === "phrase" ? /[A-Za-z0-9!*+\-/]/ : /[\x21-\x3c\x3e\x40-\x5e\x60-\x7e]/;
  const prefix = "=?UTF-8?Q?";
  const words: string[] = [];
  let word = "";
  const room = () => 75 - prefix.length - 2 - (words.length === 0 ? lead : 1);
  for (const ch of s) {
    let enc: string;
    if (ch === " ") enc = "_";
    else if (plain.test(ch)) enc = ch;
    else enc = [...new TextEncoder().encode(ch)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
    if (word.length + enc.length > room() && word !== "") {
      words.push(word);
      word = "";
    }
    word += enc;
  }
  if (word !== "" || words.length === 0) words.push(word);
  return words.map((w) => `${prefix}${w}?=`);
}

// ---- body ----

/** Where a finding stands in the patch. */
interface Place {
  file: number;
  hunk: number;
  line: number;
}

interface Located {
  at: Place;
  findings: Finding[];
}

function body(r: MessageResult, patch: Patch | undefined): string[] {
  const out: string[] = [];
  const said = new Set<string>();
  const { located, unlocated } = locate(r.findings, patch);
  const hasDiff = patch !== undefined && patch.files.some((f) => f.hunks.length > 0);

  const attribution = patch ? attributionLine(patch) : "";
  if (attribution) out.push(attribution);

  // Findings about the commit message (or a line the patch model does not hold): the line they name, then the comment.
  const general = unlocated.filter((f) => f.sourceLine === undefined);
  const onLines = groupBy(unlocated.filter((f) => f.sourceLine !== undefined), (f) => `${f.patchLine}\0${f.sourceKind ?? ""}${f.sourceLine}`);
  if (general.length > 0) {
    const quoted = patch ? commitParagraph(patch.commitMessage) : [];
    for (const l of quoted) out.push(quote(l));
    if (quoted.length > 0 || attribution) out.push("");
    for (const f of general) out.push(...comment(f, undefined, said), "");
    if (onLines.length > 0 || located.length > 0 || hasDiff) out.push("[...]", "");
  }
  onLines.forEach((group, i) => {
    const f = group[0]!;
    out.push(quote(`${f.sourceKind ?? ""}${f.sourceLine}`), "");
    for (const g of group) out.push(...comment(g, undefined, said), "");
    if (i < onLines.length - 1 || located.length > 0 || hasDiff) out.push("[...]", "");
  });

  if (patch) out.push(...diffQuotes(patch, located, said));
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** Each finding's place in the patch: by its line of the input, else by file and post-image line. */
function locate(findings: readonly Finding[], patch: Patch | undefined): { located: Located[]; unlocated: Finding[] } {
  const byInput = new Map<number, Place>();
  const byNew = new Map<string, Place>();
  patch?.files.forEach((file, fi) =>
    file.hunks.forEach((hunk, hi) =>
      hunk.lines.forEach((line, li) => {
        const at = { file: fi, hunk: hi, line: li };
        if (!byInput.has(line.inputLine)) byInput.set(line.inputLine, at);
        if (line.newNo !== null && file.path !== "") byNew.set(`${file.path}\0${line.newNo}`, at);
      }),
    ),
  );
  const located = new Map<string, Located>();
  const unlocated: Finding[] = [];
  for (const f of findings) {
    const at = (f.patchLine !== null ? byInput.get(f.patchLine) : undefined) ?? (f.file !== "" && f.line !== null ? byNew.get(`${f.file}\0${f.line}`) : undefined);
    if (!at) {
      unlocated.push(f);
      continue;
    }
    const key = `${at.file}:${at.hunk}:${at.line}`;
    const l = located.get(key);
    if (l) l.findings.push(f);
    else located.set(key, { at, findings: [f] });
  }
  const sorted = [...located.values()].sort((a, b) => a.at.file - b.at.file || a.at.hunk - b.at.hunk || a.at.line - b.at.line);
  return { located: sorted, unlocated };
}

/**
 * The diff, quoted only where findings are: per file its header, per hunk
 * its `@@` line, then for each finding the lines `quoteRanges` picks, the
 * comment under the finding's line, and `[...]` where text is left out.
 */
function diffQuotes(patch: Patch, located: Located[], said: Set<string>): string[] {
  const out: string[] = [];
  let lastFile = -1;
  let lastHunk = -1;
  let cursor = -1;
  located.forEach((loc, i) => {
    const file = patch.files[loc.at.file]!;
    const hunk = file.hunks[loc.at.hunk]!;
    const q = quoteOf(file);
    let ranges: Array<[number, number]>;
    if (loc.at.file === lastFile && loc.at.hunk === lastHunk) {
      // The previous finding's quote ended at `cursor`, and it decided to continue (see below) or wrote `[...]`.
      ranges = continues(hunk, cursor, loc.at.line) ? [[cursor + 1, loc.at.line]] : quoteRanges(hunk.lines, loc.at.line, cursor + 1);
    } else {
      if (loc.at.file !== lastFile) out.push(...fileHeader(file).map(q));
      if (hunk.positionsKnown) out.push(q(hunkHeader(hunk)));
      ranges = quoteRanges(hunk.lines, loc.at.line, 0);
      if (ranges[0]![0] > 0) out.push(q("[...]"));
    }
    ranges.forEach(([a, b], k) => {
      if (k > 0) out.push(q("[...]"));
      for (let j = a; j <= b; j++) out.push(q(diffLine(hunk.lines[j]!)));
    });
    out.push("");
    const line = hunk.lines[loc.at.line]!;
    for (const f of loc.findings) out.push(...comment(f, line, said), "");

    lastFile = loc.at.file;
    lastHunk = loc.at.hunk;
    cursor = loc.at.line;
    const next = located[i + 1];
    const sameHunk = next !== undefined && next.at.file === loc.at.file && next.at.hunk === loc.at.hunk;
    if (sameHunk && continues(hunk, cursor, next.at.line)) return;
    if (moreAfter(patch, loc.at)) out.push("[...]", "");
  });
  return out;
}

/** Quoting goes on from `cursor` to the next finding when it is in the same function, not far below. */
function continues(hunk: Hunk, cursor: number, next: number): boolean {
  if (next - cursor > CONTINUE) return false;
  const ranges = quoteRanges(hunk.lines, next, 0);
  return ranges[0]![0] <= cursor + 1;
}

/** Anything in the patch after this line: then the quote was trimmed there. */
function moreAfter(patch: Patch, at: Place): boolean {
  const file = patch.files[at.file]!;
  if (at.line < file.hunks[at.hunk]!.lines.length - 1) return true;
  if (at.hunk < file.hunks.length - 1) return true;
  return patch.files.slice(at.file + 1).some((f) => f.hunks.length > 0);
}

/**
 * The hunk lines to quote for a finding on `lines[idx]`, never above `floor`:
 * - the enclosing function from its head, when the head is in the hunk and
 *   at most WHOLE_FUNCTION lines above;
 * - when it is further, the head down to its `{`, then the lead-in below;
 * - when the head is not in the hunk, the lead-in: back to the last blank
 *   line, at most LEAD lines above (and never above a closing `}` at the
 *   left margin, which ends the previous function).
 */
export function quoteRanges(lines: readonly PatchLine[], idx: number, floor: number): Array<[number, number]> {
  const { head, lower } = functionHead(lines, idx, floor);
  if (head !== null && idx - head <= WHOLE_FUNCTION) return [[head, idx]];
  if (head !== null) {
    const end = headEnd(lines, head, idx);
    const lead = leadIn(lines, idx, end + 1);
    return lead > end + 1 ? [[head, end], [lead, idx]] : [[head, idx]];
  }
  return [[leadIn(lines, idx, lower), idx]];
}

/**
 * The head of the function (or struct, or initialiser) around `lines[idx]`:
 * the nearest line above that starts at the left margin with a name and is
 * not a label, a statement or a preprocessor line, with any return-type-only
 * lines just above it (`static int` over `foo(void)`). A `}` at the margin
 * on the way means the head is not in the hunk; `lower` is then the line
 * after it.
 */
function functionHead(lines: readonly PatchLine[], idx: number, floor: number): { head: number | null; lower: number } {
  for (let j = idx; j >= floor; j--) {
    const t = lines[j]!.text;
    if (j < idx && t.startsWith("}")) return { head: null, lower: j + 1 };
    if (isHead(t)) {
      let k = j;
      while (k - 1 >= floor && /^[A-Za-z_][\w\s*]*$/.test(lines[k - 1]!.text) && !isLabel(lines[k - 1]!.text)) k--;
      return { head: k, lower: k };
    }
  }
  return { head: null, lower: floor };
}

function isHead(t: string): boolean {
  return /^[A-Za-z_]/.test(t) && !isLabel(t) && !/;\s*(\/[*/].*)?$/.test(t);
}

function isLabel(t: string): boolean {
  return /^[A-Za-z_]\w*\s*:(?!:)/.test(t);
}

/** The line with the function's opening `{` (or the head line itself when none is near). */
function headEnd(lines: readonly PatchLine[], head: number, idx: number): number {
  for (let j = head; j < Math.min(idx, head + HEAD_LINES); j++) if (/\{\s*$/.test(lines[j]!.text)) return j;
  return head;
}

/** From the line after the last blank one above `idx`, at most LEAD lines up, never above `lower`. */
function leadIn(lines: readonly PatchLine[], idx: number, lower: number): number {
  const top = Math.max(lower, idx - LEAD);
  for (let j = idx - 1; j >= top; j--) if (lines[j]!.text.trim() === "") return j + 1;
  return top;
}

/** The quote prefix: code quoted in a review reply was already quoted once there. */
function quoteOf(file: FileDiff): (s: string) => string {
  const prefix = file.fragment ? "> > " : "> ";
  return (s) => prefix + s;
}

function quote(s: string): string {
  return `> ${s}`;
}

function diffLine(l: PatchLine): string {
  return l.kind + l.text;
}

/** The file's header as git writes it (the `index` line is not kept by the model, and reviewers drop it too). */
function fileHeader(file: FileDiff): string[] {
  if (file.fragment && file.pathKnown === false) return [];
  const oldPath = file.oldPath ?? file.newPath ?? file.path;
  const newPath = file.newPath ?? file.oldPath ?? file.path;
  return [
    `diff --git a/${oldPath} b/${newPath}`,
    file.oldPath === null ? "--- /dev/null" : `--- a/${file.oldPath}`,
    file.newPath === null ? "+++ /dev/null" : `+++ b/${file.newPath}`,
  ];
}

/** `@@ -a,b +c,d @@ section`, with git's habit of leaving out a count of 1. */
function hunkHeader(h: Hunk): string {
  const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  return `@@ -${range(h.oldStart, h.oldCount)} +${range(h.newStart, h.newCount)} @@${h.section ? ` ${h.section}` : ""}`;
}

/** The commit message's first paragraph, for comments about the message as a whole. */
function commitParagraph(message: string): string[] {
  const lines = message.replace(/^(\s*\n)+/, "").split("\n");
  const end = lines.findIndex((l) => l.trim() === "");
  return lines.slice(0, Math.min(end < 0 ? lines.length : end, 10));
}

// ---- the comment ----

/**
 * A finding in a reviewer's words: its message as a sentence, where the
 * related locations are, then the fix. A comment already made in this reply
 * is not repeated: "Same as above."
 */
function comment(f: Finding, line: PatchLine | undefined, said: Set<string>): string[] {
  const text = sentence(f.message, f.related, f.file);
  const out: string[] = [];
  if (said.has(text)) out.push("Same as above.");
  else {
    said.add(text);
    out.push(...wrap(text));
  }
  if (f.suggestion) out.push(...fix(f.suggestion, line));
  return out;
}

const QUESTION = /^(did|do|does|can|could|should|shouldn't|is|isn't|are|was|were|will|would|why|how|what|where|which|who|must)\b/i;

/**
 * "bitwise '|' ...: did you mean '||'" → "Bitwise '|' ...: did you mean '||'?"
 *
 * Related locations follow in the reviewer's way of pointing: a note with
 * its own subject ("'x' is checked for NULL here") becomes a sentence of its
 * own, a bare one ("walked here with no lock held") a parenthesis at the
 * end; "here" becomes "at line N".
 */
export function sentence(message: string, related: readonly RelatedLocation[] = [], file = ""): string {
  let s = oneLine(message).trim().replace(/[.;:,]+$/, "");
  // The question, when there is one, is the last clause: "...: can 'x' be NULL here", "..., did you mean '||'".
  const last = s.split(/[:;,]\s+/).pop() ?? s;
  const mark = /[?!]$/.test(s) ? "" : QUESTION.test(last.trim()) ? "?" : ".";
  const notes = related.map((r) => relatedPhrase(r, file)).filter((p) => p !== "");
  const bare = notes.filter((n) => !/^['"`]/.test(n));
  const own = notes.filter((n) => /^['"`]/.test(n));
  if (bare.length > 0) s += ` (${bare.join("; ")})`;
  return [capitalise(s) + mark, ...own.map((n) => `${n}.`)].join(" ");
}

/** "walked here with no lock held" + line 64 → "walked at line 64 with no lock held". */
function relatedPhrase(r: RelatedLocation, file: string): string {
  const msg = oneLine(r.message).trim().replace(/[.;:,]+$/, "");
  if (r.line === null) return msg;
  const at = r.file === "" || r.file === file ? `line ${r.line}` : `${r.file}:${r.line}`;
  return /\bhere\b/.test(msg) ? msg.replace(/\bhere\b(?![\s\S]*\bhere\b)/, `at ${at}`) : `${msg}: ${at}`;
}

function capitalise(s: string): string {
  return /^[a-z]/.test(s) ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** The suggested fix: in words, and as the fixed line when the replaced range is on the quoted line. */
function fix(s: Suggestion, line: PatchLine | undefined): string[] {
  const words = capitalise(oneLine(s.message).trim().replace(/[.;:,]+$/, ""));
  const fixed = line ? fixedLine(s, line) : null;
  if (fixed === null) return ["", ...wrap(`${words}.`)];
  return ["", ...wrap(`${words}:`), "", ...fixed.split("\n").map((l) => (/^\s/.test(l) || l === "" ? l : `\t${l}`))];
}

/**
 * The quoted line with the replacement applied, when the suggestion's range
 * lies within it. Columns are tree-sitter's, counted in UTF-8 bytes.
 */
function fixedLine(s: Suggestion, line: PatchLine): string | null {
  if (line.newNo === null || s.line !== line.newNo || s.endLine !== line.newNo || s.column === null || s.endColumn === null) return null;
  const bytes = new TextEncoder().encode(line.text);
  if (s.column < 1 || s.endColumn < s.column || s.endColumn - 1 > bytes.length) return null;
  const dec = new TextDecoder("utf-8", { fatal: true });
  try {
    const before = dec.decode(bytes.subarray(0, s.column - 1));
    const after = dec.decode(bytes.subarray(s.endColumn - 1));
    const result = before + s.replacement + after;
    return result === line.text ? null : result;
  } catch {
    return null;
  }
}

/** Greedy word wrap at WRAP columns; a word longer than that stays whole on its own line. */
export function wrap(text: string): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > WRAP) {
      out.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") out.push(line);
  return out;
}

// ---- the attribution ----

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** mutt's "On <date>, <name> wrote:", the form most kernel reviewers' replies carry; the date in the author's zone. */
function attributionLine(patch: Patch): string {
  const who = displayName(patch.from) || patch.fromAddress;
  if (!who) return "";
  const when = mailDate(patch.date);
  return when ? `On ${when}, ${who} wrote:` : `${who} wrote:`;
}

function displayName(from: string): string {
  const m = /^(.*?)\s*<[^<>]*>\s*$/.exec(oneLine(from).trim());
  const name = (m ? m[1]! : "").replace(/^"(.*)"$/, "$1").trim();
  return name || (m ? "" : oneLine(from).trim());
}

/** "Thu, 10 Mar 2022 22:09:00 +0800" → "Thu, Mar 10, 2022 at 10:09:00PM +0800"; the raw text when it does not parse. */
export function mailDate(raw: string): string {
  const s = oneLine(raw).trim();
  const m = /^(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([+-]\d{4}|[A-Za-z]{1,5}))?/.exec(s);
  if (!m) return s;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase());
  if (month < 0) return s;
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  const day = Number(m[1]);
  const hour = Number(m[4]);
  const weekday = DAYS[new Date(Date.UTC(year, month, day)).getUTCDay()]!;
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const pad = (n: number | string) => String(n).padStart(2, "0");
  const time = `${pad(h12)}:${m[5]}:${pad(m[6] ?? "00")}${hour < 12 ? "AM" : "PM"}`;
  return `${weekday}, ${MONTHS[month]} ${pad(day)}, ${year} at ${time}${m[7] ? ` ${m[7]}` : ""}`;
}

// ---- mbox ----

/** mboxrd: a body line that reads as a separator gets one more `>`. */
function escapeFromLine(line: string): string {
  return /^>*From /.test(line) ? `>${line}` : line;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return [...m.values()];
}
