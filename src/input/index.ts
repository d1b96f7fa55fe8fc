/**
 * Input layer entry points (contract; implemented in this folder).
 *
 * splitMessages(source, chunks): async generator of RawMessage. Accepts any
 *   byte stream (file stream, stdin). Detects gzip by its magic bytes and
 *   inflates as a stream; detects mbox/mboxrd (first line "From "), a single
 *   RFC 2822 message, or a bare diff (no headers). Streams: memory must not
 *   grow with the archive. Throws InputError when the input is not text
 *   (binary) or is empty, naming the input.
 *
 * parseMail(raw): decodes one RawMessage into a Mail (MIME, charsets,
 *   RFC 2047 subjects, quoted-printable, base64, multipart). Never throws for
 *   bad content: a message that cannot be read as text has `unreadable` set.
 */
export type { RawMessage, Mail, MailHeaders, TextSegment } from "./types.js";
export { splitMessages, InputError } from "./split.js";
export { parseMail } from "./mail.js";
export { readSource, sourceText } from "./source.js";
