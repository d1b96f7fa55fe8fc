/**
 * Splitting an input (a byte stream) into raw messages.
 *
 * The input may be gzip-compressed, an mbox/mboxrd archive, a single RFC 2822
 * message (an .eml, or a .patch file from `git format-patch`), or a bare diff
 * with no mail headers. Everything is done on Buffers, one line at a time, so
 * memory holds the current message and nothing more, and the bytes stay as
 * they were: charsets are decoded later, per MIME part.
 */
import * as zlib from "node:zlib";
import { createInflateRaw } from "node:zlib";
import type { RawMessage } from "./types.js";

/** The input as a whole cannot be read: the message names the input and the trouble. */
export class InputError extends Error {
  override name = "InputError";

  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const FROM_ = Buffer.from("From ", "latin1");
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** How much of the (inflated) data is searched for NUL bytes to tell binary input. */
const BINARY_PROBE_BYTES = 8192;
/** A header block longer than this is not waited for before deciding the input's format. */
const MAX_DETECT_LINES = 2000;

/**
 * An mbox separator: `From <token> <date>`. The date is asctime-like in every
 * writer we know (`Thu Jan  1 00:00:00 1970`, git's `Mon Sep 17 00:00:00 2001`),
 * so a month name, a time and a year are all required; a body line such as
 * "From the start, ..." after an empty line is then not taken for one.
 */
const SEPARATOR = /^From \S+ +(.*)$/;
const SEPARATOR_MONTH = /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/;
const SEPARATOR_TIME = /\b\d{1,2}:\d\d\b/;
const SEPARATOR_YEAR = /\b\d{4}\b/;

/**
 * Header names that make a block of `Name: value` lines a mail header: a web
 * archive's text starting with "Re: [PATCH ...]" has the shape of a header
 * line but none of these names.
 */
const MAIL_HEADERS = new Set([
  "from",
  "to",
  "cc",
  "subject",
  "date",
  "message-id",
  "in-reply-to",
  "references",
  "received",
  "return-path",
  "delivered-to",
  "mime-version",
  "content-type",
]);

/**
 * Splits an input into raw messages, streaming.
 *
 * @param source the input's name, used in messages (a path, or "-")
 * @param chunks the input's bytes, in any chunking
 * @throws InputError when the input is empty or binary, an mbox with no
 *   message, or its gzip data is corrupt, truncated or followed by junk
 *   (after yielding what could be read)
 */
export async function* splitMessages(
  source: string,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<RawMessage> {
  const iterator = chunks[Symbol.asyncIterator]();
  // The gzip magic is two bytes: read until we have them (a chunk may be shorter).
  const head = await readAtLeast(iterator, 2);
  const bytes = concatenated(head, iterator);
  const data = isGzip(head) ? inflate(bytes) : bytes;
  const splitter = new Splitter(source);
  try {
    for await (const chunk of data) {
      yield* splitter.push(chunk);
    }
  } catch (err) {
    if (!(err instanceof GzipError)) throw err;
    // What was inflated before the damage is still worth reading; that it may
    // be nothing at all is told by the gzip error, not as "empty input".
    yield* splitter.end({ mayBeEmpty: true });
    throw new InputError(source, `${err.truncated ? "truncated" : "corrupt"} gzip data (${err.message})`);
  }
  yield* splitter.end();
}

/** A zlib failure while inflating, told apart from a failure to read the input. */
class GzipError extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

async function readAtLeast(iterator: AsyncIterator<Uint8Array>, min: number): Promise<Buffer[]> {
  const head: Buffer[] = [];
  let length = 0;
  while (length < min) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = asBuffer(next.value);
    head.push(chunk);
    length += chunk.length;
  }
  return head;
}

async function* concatenated(head: Buffer[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  let finished = false;
  try {
    yield* head;
    for (;;) {
      const next = await rest.next();
      if (next.done) {
        finished = true;
        return;
      }
      yield asBuffer(next.value);
    }
  } finally {
    // A consumer that stops early must still let the source close (a file stream).
    if (!finished) await rest.return?.();
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function isGzip(head: Buffer[]): boolean {
  const start = head.length === 1 ? head[0] : Buffer.concat(head);
  return start.length >= 2 && start[0] === 0x1f && start[1] === 0x8b;
}

/**
 * Inflates gzip data as it comes, one member after another (`cat a.gz b.gz`
 * is one gzip file). zlib's own errors become GzipError.
 *
 * The gzip framing is read here and each member's deflate data goes through
 * a raw inflater, one input chunk at a time, so that everything decoded
 * before a fault has been handed on when the fault is met: Node's gunzip
 * drops the output of the write in which it meets bytes after the end of
 * the data (a tail of junk), which can be whole messages.
 */
async function* inflate(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = new ByteReader(compressed[Symbol.asyncIterator]());
  try {
    for (let member = 0; ; member++) {
      const magic = await input.read(2);
      if (magic.length === 0 && member > 0) return;
      if (member > 0 && (magic.length < 2 || magic[0] !== 0x1f || magic[1] !== 0x8b)) {
        // Zero padding after the data is common (tape blocks) and harmless; anything else is said.
        let junk = magic.length;
        let nonZero = magic.some((b) => b !== 0);
        for (let c = await input.chunk(); c; c = await input.chunk()) {
          junk += c.length;
          if (!nonZero && c.some((b) => b !== 0)) nonZero = true;
        }
        if (nonZero) throw new GzipError(`${junk} bytes of trailing garbage after the end of the gzip data, ignored`, false);
        return;
      }
      yield* inflateMember(input, magic);
    }
  } finally {
    await input.close();
  }
}

/** One gzip member: its header, its deflate data (inflated), its CRC and size trailer. */
async function* inflateMember(input: ByteReader, magic: Buffer): AsyncGenerator<Buffer> {
  const fixed = Buffer.concat([magic, await input.read(10 - magic.length)]);
  if (fixed.length < 10) throw new GzipError("unexpected end of file", true);
  if (fixed[0] !== 0x1f || fixed[1] !== 0x8b || fixed[2] !== 8) throw new GzipError("incorrect header check", false);
  const flags = fixed[3];
  if (flags & 0x04) {
    const len = await input.read(2);
    if (len.length < 2 || (await input.read(len.readUInt16LE(0))).length < len.readUInt16LE(0)) throw new GzipError("unexpected end of file", true);
  }
  for (const bit of [0x08, 0x10]) {
    // FNAME, FCOMMENT: zero-terminated
    if (flags & bit) {
      for (;;) {
        const b = await input.read(1);
        if (b.length === 0) throw new GzipError("unexpected end of file", true);
        if (b[0] === 0) break;
      }
    }
  }
  if (flags & 0x02 && (await input.read(2)).length < 2) throw new GzipError("unexpected end of file", true);

  const inflater = createInflateRaw();
  const out: Buffer[] = [];
  let failure: Error | null = null;
  let ended = false;
  inflater.on("data", (c: Buffer) => out.push(c));
  inflater.on("error", (e) => (failure ??= e));
  inflater.on("end", () => (ended = true));
  let crc = 0;
  let size = 0;
  const hand = function* () {
    for (const c of out.splice(0)) {
      if (crc32) crc = crc32(c, crc);
      size = (size + c.length) >>> 0;
      yield c;
    }
  };
  const fail = (e: Error): never => {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) throw new GzipError(e.message, code === "Z_BUF_ERROR");
    throw e;
  };
  try {
    let written = 0;
    let rest: Buffer | null = null;
    for (;;) {
      const c = await input.chunk();
      if (!c) break;
      // Small writes: what one write decodes is what a fault can cost.
      for (let at = 0; at < c.length && rest === null; at += INFLATE_SLICE) {
        const piece = c.subarray(at, Math.min(c.length, at + INFLATE_SLICE));
        await settled(inflater, (done) => inflater.write(piece, done));
        written += piece.length;
        yield* hand();
        if (failure) fail(failure);
        if (inflater.bytesWritten < written) {
          // The deflate data ended inside this piece: what follows is the trailer and beyond.
          const used = piece.length - (written - inflater.bytesWritten);
          rest = Buffer.concat([piece.subarray(used), c.subarray(at + piece.length)]);
        }
      }
      if (rest !== null) break;
    }
    if (rest === null) {
      // The input ended: the deflate data must end too, or it was cut short.
      await settled(inflater, (done) => inflater.end(done));
      yield* hand();
      if (failure) fail(failure);
      if (!ended) throw new GzipError("unexpected end of file", true);
      rest = Buffer.alloc(0);
    }
    input.unshift(rest);
    const trailer = await input.read(8);
    if (trailer.length < 8) throw new GzipError("unexpected end of file", true);
    if ((crc32 && trailer.readUInt32LE(0) !== crc) || trailer.readUInt32LE(4) !== size) throw new GzipError("incorrect data check", false);
  } finally {
    inflater.destroy();
  }
}

/** Runs a write or an end and waits for its callback, or for the failure that means none will come. */
function settled(stream: zlib.InflateRaw, act: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off("error", done);
      stream.off("close", done);
      resolve();
    };
    stream.once("error", done);
    stream.once("close", done);
    act(done);
  });
}

const INFLATE_SLICE = 16 * 1024;
/** zlib.crc32 came with Node 20.15; without it the size alone is checked. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Reads a byte stream in chunks or exact counts, with bytes put back. */
class ByteReader {
  private pending: Buffer[] = [];
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  async chunk(): Promise<Buffer | null> {
    if (this.pending.length) return this.pending.shift()!;
    if (this.done) return null;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return null;
    }
    return next.value;
  }

  /** n bytes, or fewer at the end of the input. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const c = await this.chunk();
      if (!c) break;
      if (have + c.length > n) {
        parts.push(c.subarray(0, n - have));
        this.unshift(c.subarray(n - have));
        have = n;
      } else {
        parts.push(c);
        have += c.length;
      }
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  unshift(b: Buffer): void {
    if (b.length) this.pending.unshift(b);
  }

  async close(): Promise<void> {
    if (!this.done) await this.source.return?.();
  }
}

type Mode = "detect" | "mbox" | "single" | "bare";

/** A line as a range of a buffer, terminator included. */
interface Line {
  buf: Buffer;
  start: number;
  end: number;
  lineNo: number;
}

/**
 * Collects a message's lines as runs of the chunks they came in: consecutive
 * lines of one chunk are one run, so a message is joined with one copy. The
 * runs are views of the caller's chunks, which Node streams never reuse.
 */
class MessageBuilder {
  private readonly pieces: Buffer[] = [];
  private runBuf: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;

  constructor(readonly startLine: number) {}

  append(buf: Buffer, start: number, end: number): void {
    if (buf === this.runBuf && start === this.runEnd) {
      this.runEnd = end;
      return;
    }
    this.flush();
    this.runBuf = buf;
    this.runStart = start;
    this.runEnd = end;
  }

  bytes(): Buffer {
    this.flush();
    return Buffer.concat(this.pieces);
  }

  private flush(): void {
    if (this.runBuf && this.runEnd > this.runStart) {
      this.pieces.push(this.runBuf.subarray(this.runStart, this.runEnd));
    }
    this.runBuf = null;
  }
}

/**
 * The line-level state machine. Synchronous: push() takes a chunk and returns
 * the messages it completed, end() the rest.
 */
class Splitter {
  private mode: Mode = "detect";
  private lineNo = 0;
  private index = 0;
  private out: RawMessage[] = [];

  /** The first bytes, held until there are enough to tell binary data. */
  private probe: Buffer[] | null = [];
  private probeLength = 0;
  /** Start of a line that did not end in its chunk. */
  private carry: Buffer[] = [];

  /** Format detection: the lines read before the format was known. */
  private held: Line[] = [];
  private inHeaderBlock = false;
  private sawText = false;

  private msg: MessageBuilder | null = null;
  /** mbox: an empty line, held until we know whether a separator follows it. */
  private pendingBlank: Line | null = null;

  constructor(private readonly source: string) {}

  push(chunk: Buffer): RawMessage[] {
    if (this.probe) {
      this.probe.push(chunk);
      this.probeLength += chunk.length;
      if (this.probeLength >= BINARY_PROBE_BYTES) this.releaseProbe();
    } else {
      this.feed(chunk);
    }
    return this.take();
  }

  end({ mayBeEmpty = false } = {}): RawMessage[] {
    if (this.probe) this.releaseProbe();
    if (this.carry.length) {
      const last = Buffer.concat(this.carry);
      this.carry = [];
      this.line(last, 0, last.length);
    }
    if (this.mode === "detect") this.decide();
    if (!this.sawText) {
      if (mayBeEmpty) return [];
      throw new InputError(this.source, "empty input");
    }
    this.finishMessage();
    if (this.mode === "mbox" && this.index === 0 && !mayBeEmpty) {
      // Separators and nothing between them: say so rather than report no message at all.
      throw new InputError(this.source, "an mbox with no message in it (nothing after its 'From ' line)");
    }
    return this.take();
  }

  private take(): RawMessage[] {
    const done = this.out;
    this.out = [];
    return done;
  }

  private releaseProbe(): void {
    let data = Buffer.concat(this.probe ?? []);
    this.probe = null;
    if (data.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
      throw new InputError(this.source, "not a text file (binary data)");
    }
    // A UTF-8 BOM would hide the first header name or separator.
    if (data.subarray(0, 3).equals(UTF8_BOM)) data = data.subarray(3);
    this.feed(data);
  }

  /** Cuts a chunk into lines (terminator included); a partial last line waits in carry. */
  private feed(chunk: Buffer): void {
    let pos = 0;
    if (this.carry.length) {
      const nl = chunk.indexOf(LF);
      if (nl === -1) {
        this.carry.push(chunk);
        return;
      }
      this.carry.push(chunk.subarray(0, nl + 1));
      const joined = Buffer.concat(this.carry);
      this.carry = [];
      this.line(joined, 0, joined.length);
      pos = nl + 1;
    }
    const length = chunk.length;
    while (pos < length) {
      const nl = chunk.indexOf(LF, pos);
      if (nl === -1) {
        this.carry.push(chunk.subarray(pos));
        return;
      }
      this.line(chunk, pos, nl + 1);
      pos = nl + 1;
    }
  }

  private line(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    switch (this.mode) {
      case "mbox":
        this.mboxLine(buf, start, end);
        break;
      case "single":
      case "bare":
        this.msg?.append(buf, start, end);
        break;
      case "detect":
        this.detectLine({ buf, start, end, lineNo: this.lineNo });
        break;
    }
  }

  /**
   * Before the format is known, lines are held. The first line with text
   * decides, unless it looks like a header: then the whole header block is
   * read first, since "Re: [PATCH] ..." has a header's shape too.
   */
  private detectLine(line: Line): void {
    this.held.push(line);
    if (!this.inHeaderBlock) {
      if (isWhitespace(line)) return;
      this.sawText = true;
      if (isSeparator(line.buf, line.start, line.end)) {
        this.held = [];
        this.mode = "mbox";
        this.msg = new MessageBuilder(line.lineNo + 1);
      } else if (headerName(line) !== null) {
        this.inHeaderBlock = true;
      } else {
        this.decide();
      }
      return;
    }
    const blank = isBlank(line.buf, line.start, line.end);
    const fits = blank || isContinuation(line) || headerName(line) !== null;
    if (blank || !fits || this.held.length >= MAX_DETECT_LINES) this.decide();
  }

  /** Ends detection: a mail header block makes a single message, anything else is bare text. */
  private decide(): void {
    const held = this.held;
    this.held = [];
    const first = held.findIndex((line) => !isWhitespace(line));
    if (this.inHeaderBlock && first >= 0 && isMailHeaderBlock(held.slice(first))) {
      this.mode = "single";
      this.msg = new MessageBuilder(held[first].lineNo);
      // Empty lines before the headers would read as an empty header block.
      for (const line of held.slice(first)) this.msg.append(line.buf, line.start, line.end);
    } else {
      this.mode = "bare";
      this.msg = new MessageBuilder(1);
      for (const line of held) this.msg.append(line.buf, line.start, line.end);
    }
  }

  private mboxLine(buf: Buffer, start: number, end: number): void {
    if (isBlank(buf, start, end)) {
      if (this.pendingBlank) this.appendPendingBlank();
      this.pendingBlank = { buf, start, end, lineNo: this.lineNo };
      return;
    }
    if (this.pendingBlank) {
      // The empty line before a separator belongs to the separator, not to the message.
      if (buf[start] === FROM_[0] && isSeparator(buf, start, end)) {
        this.pendingBlank = null;
        this.finishMessage();
        this.msg = new MessageBuilder(this.lineNo + 1);
        return;
      }
      this.appendPendingBlank();
    }
    // mboxrd: a line `>From `, `>>From `... was written with one more `>`.
    const msg = this.msg as MessageBuilder;
    if (buf[start] === GT && isEscapedFrom(buf, start, end)) msg.append(buf, start + 1, end);
    else msg.append(buf, start, end);
  }

  private appendPendingBlank(): void {
    const blank = this.pendingBlank as Line;
    this.msg?.append(blank.buf, blank.start, blank.end);
    this.pendingBlank = null;
  }

  private finishMessage(): void {
    // The last message of an mbox ends with the empty line a writer puts after each.
    this.pendingBlank = null;
    const msg = this.msg;
    this.msg = null;
    if (!msg) return;
    const bytes = msg.bytes();
    if (bytes.length === 0) return; // two separators in a row
    this.out.push({
      source: this.source,
      index: this.index++,
      bytes,
      startLine: msg.startLine,
      hasHeaders: this.mode !== "bare",
    });
  }
}

/** Length of a line's text, without its "\n" or "\r\n". */
function contentEnd(buf: Buffer, start: number, end: number): number {
  if (end > start && buf[end - 1] === LF) end--;
  if (end > start && buf[end - 1] === CR) end--;
  return end;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  return contentEnd(buf, start, end) === start;
}

function isWhitespace(line: Line): boolean {
  const end = contentEnd(line.buf, line.start, line.end);
  for (let i = line.start; i < end; i++) {
    const c = line.buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

function isContinuation(line: Line): boolean {
  const c = line.buf[line.start];
  return line.end > line.start && (c === SPACE || c === TAB);
}

function startsWithFrom(buf: Buffer, at: number, end: number): boolean {
  return end - at >= FROM_.length && buf.compare(FROM_, 0, FROM_.length, at, at + FROM_.length) === 0;
}

function isSeparator(buf: Buffer, start: number, end: number): boolean {
  if (!startsWithFrom(buf, start, end)) return false;
  // 200 bytes hold any real separator; the rest of a long line is no help.
  const text = buf.toString("latin1", start, Math.min(contentEnd(buf, start, end), start + 200));
  const match = SEPARATOR.exec(text);
  if (!match) return false;
  const date = match[1];
  return SEPARATOR_MONTH.test(date) && SEPARATOR_TIME.test(date) && SEPARATOR_YEAR.test(date);
}

function isEscapedFrom(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && buf[i] === GT) i++;
  return startsWithFrom(buf, i, end);
}

/** The lowercased field name when the line is `Name: value` (RFC 5322 field name), else null. */
function headerName(line: Line): string | null {
  const { buf, start, end } = line;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === COLON) return i > start ? buf.toString("latin1", start, i).toLowerCase() : null;
    if (c < 0x21 || c > 0x7e) return null;
  }
  return null;
}

/** Every line a field or a continuation, and at least one field a mail header. */
function isMailHeaderBlock(lines: Line[]): boolean {
  let mailHeader = false;
  for (const line of lines) {
    if (isBlank(line.buf, line.start, line.end)) break;
    const name = headerName(line);
    if (name === null) {
      if (!isContinuation(line)) return false;
    } else if (MAIL_HEADERS.has(name)) {
      mailHeader = true;
    }
  }
  return mailHeader;
}
