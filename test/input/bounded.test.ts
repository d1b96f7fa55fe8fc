/**
 * Every message of an input is accounted for, whatever is wrong with the
 * input around it: a gzip stream followed by junk, gzip members one after
 * another, an mbox with a separator and nothing else.
 */
import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { InputError, splitMessages, type RawMessage } from "../../src/input/index.js";

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < bytes.length; pos += size) yield bytes.subarray(pos, pos + size);
}

async function splitAll(source: string, bytes: Buffer, size = 65536): Promise<{ messages: RawMessage[]; error: unknown }> {
  const messages: RawMessage[] = [];
  try {
    for await (const raw of splitMessages(source, chunked(bytes, size))) messages.push(raw);
  } catch (error) {
    return { messages, error };
  }
  return { messages, error: null };
}

/** An mbox of n small messages, each with a body big enough that the archive spans several inflate writes. */
function mbox(n: number): Buffer {
  let m = "";
  for (let i = 0; i < n; i++) {
    m += `From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a@example.org\nSubject: m${i}\nMessage-ID: <m${i}@example.org>\n\n`;
    for (let j = 0; j < 200; j++) m += `line ${j} of message ${i}: ${"x".repeat((i * 7 + j) % 50)}\n`;
    m += "\n";
  }
  return Buffer.from(m);
}

const subjects = (ms: RawMessage[]) => ms.map((m) => /Subject: (\S+)/.exec(m.bytes.toString())![1]);

describe("gzip input is read to its last message", () => {
  const gz = gzipSync(mbox(40));
  const all = Array.from({ length: 40 }, (_, i) => `m${i}`);

  for (const size of [1 << 16, 4096, 7]) {
    it(`keeps every message before junk after the gzip data, then names the junk (chunks of ${size})`, async () => {
      const { messages, error } = await splitAll("a.mbox.gz", Buffer.concat([gz, Buffer.from("trailing junk\n")]), size);
      expect(subjects(messages)).toEqual(all);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe("a.mbox.gz: corrupt gzip data (14 bytes of trailing garbage after the end of the gzip data, ignored)");
    });
  }

  it("reads gzip members one after another as one input, and zero padding after them as nothing", async () => {
    const { messages, error } = await splitAll("a.mbox.gz", Buffer.concat([gzipSync(mbox(2)), gzipSync(mbox(3)), Buffer.alloc(1024)]));
    expect(error).toBeNull();
    expect(subjects(messages)).toEqual(["m0", "m1", "m0", "m1", "m2"]);
  });

  it("keeps what came before a second member that is cut short, and says it was truncated", async () => {
    const { messages, error } = await splitAll("a.mbox.gz", Buffer.concat([gz, Buffer.from([0x1f, 0x8b, 8, 0])]));
    expect(messages).toHaveLength(40);
    expect((error as Error).message).toMatch(/^a\.mbox\.gz: truncated gzip data/);
  });

  it("tells a wrong checksum in the trailer", async () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 8] ^= 0xff;
    const { messages, error } = await splitAll("a.mbox.gz", bad);
    expect(messages).toHaveLength(40);
    expect((error as Error).message).toMatch(/^a\.mbox\.gz: corrupt gzip data/);
  });
});

describe("an mbox with no message", () => {
  for (const [what, text] of [
    ["only a 'From ' line", "From mboxrd@z Thu Jan  1 00:00:00 1970\n"],
    ["separators and blank lines", "From mboxrd@z Thu Jan  1 00:00:00 1970\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n\n"],
  ]) {
    it(`is an input error, not a silent success: ${what}`, async () => {
      for (const bytes of [Buffer.from(text), gzipSync(text)]) {
        const { messages, error } = await splitAll("only-from.mbox", bytes);
        expect(messages).toEqual([]);
        expect((error as Error).message).toBe("only-from.mbox: an mbox with no message in it (nothing after its 'From ' line)");
      }
    });
  }
});
