/**
 * Decoding one raw message into headers and text segments.
 *
 * postal-mime does the MIME work (RFC 2047 words, addresses, multipart,
 * quoted-printable, base64, charsets). One case is decoded here from the raw
 * bytes instead: a single-part text body sent as it is (7bit/8bit/binary).
 * That is how most patches travel, and for it each line of the text is
 * exactly one line of the input, which lets findings point at the line of the
 * mail file itself. Such a body in format=flowed is unwrapped here too (RFC
 * 3676, quote depth respected: postal-mime's unwrapping ignores it, and joins
 * an empty quoted line "> " to the quoted diff line after it).
 *
 * Line numbers: `lineBase` is the input line just before the segment's first
 * line, so the 0-based line k of a segment is named `lineBase + 1 + k`. When
 * `inputLine` is set (1:1 bodies) that is the input line itself; for decoded
 * bodies (transfer-encoded, multipart, flowed with lines joined) it counts
 * decoded lines from where the message body starts, the best position there is.
 *
 * Message-ID, In-Reply-To and References are given without their angle
 * brackets (`abc@host`, not `<abc@host>`), so they compare equal however a
 * mailer spaced or bracketed them.
 */
import PostalMime from "postal-mime";
import type { Address, Attachment, Email } from "postal-mime";
import type { Mail, MailHeaders, RawMessage, TextSegment } from "./types.js";

const LF = 0x0a;
const CR = 0x0d;

/** Transfer encodings that leave the body's lines as they are. */
const IDENTITY_ENCODINGS = new Set(["", "7bit", "8bit", "binary"]);
/** Labels under which 8-bit data is most likely UTF-8 all the same. */
const UTF8_LIKE = new Set(["", "utf-8", "utf8", "us-ascii", "ascii"]);

const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");
const windows1252 = new TextDecoder("windows-1252");

/**
 * Decodes one raw message. Never throws for bad content: a message that
 * cannot be decoded comes back with `unreadable` set and the headers that
 * could be read.
 */
export async function parseMail(raw: RawMessage): Promise<Mail> {
  const mail: Mail = {
    source: raw.source,
    index: raw.index,
    headers: emptyHeaders(),
    segments: [],
    hasHeaders: raw.hasHeaders,
    lineCount: countLines(raw.bytes),
    problems: [],
  };
  try {
    if (raw.hasHeaders) await decodeMessage(raw, mail);
    else mail.segments.push(bareSegment(raw, mail.problems));
  } catch (err) {
    // A bug or a limit of the decoder: still a message the caller can report on.
    mail.unreadable = `could not be decoded: ${errorText(err)}`;
  }
  return mail;
}

/** Lines in a buffer; a final newline does not open one more line. */
function countLines(bytes: Buffer): number {
  if (bytes.length === 0) return 0;
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return bytes[bytes.length - 1] === 10 ? n : n + 1;
}

/** Fills in a mail's headers and segments, or says why it is unreadable. */
async function decodeMessage(raw: RawMessage, mail: Mail): Promise<void> {
  const layout = headerLayout(raw.bytes);
  // The header block alone first: it tells whether the body needs MIME decoding
  // at all, and most patch bodies do not (running them through postal-mime too
  // would double the time spent on an archive for nothing).
  let head: Email;
  try {
    head = await PostalMime.parse(headerBlock(raw.bytes, layout));
  } catch (err) {
    mail.unreadable = `mail headers could not be parsed: ${errorText(err)}`;
    return;
  }
  mail.headers = headersOf(head);
  if (layout.bodyOffset === null) return; // headers only: no text, which is no error
  const type = bodyType(head);
  const bodyLine = raw.startLine + layout.headerLines + 1;
  const body = isRawText(type, head)
    ? rawBody(raw.bytes.subarray(layout.bodyOffset), type, head, bodyLine, mail.problems)
    : await decodedBody(raw.bytes, type, bodyLine - 1, mail.problems);
  if (typeof body === "string") mail.unreadable = body;
  else mail.segments = body;
}

function emptyHeaders(): MailHeaders {
  return {
    subject: "",
    from: "",
    fromAddress: "",
    to: [],
    cc: [],
    date: "",
    messageId: "",
    inReplyTo: "",
    references: [],
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Input without mail headers: the whole text, which maps 1:1 onto the input. */
function bareSegment(raw: RawMessage, problems: string[]): TextSegment {
  return {
    text: toLf(decodeGuessing(raw.bytes, "", problems)),
    inputLine: raw.startLine,
    lineBase: raw.startLine - 1,
    contentType: "text/plain",
  };
}

/** Where the header block ends in the raw bytes. */
interface HeaderLayout {
  /** Lines of the header block, folded lines included, the empty line not. */
  headerLines: number;
  /** Byte offset of the body, or null when the message has no empty line (headers only). */
  bodyOffset: number | null;
}

function headerLayout(bytes: Buffer): HeaderLayout {
  let pos = 0;
  let headerLines = 0;
  while (pos < bytes.length) {
    const nl = bytes.indexOf(LF, pos);
    const end = nl === -1 ? bytes.length : nl;
    const blank = end === pos || (end === pos + 1 && bytes[pos] === CR);
    if (blank) return { headerLines, bodyOffset: nl === -1 ? bytes.length : nl + 1 };
    headerLines++;
    pos = end + 1;
  }
  return { headerLines, bodyOffset: null };
}

/** The header block and an empty body: enough for postal-mime to read every header. */
function headerBlock(bytes: Buffer, layout: HeaderLayout): Buffer {
  const end = layout.bodyOffset ?? bytes.length;
  return Buffer.concat([bytes.subarray(0, end), Buffer.from("\n\n")]);
}

function headersOf(email: Email): MailHeaders {
  const from = email.from;
  return {
    subject: oneLine(email.subject ?? ""),
    from: from ? formatAddress(from) : oneLine(rawHeader(email, "from")),
    fromAddress: from ? firstAddress(from) : "",
    to: (email.to ?? []).map(formatAddress),
    cc: (email.cc ?? []).map(formatAddress),
    // As written (with its time zone); postal-mime's own `date` is converted to UTC.
    date: oneLine(rawHeader(email, "date")),
    messageId: messageIds(email.messageId ?? "")[0] ?? "",
    inReplyTo: messageIds(email.inReplyTo ?? "")[0] ?? "",
    references: messageIds(email.references ?? ""),
  };
}

function rawHeader(email: Email, key: string): string {
  return email.headers.find((header) => header.key === key)?.value ?? "";
}

/** Unfolded headers keep the folding whitespace; a subject reads better without it. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/** "Name <addr>", or the bare address; a group by its name and members. */
function formatAddress(address: Address): string {
  if (address.group) {
    return `${address.name}: ${address.group.map(formatAddress).join(", ")};`;
  }
  const name = oneLine(address.name);
  if (!address.address) return name;
  return name ? `${name} <${address.address}>` : address.address;
}

function firstAddress(address: Address): string {
  return address.group ? (address.group[0]?.address ?? "") : address.address;
}

/** The ids in a Message-ID / In-Reply-To / References value, brackets stripped. */
function messageIds(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1].trim()).filter(Boolean);
  if (bracketed.length) return bracketed;
  // Some mailers leave the brackets off.
  return value.split(/\s+/).filter((id) => id.includes("@"));
}

/** The parts of the top-level Content-Type / -Transfer-Encoding we decide on. */
interface BodyType {
  mime: string;
  charset: string;
  flowed: boolean;
  /** format=flowed; DelSp=yes: the space before a soft break is not part of the text. */
  delSp: boolean;
  encoding: string;
}

function bodyType(email: Email): BodyType {
  const contentType = rawHeader(email, "content-type");
  let mime = contentType.split(";")[0].trim().toLowerCase();
  // RFC 2045: a missing or malformed type means text/plain.
  if (!mime.includes("/")) mime = "text/plain";
  const encoding = /[\w-]+/.exec(rawHeader(email, "content-transfer-encoding").toLowerCase());
  return {
    mime,
    charset: param(contentType, "charset").toLowerCase(),
    flowed: param(contentType, "format").toLowerCase() === "flowed",
    delSp: param(contentType, "delsp").toLowerCase() === "yes",
    encoding: encoding ? encoding[0] : "",
  };
}

function param(headerValue: string, name: string): string {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, "i").exec(headerValue);
  return match ? (match[1] ?? match[2] ?? "").trim() : "";
}

/**
 * A body sent as it is, decoded here from the raw bytes (or why it is
 * unreadable). Its lines are the input's lines, unless format=flowed
 * unwrapping joined some.
 */
function rawBody(
  bytes: Buffer,
  type: BodyType,
  head: Email,
  bodyLine: number,
  problems: string[],
): TextSegment[] | string {
  if (bytes.includes(0)) return "binary data (NUL bytes) in the text body";
  const filename = head.attachments[0]?.filename ?? null;
  const text = toLf(decodeBody(bytes, type.charset, problems));
  const flowed = type.flowed ? unflow(text, type.delSp) : { text, joined: false };
  const segment: TextSegment = {
    text: flowed.text,
    inputLine: flowed.joined ? null : bodyLine,
    lineBase: bodyLine - 1,
    contentType: type.mime,
  };
  if (filename) segment.filename = filename;
  return [segment];
}

/**
 * The segments of a body postal-mime decodes (transfer-encoded, multipart,
 * flowed), or why it is unreadable: the plain body first, then every
 * attachment that is text.
 */
async function decodedBody(
  bytes: Buffer,
  type: BodyType,
  lineBase: number,
  problems: string[],
): Promise<TextSegment[] | string> {
  let email: Email;
  try {
    email = await PostalMime.parse(bytes);
  } catch (err) {
    return `MIME structure could not be parsed: ${errorText(err)}`;
  }
  if (!type.mime.startsWith("multipart/") && type.charset && !isKnownCharset(type.charset)) {
    problems.push(`unknown charset "${type.charset}"`);
  }
  const segments: TextSegment[] = [];
  if (email.text !== undefined) {
    if (email.text.includes("\0")) return "binary data (NUL bytes) in the text body";
    segments.push({ text: toLf(email.text), inputLine: null, lineBase, contentType: "text/plain" });
  } else if (email.html !== undefined) {
    segments.push({ text: htmlToText(email.html), inputLine: null, lineBase, contentType: "text/html" });
  }
  for (const attachment of email.attachments) {
    const segment = attachmentSegment(attachment, lineBase, problems);
    if (segment) segments.push(segment);
  }
  return segments;
}

/** A single-part text body sent as it is (no transfer encoding). */
function isRawText(type: BodyType, head: Email): boolean {
  if (type.mime.startsWith("multipart/")) return false;
  if (!IDENTITY_ENCODINGS.has(type.encoding)) return false;
  if (type.mime === "text/html") return false; // it is converted, not read line by line
  if (type.mime.startsWith("text/")) return true;
  // A single-part `application/octet-stream` patch, named as one.
  return isPatchName(head.attachments[0]?.filename ?? null);
}

function isPatchName(filename: string | null): boolean {
  return filename !== null && /\.(?:patch|diff)$/i.test(filename);
}

/** A text attachment (or a patch sent as octet-stream) as a segment; null for anything binary. */
function attachmentSegment(attachment: Attachment, lineBase: number, problems: string[]): TextSegment | null {
  const mime = attachment.mimeType.toLowerCase();
  if (!mime.startsWith("text/") && !isPatchName(attachment.filename)) return null;
  const content = attachment.content;
  const bytes =
    typeof content === "string"
      ? Buffer.from(content, attachment.encoding === "base64" ? "base64" : "utf8")
      : Buffer.from(content instanceof ArrayBuffer ? new Uint8Array(content) : content);
  if (bytes.includes(0)) return null; // labelled text, but binary
  // postal-mime does not tell an attachment's charset: UTF-8 when it is valid, which
  // for patches it nearly always is, else the usual 8-bit Western charset.
  const text = toLf(decodeGuessing(bytes, "", problems, attachment.filename ?? mime));
  return {
    text: mime === "text/html" ? htmlToText(text) : text,
    inputLine: null,
    lineBase,
    contentType: mime,
    ...(attachment.filename ? { filename: attachment.filename } : {}),
  };
}

/**
 * Decodes a body in its declared charset, with the fallbacks kernel mail
 * needs: 8-bit data under no charset (or a plain "us-ascii") is nearly always
 * UTF-8; a label no decoder knows (git send-email users answer its charset
 * question with "y") falls back to guessing.
 */
function decodeBody(bytes: Buffer, charset: string, problems: string[]): string {
  if (UTF8_LIKE.has(charset)) return decodeGuessing(bytes, charset, problems, "message body");
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    problems.push(`unknown charset "${charset}"`);
    return decodeGuessing(bytes, "", problems, "message body");
  }
  return decoder.decode(bytes);
}

/** UTF-8 when the bytes are valid UTF-8; otherwise windows-1252 (a superset of latin-1). */
function decodeGuessing(bytes: Uint8Array, declared: string, problems: string[], what = "text"): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    // A declared UTF-8 body with a few bad bytes is still UTF-8 around them.
    if (declared === "utf-8" || declared === "utf8") {
      problems.push(`invalid UTF-8 in ${what} declared UTF-8`);
      return utf8Lenient.decode(bytes);
    }
    problems.push(`${what} is not valid UTF-8; decoded as windows-1252`);
    return windows1252.decode(bytes);
  }
}

function isKnownCharset(charset: string): boolean {
  try {
    new TextDecoder(charset);
    return true;
  } catch {
    return false;
  }
}

/**
 * RFC 3676: a line ending in a space continues on the next line of the same
 * quote depth; one leading space of an unquoted line is stuffing. The first
 * line of a joined run keeps its quote marks as written (`> > ` or `>> `).
 */
function unflow(text: string, delSp: boolean): { text: string; joined: boolean } {
  const out: string[] = [];
  let joined = false;
  let openDepth = -1; // quote depth of the last line when it was flowed, else -1
  const lines = text.split("\n");
  // The text's final "\n" ends its last line; it does not start one to join.
  const final = lines[lines.length - 1] === "" ? lines.pop() : undefined;
  for (const line of lines) {
    const prefix = /^(?:> ?)*/.exec(line)?.[0] ?? "";
    const depth = prefix.split(">").length - 1;
    let content = line.slice(prefix.length);
    if (depth === 0 && content.startsWith(" ")) content = content.slice(1);
    const flowed = content.endsWith(" ") && content !== "-- ";
    if (depth === openDepth) {
      out[out.length - 1] += content;
      joined = true;
    } else {
      out.push(depth === 0 ? content : prefix + content);
    }
    if (flowed && delSp) out[out.length - 1] = out[out.length - 1].slice(0, -1);
    openDepth = flowed ? depth : -1;
  }
  if (final !== undefined) out.push(final);
  return { text: out.join("\n"), joined };
}

function toLf(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n/g, "\n") : text;
}

/** Crude HTML to text, for html-only mail: line breaks kept, tags dropped, entities decoded. */
function htmlToText(html: string): string {
  return toLf(html)
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\b[^>]*>/gi, "\n")
    .replace(/<\/(?:p|div|tr|li|h[1-6]|pre|blockquote)\s*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|lt|gt|quot|apos|nbsp|amp);/gi, (_, entity: string) => decodeEntity(entity));
}

function decodeEntity(entity: string): string {
  const lower = entity.toLowerCase();
  if (lower.startsWith("#")) {
    const code = lower.startsWith("#x") ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
  }
  const named: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", amp: "&" };
  return named[lower] ?? "";
}
