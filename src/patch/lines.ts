/**
 * Small line-level helpers for the patch reader: quote marks, hunk headers,
 * paths in diff headers, and a rough "does this look like code" score used to
 * tell a trimmed quoted hunk from quoted prose. No state, no I/O.
 */

/** A line with its quote marks taken off. */
export interface Unquoted {
  /** Number of `>` quote marks (0 for an unquoted line). */
  depth: number;
  /** The text after the quote marks (one optional space after each `>` removed). */
  content: string;
}

/** Strips `>` quote marks: each `>` may be followed by one space (`>+`, `> +`, `> > +`, `>> +`). */
export function unquote(raw: string): Unquoted {
  let pos = 0;
  let depth = 0;
  const n = raw.length;
  while (pos < n && raw.charCodeAt(pos) === 62 /* > */) {
    depth++;
    pos++;
    if (pos < n && raw.charCodeAt(pos) === 32) pos++;
  }
  return { depth, content: depth === 0 ? raw : raw.slice(pos) };
}

export interface HunkHeader {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  section: string;
}

// Anchored, no nested quantifiers: linear on any input.
const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/** Parses `@@ -a,b +c,d @@ section`; counts default to 1 when omitted. */
export function parseHunkHeader(line: string): HunkHeader | null {
  if (!line.startsWith("@@ -")) return null;
  const m = HUNK_RE.exec(line);
  if (!m) return null;
  const num = (s: string | undefined, dflt: number) => (s === undefined ? dflt : Number(s));
  const oldStart = num(m[1], 0);
  const newStart = num(m[3], 0);
  const oldCount = num(m[2], 1);
  const newCount = num(m[4], 1);
  if (![oldStart, newStart, oldCount, newCount].every(Number.isSafeInteger)) return null;
  let section = m[5] ?? "";
  if (section.startsWith(" ")) section = section.slice(1);
  return { oldStart, oldCount, newStart, newCount, section: section.trimEnd() };
}

/** Undoes git's C-style quoting of a path (`"a/foo\tbar"`). */
function unquoteCPath(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\" || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const d = s[++i]!;
    if (d === "n") out += "\n";
    else if (d === "t") out += "\t";
    else if (d >= "0" && d <= "7") {
      // octal byte: keep it simple, one char per escape
      let oct = d;
      while (oct.length < 3 && i + 1 < s.length && s[i + 1]! >= "0" && s[i + 1]! <= "7") oct += s[++i];
      out += String.fromCharCode(parseInt(oct, 8));
    } else out += d;
  }
  return out;
}

/** Reads one possibly quoted path token from the start of `s`; returns it and the rest. */
function takeQuoted(s: string): { path: string; rest: string } | null {
  if (!s.startsWith('"')) return null;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
      continue;
    }
    if (s[i] === '"') return { path: unquoteCPath(s.slice(1, i)), rest: s.slice(i + 1).trimStart() };
  }
  return null;
}

/** Paths named by `diff --git a/X b/Y` (prefixes `a/` and `b/` kept; see stripGitPrefix). */
export function parseGitDiffPaths(rest: string): { a: string; b: string } | null {
  rest = rest.trim();
  const q = takeQuoted(rest);
  if (q) {
    const q2 = takeQuoted(q.rest);
    return { a: q.path, b: q2 ? q2.path : q.rest };
  }
  // `a/X b/X`: both halves equal even when X has spaces.
  if ((rest.length - 1) % 2 === 0) {
    const half = (rest.length - 1) / 2;
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (rest[half] === " " && a.slice(2) === b.slice(2) && a.length > 2) return { a, b };
  }
  const bq = rest.indexOf(' "');
  if (bq > 0) {
    const q2 = takeQuoted(rest.slice(bq + 1));
    if (q2) return { a: rest.slice(0, bq), b: q2.path };
  }
  const at = rest.indexOf(" b/");
  if (at > 0) return { a: rest.slice(0, at), b: rest.slice(at + 1) };
  const sp = rest.indexOf(" ");
  if (sp > 0) return { a: rest.slice(0, sp), b: rest.slice(sp + 1) };
  return rest ? { a: rest, b: rest } : null;
}

/** Strips git's `a/` / `b/` prefix. */
export function stripGitPrefix(p: string): string {
  return p.startsWith("a/") || p.startsWith("b/") ? p.slice(2) : p;
}

const TIMESTAMP_RE = /\s\d{4}-\d\d-\d\d[ T]\d\d:\d\d/;

/**
 * Path of a `--- X` / `+++ Y` line (after the marker): cut at a tab (the
 * timestamp of `diff -u`), or before a timestamp after spaces (tabs turned to
 * spaces on the way). Returns null for /dev/null.
 */
export function parseFileLinePath(rest: string): string | null {
  let p = rest;
  const q = takeQuoted(p);
  if (q) p = q.path;
  else {
    const tab = p.indexOf("\t");
    if (tab >= 0) p = p.slice(0, tab);
    const ts = TIMESTAMP_RE.exec(p);
    if (ts) p = p.slice(0, ts.index);
    p = p.trimEnd();
  }
  if (p === "/dev/null") return null;
  return p;
}

/**
 * Strips the first path component (the `-p1` convention: `linux.orig/mm/x.c`
 * → `mm/x.c`); repeated slashes count as one, as for patch and git apply
 * (`results//generic/x` → `generic/x`).
 */
export function stripFirstComponent(p: string): string {
  const slash = p.indexOf("/");
  return slash > 0 ? p.slice(slash + 1).replace(/^\/+/, "") : p;
}

export function firstComponent(p: string): string {
  const slash = p.indexOf("/");
  return slash > 0 ? p.slice(0, slash) : "";
}

/** True for the signature separator line (`-- `, or `--` once trailing blanks are lost). */
export function isSignatureLine(line: string): boolean {
  return line === "-- " || line === "--";
}

/** A line that only marks omitted text in a quote (`[...]`, `<snip>`, `...`). */
export function isSnipMarker(content: string): boolean {
  const s = content.trim().toLowerCase();
  if (s.length === 0 || s.length > 20) return false;
  return (
    s === "..." ||
    s === "…" ||
    s === "[...]" ||
    s === "[ ... ]" ||
    s === "[..]" ||
    s === "<...>" ||
    s === "<snip>" ||
    s === "[snip]" ||
    s === "snip" ||
    s === "<snipped>" ||
    s === "[snipped]" ||
    s === "<trim>" ||
    s === "[trim]" ||
    s === "<cut>" ||
    s === "[cut]" ||
    s === "---8<---" ||
    s === "--->8---"
  );
}

/** Extended header lines that may follow `diff --git`. */
export type ExtHeader =
  | { kind: "old-mode" | "new-mode" | "index" | "similarity" }
  | { kind: "new-file" | "deleted-file" }
  | { kind: "rename-from" | "rename-to" | "copy-from" | "copy-to"; path: string }
  | { kind: "binary" | "git-binary" };

export function parseExtHeader(line: string): ExtHeader | null {
  const c = line.charCodeAt(0);
  // quick reject on the first letter
  if (c !== 111 /* o */ && c !== 110 /* n */ && c !== 100 /* d */ && c !== 115 /* s */ && c !== 114 /* r */ && c !== 99 /* c */ && c !== 105 /* i */ && c !== 66 /* B */ && c !== 71 /* G */)
    return null;
  if (line.startsWith("old mode ")) return { kind: "old-mode" };
  if (line.startsWith("new mode ")) return { kind: "new-mode" };
  if (line.startsWith("new file mode ")) return { kind: "new-file" };
  if (line.startsWith("deleted file mode ")) return { kind: "deleted-file" };
  if (line.startsWith("similarity index ") || line.startsWith("dissimilarity index ")) return { kind: "similarity" };
  if (line.startsWith("index ")) return { kind: "index" };
  if (line.startsWith("rename from ")) return { kind: "rename-from", path: cleanPath(line.slice(12)) };
  if (line.startsWith("rename to ")) return { kind: "rename-to", path: cleanPath(line.slice(10)) };
  if (line.startsWith("copy from ")) return { kind: "copy-from", path: cleanPath(line.slice(10)) };
  if (line.startsWith("copy to ")) return { kind: "copy-to", path: cleanPath(line.slice(8)) };
  if (line.startsWith("Binary files ") && line.trimEnd().endsWith(" differ")) return { kind: "binary" };
  if (line.trimEnd() === "GIT binary patch") return { kind: "git-binary" };
  return null;
}

function cleanPath(s: string): string {
  const q = takeQuoted(s.trim());
  return q ? q.path : s.trim();
}

const BASE85_RE = /^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*$/;

/** A line of a `GIT binary patch` body: `literal N`, `delta N`, base85 data, or blank. */
export function isBinaryPatchData(line: string): boolean {
  if (line === "") return true;
  if (line.startsWith("literal ") || line.startsWith("delta ")) return true;
  return line.length <= 70 && BASE85_RE.test(line);
}

const CODE_END_RE = /[;{}]$/;
const CPP_RE = /^#\s*(include|define|if|ifdef|ifndef|endif|else|elif|undef|pragma|error|warning)\b/;
const COMMENT_RE = /^(\/\*|\*\/|\*$|\* |\/\/)/;
const CALL_RE = /^[A-Za-z_][A-Za-z0-9_]*\s*\(.*[,);(]$/;
const ASSIGN_RE = /[A-Za-z0-9_\])]\s*(?:[-+*/|&^%]|<<|>>)?=\s*[^=\s]/;
const KEYWORD_RE = /^(?:(?:if|for|while|switch|sizeof)\s*\(|else$|do$|default:|case [^ ]+:|(?:static|struct|union|enum|const|unsigned|int|void|char|bool|long) [A-Za-z_][A-Za-z0-9_]*(?: \*| \(|\(|\[|$))/;
const PROSE_CAP_RE = /^[A-Z][a-z']+(?: +[^ ]+){2,}/;
const PROSE_LOWER_RE = /^[a-z']+(?: +[a-z',.]+){3,}/;

/**
 * Rough code-vs-prose score of a `+`/`-` line's text (after its marker):
 * 1 looks like code, -1 looks like an English sentence, 0 can't tell.
 * Used only to decide whether a quoted run with no diff header is a diff.
 */
export function codeScore(text: string): number {
  if (text.length === 0) return 0;
  if (text.charCodeAt(0) === 9 /* tab */) return 1;
  const s = text.trim();
  if (s.length === 0) return 0;
  if (CODE_END_RE.test(s) || s[0] === "{" || s[0] === "}") return 1;
  if (CPP_RE.test(s) || COMMENT_RE.test(s)) return 1;
  if (s.includes("->") || s.includes("==") || s.includes("!=") || s.includes("&&") || s.includes("||")) return 1;
  if (CALL_RE.test(s) || KEYWORD_RE.test(s)) return 1;
  if (!/[;{}()=]/.test(s)) {
    if (PROSE_CAP_RE.test(s) || PROSE_LOWER_RE.test(s)) return -1;
  } else if (ASSIGN_RE.test(s)) return 1;
  return 0;
}
