/**
 * Reporters: pure functions from the engine's per-message results to the text
 * the CLI prints. No I/O, no console.
 *
 *   text   checkpatch's block form, for people
 *   terse  one line per finding, checkpatch --terse --showfile, for b4 and editors
 *   json   kreview's stable report (docs/json-output.md)
 *   sarif  SARIF 2.1.0, for code scanning and SARIF viewers
 *   b4-review  the JSON array `b4 review` reads from a per-patch check
 *   email  a review reply per patch with findings, as an mbox to send (docs/email-reply.md)
 */
import { b4Review } from "./b4-review.js";
import { email } from "./email.js";
import { json } from "./json.js";
import { sarif } from "./sarif.js";
import { terse } from "./terse.js";
import { text } from "./text.js";
import type { FormatName, Formatter } from "./types.js";

export type { FormatName, Formatter, ReportMeta, ReportRule } from "./types.js";
export { b4Review, email, json, sarif, terse, text };

export const formatters: Record<FormatName, Formatter> = { text, terse, json, sarif, "b4-review": b4Review, email };
