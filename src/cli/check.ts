/**
 * One message from raw bytes to its result, within the time budget: the
 * same code on the main thread and in the pool's workers.
 */
import type { Linter, MessageResult } from "../engine/index.js";
import { parseMail, sourceText, type RawMessage } from "../input/index.js";
import { parsePatch, sourcePatch, type Patch } from "../patch/index.js";
import { gaveUpText, OverBudget, withinBudget } from "./budget.js";

export interface CheckOptions {
  /** Milliseconds per message; 0 for no limit. */
  timeoutMs: number;
  /** Keep the patch on a result with findings (reporters that quote it). */
  keepPatches?: boolean;
  /** A series rule runs: with `keepPatches`, a patch it kept something of is handed back (a finding may come later). */
  series?: boolean;
  /** `-f`: each message is a whole source file (readSource), linted as the patch that adds it. */
  sourceFiles?: boolean;
}

export interface Checked {
  result: MessageResult;
  /** The patch, for a reporter that quotes it, when a series finding may still come (`series` and `keepPatches`). */
  patch?: Patch;
  /** True when kreview gave up on the message. */
  gaveUp?: boolean;
}

/** What is known of a message before (or without) linting it: enough to name it when giving up. */
export interface Known {
  messageId: string;
  subject: string;
  kind: MessageResult["kind"];
  lineCount: number;
}

export async function checkMessage(raw: RawMessage, linter: Linter, options: CheckOptions): Promise<Checked> {
  const mail = options.sourceFiles ? null : await parseMail(raw);
  let known: Known = mail
    ? { messageId: mail.headers.messageId, subject: mail.headers.subject, kind: "unreadable", lineCount: mail.lineCount }
    : { messageId: "", subject: "", kind: "unreadable", lineCount: countLines(raw.bytes) };
  let patch: Patch | undefined;
  let result: MessageResult;
  try {
    result = withinBudget(options.timeoutMs, () => {
      patch = mail ? parsePatch(mail) : sourcePatch(raw.source, sourceText(raw.bytes));
      known = { messageId: patch.messageId, subject: patch.subject, kind: patch.kind, lineCount: patch.lineCount };
      const linted = linter.lintPatch(patch);
      // The C view takes .c and .h files only (src/c/view.ts): say so rather than pass a file silently.
      if (!mail && !/\.[ch]$/.test(raw.source)) linted.problems.push(`${raw.source}: not a .c or .h file: no C for the rules to read`);
      return linted;
    });
  } catch (e) {
    if (e instanceof OverBudget) return { result: gaveUpResult(raw, known, options.timeoutMs / 1000), gaveUp: true };
    throw e;
  }
  patch = patch!;
  if (raw.commit) result.commit = raw.commit;
  if (options.keepPatches && result.findings.length > 0) result.patch = patch;
  const later = options.series && options.keepPatches && Object.keys(result.series?.data ?? {}).length > 0;
  return { result, patch: later ? patch : undefined };
}

/** The result of a message kreview gave up on: a problem saying so, no findings. */
export function gaveUpResult(raw: { source: string; index: number; bytes: Uint8Array; commit?: string }, known: Known | null, seconds: number): MessageResult {
  const result: MessageResult = {
    source: raw.source,
    index: raw.index,
    messageId: known?.messageId ?? "",
    subject: known?.subject ?? "",
    kind: known?.kind ?? "unreadable",
    findings: [],
    problems: [gaveUpText(seconds)],
    lineCount: known?.lineCount ?? countLines(raw.bytes),
    internalError: true,
  };
  if (raw.commit) result.commit = raw.commit;
  return result;
}

export function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
