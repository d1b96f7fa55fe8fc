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
 * b4 takes any line containing `ERROR:` for a failure and every other line for
 * a warning, so only error-level lines may contain it: in the other lines
 * every `error:` (in any case) gets a space before its colon.
 */
import type { Finding, MessageResult } from "../engine/types.js";
import { collected, type StreamFactory } from "./types.js";
import { levelWord, oneLine } from "./util.js";

/** One message's lines. */
export function terseLines(r: MessageResult): string {
  let out = "";
  for (const f of r.findings) out += terseLine(f, r) + "\n";
  return out;
}

export const terseStream: StreamFactory = () => ({ message: terseLines, end: () => "" });

export const terse = collected(terseStream);

function terseLine(f: Finding, r: MessageResult): string {
  const file = oneLine(f.file);
  let where: string;
  let message = oneLine(f.message);
  if (file !== "" && f.line !== null) {
    where = `${file}:${f.line}:`;
  } else {
    const at = f.patchLine !== null ? `${oneLine(r.source)}:${f.patchLine}:` : null;
    if (at === null) where = file !== "" ? `${file}:` : `${oneLine(r.source)}:`;
    else {
      where = at;
      if (file !== "") message += ` (in ${file})`;
    }
  }
  const line = `${where} ${levelWord(f.severity)}: ${message} [${oneLine(f.rule)}]`;
  return f.severity === "error" ? line : defuseError(line);
}

/** Keeps a non-error line from reading as a failure to b4. */
export function defuseError(line: string): string {
  return line.replace(/(error)(?=:)/gi, "$1 ");
}
