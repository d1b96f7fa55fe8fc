/**
 * A source file read whole (`kreview -f FILE`): not split into messages,
 * not decoded as mail. One RawMessage holds its bytes; `sourceText` turns
 * them into text (UTF-8, as kernel sources are; an invalid byte becomes
 * U+FFFD rather than failing the file).
 */
import { InputError } from "./split.js";
import type { RawMessage } from "./types.js";

/** How much of the file is searched for NUL bytes to tell binary data (as splitMessages does). */
const BINARY_PROBE_BYTES = 8192;

/** The whole file as one message. Throws InputError when it is binary. An empty file is a file of no lines. */
export async function readSource(source: string, chunks: AsyncIterable<Uint8Array>): Promise<RawMessage> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  const bytes = Buffer.concat(parts);
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) throw new InputError(source, "not a text file (binary data)");
  return { source, index: 0, bytes, startLine: 1, hasHeaders: false };
}

/** The file's text; a UTF-8 byte-order mark is dropped. */
export function sourceText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8").decode(bytes);
}
