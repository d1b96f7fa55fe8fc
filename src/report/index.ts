/**
 * Reporters: pure functions from the engine's per-message results to the text
 * the CLI prints. No I/O, no console. Each is a stream (`streams`: a
 * message's text as it comes, the totals at the end) and the whole-report
 * function made from it (`formatters`).
 *
 *   text   checkpatch's block form, for people
 *   terse  one line per finding, checkpatch --terse --showfile, for b4 and editors
 *   json   kreview's stable report (docs/json-output.md)
 *   sarif  SARIF 2.1.0, for code scanning and SARIF viewers
 *   b4-review  the JSON array `b4 review` reads from a per-patch check
 *   email  a review reply per patch with findings, as an mbox to send (docs/email-reply.md)
 */
import { b4Review, b4ReviewStream } from "./b4-review.js";
import { email, emailStream } from "./email.js";
import { json, jsonStream } from "./json.js";
import { sarif, sarifStream } from "./sarif.js";
import { terse, terseStream } from "./terse.js";
import { text, textStream } from "./text.js";
import type { FormatName, Formatter, StreamFactory } from "./types.js";

export type { FormatName, Formatter, ReportMeta, ReportRule, ReportStream, StreamFactory } from "./types.js";
export { b4Review, email, json, sarif, terse, text };

export const formatters: Record<FormatName, Formatter> = { text, terse, json, sarif, "b4-review": b4Review, email };

/** The same reporters, fed one message at a time (the CLI writes each message's text as soon as it is done). */
export const streams: Record<FormatName, StreamFactory> = {
  text: textStream,
  terse: terseStream,
  json: jsonStream,
  sarif: sarifStream,
  "b4-review": b4ReviewStream,
  email: emailStream,
};
