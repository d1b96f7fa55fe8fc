/**
 * What the reports treat as one input, and what they call it.
 *
 * A unit is one input the user named (a patch file, an mbox, stdin), or,
 * under `--git`, one commit: checkpatch reports each file it is given, and
 * each commit of `--git`, on its own, with its own header, total and
 * verdict. Results come in input order, so the messages of one unit come one
 * after another.
 */
import type { MessageResult } from "../engine/types.js";
import { messageNumber, oneLine } from "./util.js";

/** Length of a commit id as checkpatch --git and `git log --oneline` print it. */
const SHA_LENGTH = 12;

/** Tells units apart: an input by its name, a commit by its sha. */
export function unitKey(r: MessageResult): string {
  return r.commit ? `commit ${r.commit}` : `input ${r.source}`;
}

/** The name that stands for the input in a position (`name:line`): the input's name, or the commit's short sha. */
export function inputName(r: MessageResult): string {
  return oneLine(r.commit ? r.commit.slice(0, SHA_LENGTH) : r.source);
}

/** What a header and a verdict call the unit, as checkpatch does: the file, "Your patch" for stdin, `Commit <sha12> ("subject")`. */
export function unitTitle(r: MessageResult): string {
  if (r.commit) return oneLine(`Commit ${r.commit.slice(0, SHA_LENGTH)} ("${commitSubject(r.subject)}")`);
  return r.source === "-" ? "Your patch" : oneLine(r.source);
}

/** One message, for people: `series.mbox, message 2`, or the commit. */
export function messageLabel(r: MessageResult): string {
  return r.commit ? unitTitle(r) : oneLine(`${r.source}, message ${messageNumber(r.index)}`);
}

/** One message with its subject, as a header names it: `series.mbox, message 2: [PATCH 1/2] ...`, or the commit. */
export function messageTitle(r: MessageResult): string {
  return r.commit ? unitTitle(r) : oneLine(`${messageLabel(r)}: ${r.subject || "(no subject)"}`);
}

/** The commit's own subject: the mail's, without format-patch's `[PATCH n/m]`. */
export function commitSubject(subject: string): string {
  return subject.replace(/^(\s*\[[^\]]*\])+\s*/, "");
}

/** How many units results make (for whole-report functions, which see them all). */
export function countUnits(results: readonly MessageResult[]): number {
  let n = 0;
  let last: string | null = null;
  for (const r of results) {
    const key = unitKey(r);
    if (key !== last) n++;
    last = key;
  }
  return n;
}
