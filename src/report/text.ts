/**
 * `text`: checkpatch's default block form, so kernel people read it at a glance.
 *
 *   ERROR:bitwise-or-in-condition: '|' between two conditions, did you mean '||'
 *   #49: FILE: drivers/net/foo.c:161:
 *   +	if (!a | !b)
 *     note: drivers/net/foo.c:150: related location's message
 *     fix: use '||' for a logical or: replace with "||"
 *
 *   total: 1 errors, 0 warnings, 120 lines checked
 *
 *   0001-foo.patch has review points, please check them.
 *
 * The location line names the post-image `path:line` after checkpatch's
 * `#N: FILE:` (N: line of the input, left out when unknown). When the
 * post-image line is unknown (a quoted fragment with no `@@` line) it names
 * the input instead, which is a place an editor can open:
 * `#42: FILE: reply.eml:42 (drivers/net/foo.c, line unknown):`. Findings about
 * the whole message (file "") name the input line, `#3: FILE: reply.eml:3:`,
 * or have no location line when that is unknown too (as checkpatch's
 * "Missing Signed-off-by"). Related locations follow the same rule.
 *
 * With more than one message a dashed header (checkpatch's per-file header)
 * names each message that prints anything: `source, message N: subject`, N
 * counted from 1. Input problems print as `NOTE:` lines unless quiet; an
 * unreadable message prints an `UNREADABLE:` line even when quiet. The
 * `total:` line counts checks when there are any or under --strict, and
 * with a baseline, after the lines checked, the findings it suppressed
 * (`, 2 suppressed by the baseline`: readers of checkpatch's total still
 * read it); then, unless quiet, one verdict line per input. Notes about the
 * whole run (meta.notes) print once, as `NOTE:` lines before `total:`,
 * unless quiet. `--no-summary` leaves out the `total:` line; `--mailback`
 * leaves out notes, total and verdicts when the run has no error or warning.
 */
import type { Finding, MessageResult, RelatedLocation } from "../engine/types.js";
import { collected, type ReportMeta, type StreamFactory } from "./types.js";
import { levelWord, messageNumber, oneLine } from "./util.js";

/**
 * Streamed: each message's block as it comes (the first held until the
 * second shows whether there are several, which decides the headers), and
 * at the end the totals and one verdict per input, from counts kept on the
 * way.
 */
export const textStream: StreamFactory = (meta) => {
  let first: MessageResult | null = null;
  let seen = 0;
  const totals = { errors: 0, warnings: 0, checks: 0, lines: 0, suppressed: 0 };
  const sources = new Map<string, SourceSeen>();
  const out = (r: MessageResult, several: boolean): string => {
    const block = messageBlock(r, meta);
    if (block.length === 0) return "";
    return [...(several ? header(r) : []), ...block].map((l) => `${l}\n`).join("");
  };
  return {
    message(r) {
      seen++;
      totals.lines += r.lineCount;
      totals.suppressed += r.suppressed ?? 0;
      for (const f of r.findings) {
        if (f.severity === "error") totals.errors++;
        else if (f.severity === "warning") totals.warnings++;
        else totals.checks++;
      }
      let src = sources.get(r.source);
      if (!src) sources.set(r.source, (src = { findings: false, allUnreadable: true, anyUnreadable: false, patch: false, reply: false }));
      if (r.findings.length > 0) src.findings = true;
      if (r.kind === "unreadable") src.anyUnreadable = true;
      else src.allUnreadable = false;
      if (r.kind === "patch") src.patch = true;
      if (r.kind === "reply") src.reply = true;
      if (seen === 1) {
        first = r;
        return "";
      }
      const held = first ? out(first, true) : "";
      first = null;
      return held + out(r, true);
    },
    end() {
      let text = first ? out(first, false) : "";
      first = null;
      if (meta.mailback && totals.errors + totals.warnings === 0) return text;
      if (!meta.quiet) for (const note of meta.notes ?? []) text += `NOTE: ${oneLine(note)}\n\n`;
      const counts = [`${totals.errors} errors`, `${totals.warnings} warnings`];
      if (meta.strict || totals.checks > 0) counts.push(`${totals.checks} checks`);
      counts.push(`${totals.lines} lines checked`);
      if (meta.baseline) counts.push(`${totals.suppressed} suppressed by the baseline`);
      if (meta.summary !== false) text += `total: ${counts.join(", ")}\n`;
      // Each verdict follows a blank line; without the total the last block already ends in one.
      let gap = meta.summary !== false;
      if (!meta.quiet) {
        for (const [source, seen] of sources) {
          text += `${gap ? "\n" : ""}${verdict(source, seen)}\n`;
          gap = true;
        }
      }
      return text;
    },
  };
};

export const text = collected(textStream);

/** What the verdict of an input needs to know of its messages. */
interface SourceSeen {
  findings: boolean;
  allUnreadable: boolean;
  anyUnreadable: boolean;
  patch: boolean;
  reply: boolean;
}

function header(r: MessageResult): string[] {
  const title = oneLine(`${r.source}, message ${messageNumber(r.index)}: ${r.subject || "(no subject)"}`);
  const rule = "-".repeat(title.length);
  return [rule, title, rule];
}

/** The lines one message prints, each finding closed by a blank line; [] when it prints nothing. */
function messageBlock(r: MessageResult, meta: ReportMeta): string[] {
  const out: string[] = [];
  if (r.kind === "unreadable") {
    const why = r.problems.length > 0 ? `: ${r.problems.join("; ")}` : "";
    out.push(oneLine(`UNREADABLE: ${r.source}, message ${messageNumber(r.index)} could not be read${why}`), "");
  }
  for (const f of r.findings) out.push(...findingBlock(f, r.source));
  if (r.kind !== "unreadable" && !meta.quiet && r.problems.length > 0) {
    for (const p of r.problems) out.push(`NOTE: ${oneLine(p)}`);
    out.push("");
  }
  return out;
}

function findingBlock(f: Finding, source: string): string[] {
  const out = [`${levelWord(f.severity)}:${f.rule}: ${oneLine(f.message)}`];
  if (f.file !== "" || f.patchLine !== null) {
    const hash = f.patchLine !== null ? `#${f.patchLine}: ` : "";
    out.push(`${hash}FILE: ${place(f, source)}:`);
  }
  if (f.sourceLine !== undefined) out.push(oneLine(`${f.sourceKind ?? ""}${f.sourceLine}`));
  for (const rel of f.related) out.push(`  note: ${place(rel, source)}: ${oneLine(rel.message)}`);
  if (f.suggestion) {
    out.push(`  fix: ${oneLine(f.suggestion.message)}: replace with ${JSON.stringify(f.suggestion.replacement)}`);
  }
  out.push("");
  return out;
}

/** `path:line`, or the input position when the post-image line is unknown (see the module comment). */
function place(loc: Pick<RelatedLocation, "file" | "line" | "patchLine">, source: string): string {
  const file = oneLine(loc.file);
  if (file === "") return loc.patchLine !== null ? `${source}:${loc.patchLine}` : source;
  if (loc.line !== null) return `${file}:${loc.line}`;
  if (loc.patchLine !== null) return `${source}:${loc.patchLine} (${file}, line unknown)`;
  return `${file} (line unknown)`;
}

/** checkpatch's closing sentence, in kreview's words; stdin is "Your patch", as in checkpatch. */
function verdict(source: string, seen: SourceSeen): string {
  const who = source === "-" ? "Your patch" : oneLine(source);
  if (seen.findings) return `${who} has review points, please check them.`;
  if (seen.allUnreadable) return `${who} could not be read, see above.`;
  if (seen.anyUnreadable) return `${who} could not be read in full, see above.`;
  if (seen.patch) return `${who} has no obvious review points and is ready for submission.`;
  if (seen.reply) return `${who} has no obvious review points.`;
  return `${who} has no diff to review.`;
}
