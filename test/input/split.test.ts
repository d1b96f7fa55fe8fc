import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { splitMessages, InputError } from "../../src/input/index.js";
import type { RawMessage } from "../../src/input/index.js";

const fixtures = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const fixture = (name: string): Buffer => readFileSync(fixtures + name);

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < bytes.length; pos += size) yield bytes.subarray(pos, pos + size);
}

/** Splits what it can, and returns the error that ended the input, if any. */
async function splitAll(
  source: string,
  bytes: Buffer,
  size = 65536,
): Promise<{ messages: RawMessage[]; error: unknown }> {
  const messages: RawMessage[] = [];
  try {
    for await (const raw of splitMessages(source, chunked(bytes, size))) messages.push(raw);
  } catch (error) {
    return { messages, error };
  }
  return { messages, error: null };
}

async function split(source: string, bytes: Buffer, size?: number): Promise<RawMessage[]> {
  const { messages, error } = await splitAll(source, bytes, size);
  if (error) throw error;
  return messages;
}

/** lines[n] is line n of the input (1-based). */
const linesOf = (bytes: Buffer): string[] => ["", ...bytes.toString("latin1").split("\n")];
const firstLine = (bytes: Buffer): string => bytes.toString("latin1").split("\n")[0];
const crlf = (bytes: Buffer): Buffer => Buffer.from(bytes.toString("latin1").replace(/\n/g, "\r\n"), "latin1");

const SERIES = "seeds/threads/dax-holder/series-v7.mbox";
const SEPARATOR = "From mboxrd@z Thu Jan  1 00:00:00 1970";

describe("splitMessages: mbox", () => {
  it("cuts an mboxrd archive at its separators, one message per separator", async () => {
    const bytes = fixture(SERIES);
    const lines = linesOf(bytes);
    const separators = lines.flatMap((line, n) => (line === SEPARATOR ? [n] : []));
    const messages = await split("series-v7.mbox", bytes);

    expect(messages).toHaveLength(26);
    expect(messages.map((m) => m.index)).toEqual([...Array(26).keys()]);
    for (const [i, message] of messages.entries()) {
      expect(message.source).toBe("series-v7.mbox");
      expect(message.hasHeaders).toBe(true);
      // startLine is the line right after the separator, and holds the first header.
      expect(message.startLine).toBe(separators[i] + 1);
      expect(firstLine(message.bytes)).toBe(lines[message.startLine]);
      expect(message.bytes.toString("latin1")).not.toContain(SEPARATOR);
    }
    // The empty line before each separator belongs to the separator.
    const next = messages[1].startLine - 1;
    expect(lines[next - 1]).toBe("");
    expect(messages[0].bytes.toString("latin1")).toBe(lines.slice(2, next - 1).join("\n") + "\n");
  });

  it("gives the same messages whatever the chunking", async () => {
    const bytes = fixture("seeds/threads/mmu-interval-notifier/v5-thread.mbox");
    const whole = await split("thread", bytes);
    expect(whole).toHaveLength(12);
    for (const size of [1, 3, 17, 4096]) {
      const pieces = await split("thread", bytes, size);
      expect(pieces.map((m) => [m.startLine, m.bytes.toString("latin1")])).toEqual(
        whole.map((m) => [m.startLine, m.bytes.toString("latin1")]),
      );
    }
  });

  it("undoes mboxrd escaping: `>From ` loses one `>`", async () => {
    const bytes = fixture("input/mboxrd-from-escape.mbox");
    const [message] = await split("escape.mbox", bytes);
    const text = message.bytes.toString("latin1");
    expect(text).toContain("\nFrom c69617137a1e6b67122c871c946e7aa00b03978b Mon Sep 17 00:00:00 2001\n");
    expect(text).not.toContain(">From ");
    // Line count unchanged: the line stands where the input has it, escaped.
    const at = text.split("\n").indexOf("From c69617137a1e6b67122c871c946e7aa00b03978b Mon Sep 17 00:00:00 2001");
    const escaped = ">From c69617137a1e6b67122c871c946e7aa00b03978b Mon Sep 17 00:00:00 2001";
    expect(linesOf(bytes)[message.startLine + at]).toBe(escaped);

    const nested = Buffer.from(`${SEPARATOR}\nSubject: x\n\nbody\n>>From me\n>From you\n> From him\n`);
    const [unescaped] = await split("nested", nested);
    expect(unescaped.bytes.toString()).toBe("Subject: x\n\nbody\n>From me\nFrom you\n> From him\n");
  });

  it("only takes `From <token> <date>` after an empty line for a separator", async () => {
    const input = [
      "From alice@example.org Tue Dec 17 15:51:59 2019",
      "Subject: one",
      "",
      "From the start, this is body text.", // no date: body
      "From bob@example.org Tue Dec 17 15:52:00 2019", // no empty line before: body
      "",
      "From 1a2b3c4d5e6f Mon Sep 17 00:00:00 2001",
      "Subject: two",
      "",
      "text",
      "",
    ].join("\n");
    const messages = await split("handmade", Buffer.from(input));
    expect(messages.map((m) => m.bytes.toString())).toEqual([
      "Subject: one\n\nFrom the start, this is body text.\nFrom bob@example.org Tue Dec 17 15:52:00 2019\n",
      "Subject: two\n\ntext\n",
    ]);
    expect(messages.map((m) => m.startLine)).toEqual([2, 8]);
  });

  it("reads a git format-patch file (a `From <sha> <date>` line on top) as one message", async () => {
    // The patch quoted in the escape fixture is `git format-patch` output.
    const quoted = fixture("input/mboxrd-from-escape.mbox").toString("utf8");
    const patch = quoted.slice(quoted.indexOf(">From c696") + 1);
    const [message, ...rest] = await split("0001-fsdax.patch", Buffer.from(patch));
    expect(rest).toEqual([]);
    expect(message.hasHeaders).toBe(true);
    expect(message.startLine).toBe(2);
    expect(firstLine(message.bytes)).toBe("From: Christoph Hellwig <hch@lst.de>");
  });

  it("lets the source close when the reader stops early", async () => {
    const bytes = fixture(SERIES);
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(bytes, 1024);
      } finally {
        closed = true;
      }
    }
    for await (const raw of splitMessages("series.mbox", source())) {
      expect(raw.index).toBe(0);
      break;
    }
    expect(closed).toBe(true);
  });

  it("takes CRLF line endings like LF ones", async () => {
    const bytes = fixture(SERIES);
    const lf = await split("lf", bytes);
    const crlfMessages = await split("crlf", crlf(bytes));
    expect(crlfMessages.map((m) => m.startLine)).toEqual(lf.map((m) => m.startLine));
    expect(crlfMessages.map((m) => m.bytes.toString("latin1"))).toEqual(
      lf.map((m) => m.bytes.toString("latin1").replace(/\n/g, "\r\n")),
    );
  });
});

describe("splitMessages: single messages and bare text", () => {
  it("reads an .eml as one message with headers, bytes unchanged", async () => {
    const bytes = fixture("seeds/threads/memfile-notifier/v5-02-patch.eml");
    const [message, ...rest] = await split("v5-02-patch.eml", bytes);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({ source: "v5-02-patch.eml", index: 0, startLine: 1, hasHeaders: true });
    expect(message.bytes.equals(bytes)).toBe(true);
  });

  it("does not split an .eml at a `From ` line in its body", async () => {
    const bytes = fixture("input/mboxrd-from-escape.mbox");
    const text = bytes.toString("latin1").split("\n").slice(1).join("\n");
    const eml = Buffer.from(text.replace(/^>From /m, "From "), "latin1");
    const messages = await split("unescaped.eml", eml);
    expect(messages).toHaveLength(1);
    expect(messages[0].bytes.toString()).toContain("\nFrom c69617137a1e6b67122c871c946e7aa00b03978b Mon Sep 17");
  });

  it("skips empty lines before the headers, and counts them in startLine", async () => {
    const bytes = Buffer.concat([Buffer.from("\n\n"), fixture("input/utf8-8bit-patch.eml")]);
    const [message] = await split("padded.eml", bytes);
    expect(message.startLine).toBe(3);
    expect(message.hasHeaders).toBe(true);
    expect(firstLine(message.bytes)).toMatch(/^Return-Path: /);
  });

  it("reads a web-archive text (first line `Re: [PATCH ...]`) as bare text", async () => {
    const bytes = fixture("seeds/000_554857a8669a2fc2.txt");
    const [message, ...rest] = await split("000.txt", bytes);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({ startLine: 1, hasHeaders: false });
    expect(message.bytes.equals(bytes)).toBe(true);
  });

  it("reads a bare `git diff` as one message without headers", async () => {
    const eml = fixture("input/utf8-8bit-patch.eml").toString("utf8");
    const diff = Buffer.from(eml.slice(eml.indexOf("diff --git")));
    const [message, ...rest] = await split("-", diff);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({ source: "-", startLine: 1, hasHeaders: false });
    expect(message.bytes.equals(diff)).toBe(true);
  });

  it("takes a bare text whose first paragraph looks like trailers for text, not headers", async () => {
    const text = Buffer.from("Signed-off-by: A <a@example.org>\nReviewed-by: B <b@example.org>\n\n--- a/x\n+++ b/x\n");
    const [message] = await split("trailers.txt", text);
    expect(message.hasHeaders).toBe(false);
  });
});

describe("splitMessages: gzip", () => {
  it("inflates gzip input as a stream and splits it like the plain text", async () => {
    const bytes = fixture(SERIES);
    const plain = await split("series.mbox", bytes);
    const inflated = await split("series.mbox.gz", gzipSync(bytes), 1000);
    expect(inflated.map((m) => [m.startLine, m.bytes.toString("latin1")])).toEqual(
      plain.map((m) => [m.startLine, m.bytes.toString("latin1")]),
    );
  });

  it("yields what was read from a truncated gzip, then throws an InputError naming the input", async () => {
    const bytes = fixture(SERIES);
    const plain = await split("series.mbox", bytes);
    const gz = gzipSync(bytes);
    const { messages, error } = await splitAll("series.mbox.gz", gz.subarray(0, Math.floor(gz.length / 2)), 4096);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^series\.mbox\.gz: truncated gzip data/);
    expect(messages.length).toBeGreaterThan(3);
    expect(messages.length).toBeLessThan(plain.length);
    // Every message but the last (cut short) is whole.
    for (const [i, message] of messages.slice(0, -1).entries()) {
      expect(message.bytes.equals(plain[i].bytes)).toBe(true);
    }
    const last = messages[messages.length - 1];
    expect(plain[last.index].bytes.subarray(0, last.bytes.length).equals(last.bytes)).toBe(true);
  });

  it("throws an InputError for corrupt gzip data", async () => {
    const gz = gzipSync(fixture(SERIES));
    gz.fill(0x55, 200, 400);
    const { error } = await splitAll("bad.gz", gz);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^bad\.gz: (corrupt|truncated) gzip data/);
  });
});

describe("splitMessages: inputs that are not text", () => {
  it("rejects binary data", async () => {
    const binary = Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), Buffer.alloc(64), Buffer.from("IHDR")]);
    const { messages, error } = await splitAll("foo.bin", binary);
    expect(messages).toEqual([]);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe("foo.bin: not a text file (binary data)");
  });

  it("rejects binary data inside gzip, and NUL bytes met late in the first 8 KiB", async () => {
    const text = fixture(SERIES).subarray(0, 8000);
    const late = Buffer.concat([text, Buffer.from([0, 1, 2])]);
    for (const [name, bytes] of [["late.txt", late], ["late.gz", gzipSync(late)]] as const) {
      const { messages, error } = await splitAll(name, bytes, 100);
      expect(messages).toEqual([]);
      expect((error as Error).message).toBe(`${name}: not a text file (binary data)`);
    }
  });

  it("rejects empty input", async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from("\n\n \r\n"), gzipSync(Buffer.alloc(0))]) {
      const { messages, error } = await splitAll("empty.txt", bytes);
      expect(messages).toEqual([]);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe("empty.txt: empty input");
    }
  });
});
