/**
 * Input layer contracts: bytes → messages.
 *
 * The input layer never opens files or spawns processes: callers hand it byte
 * chunks (a file stream, stdin, a buffer) and a name for the input. It splits
 * mbox/mboxrd archives one message at a time, decodes MIME (RFC 2822/2047,
 * quoted-printable, base64, charsets, multipart) and hands on plain text.
 */

/** One message as cut out of an input, still undecoded. */
export interface RawMessage {
  /** The input's name as the user gave it (a path, or "-" for stdin). */
  source: string;
  /** 0-based position of the message in its input. */
  index: number;
  /** The message's bytes (mboxrd `>From ` escapes already undone). */
  bytes: Buffer;
  /** 1-based line of the input on which the message's first header line stands. */
  startLine: number;
  /** True when the input had mail headers; false for a bare `git diff` / `diff -u`. */
  hasHeaders: boolean;
  /**
   * The commit the message was made from, when the input is the caller's own
   * `git format-patch` run (kreview --git): its full sha. Its lines are then
   * counted within that commit's patch, its `From <sha>` line being line 1.
   */
  commit?: string;
}

export interface MailHeaders {
  subject: string;
  from: string;
  /** Address part of From, when it parses. */
  fromAddress: string;
  to: string[];
  cc: string[];
  date: string;
  messageId: string;
  inReplyTo: string;
  references: string[];
}

/** A decoded message: headers and the text in which a diff may stand. */
export interface Mail {
  source: string;
  index: number;
  headers: MailHeaders;
  /**
   * The decoded text: the text/plain body, followed by any text attachment
   * (or inline part) that holds a diff, each as its own segment.
   */
  segments: TextSegment[];
  /** False when the input was a bare diff with no mail headers. */
  hasHeaders: boolean;
  /** Set when the message could not be read as text at all (binary, undecodable). */
  unreadable?: string;
  /** Lines of the message as read (headers included), for checkpatch's "N lines checked". */
  lineCount: number;
  /** Non-fatal trouble met while decoding (unknown charset, broken MIME part). */
  problems: string[];
}

export interface TextSegment {
  /** Decoded text, lines separated by "\n". */
  text: string;
  /**
   * 1-based line of the input on which the segment's first line stands, when
   * the segment's lines map 1:1 onto input lines (7bit/8bit bodies); null when
   * the part was transfer-encoded (quoted-printable, base64), in which case
   * positions are given as lines of the decoded segment offset by `lineBase`.
   */
  inputLine: number | null;
  /** The 0-based line i of `text` is named to the user as line `lineBase + 1 + i`. */
  lineBase: number;
  /** MIME content type of the part, "text/plain" for a plain body. */
  contentType: string;
  /** File name of an attachment, when the part had one. */
  filename?: string;
}
