/**
 * `terse`: one line per finding, checkpatch's `--terse --showfile` form that
 * b4 and editors parse:
 *
 *   drivers/net/foo.c:161: ERROR: '|' between two conditions, did you mean '||' [bitwise-or-in-condition]
 *
 * Nothing else is printed: no totals, no notes, no verdict (b4 counts every
 * non-empty line as a finding). Related locations and suggestions are left
 * out; input problems and unreadable messages are the CLI's to say on stderr.
 *
 * When the post-image line is unknown the line names the input position,
 * `source:patchLine:` (`-:42:` for stdin, which b4 strips as it does for
 * checkpatch), and the file goes after the message: `(in drivers/net/foo.c)`.
 * With no position at all the line starts with the file, or the input name.
 *
 * Under `--git` the input position names the commit by its short sha
 * (`0123456789ab:39:`), its lines counted within that commit's patch.
 *
 * With several inputs (meta.units), each line starts with the input and its
 * line, as checkpatch's --terse names the file it read (`$filename:$linenr:`)
 * and editors jump to:
 *
 *   out/0002-foo.patch:306: drivers/net/foo.c:161: ERROR: ... [bitwise-or-in-condition]
 *
 * (a line that already starts with that position is not given it twice).
 * b4 hands over one patch at a time, so it never sees this form.
 *
 * b4 takes any line containing `ERROR:` for a failure and every other line for
 * a warning, so only error-level lines may contain it: in the other lines
 * every `error:` (in any case) gets a space before its colon.
 */
import type { Finding, MessageResult } from "../engine/types.js";
import { collected, type StreamFactory } from "./types.js";
import { inputName } from "./units.js";
import { levelWord, oneLine } from "./util.js";

/** One message's lines, one per finding; `several` puts the input's position first. */
export function terseLines(r: MessageResult, several = false): string {
  let out = "";
  for (const f of r.findings) out += terseLine(f, r, several) + "\n";
  return out;
}

/** Each finding's line, as `terseLines` writes them (without their newlines). */
export function terseLineList(r: MessageResult): string[] {
  return r.findings.map((f) => terseLine(f, r, false));
}

export const terseStream: StreamFactory = (meta) => {
  const several = (meta.units ?? 1) > 1;
  return { message: (r) => terseLines(r, several), end: () => "" };
};

export const terse = collected(terseStream);

function terseLine(f: Finding, r: MessageResult, several: boolean): string {
  const name = inputName(r);
  const input = f.patchLine !== null ? `${name}:${f.patchLine}:` : `${name}:`;
  const file = oneLine(f.file);
  let where: string;
  let message = oneLine(f.message);
  if (file !== "" && f.line !== null) {
    where = `${file}:${f.line}:`;
  } else if (f.patchLine === null) {
    where = file !== "" ? `${file}:` : input;
  } else {
    where = input;
    if (file !== "") message += ` (in ${file})`;
  }
  if (several && where !== input) where = `${input} ${where}`;
  const line = `${where} ${levelWord(f.severity)}: ${message} [${oneLine(f.rule)}]`;
  return f.severity === "error" ? line : defuseError(line);
}

/** Keeps a non-error line from reading as a failure to b4. */
export function defuseError(line: string): string {
  return line.replace(/(error)(?=:)/gi, "$1 ");
}
