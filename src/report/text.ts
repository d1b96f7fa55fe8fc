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
 * Each input gets its own report, as checkpatch gives each file it is
 * handed: its findings, its `total:` line and its verdict. With several
 * inputs (a directory of patches, `--git` with several commits, which are
 * one input each) a dashed header names the input above its report, as
 * checkpatch's does: the file name, `Your patch` for stdin, or `Commit
 * <sha12> ("subject")`. An input that holds several messages (an mbox) heads
 * each of its messages that prints anything with `source, message N:
 * subject`, N counted from 1.
 *
 * Input problems print as `NOTE:` lines unless quiet; an unreadable message
 * prints an `UNREADABLE:` line even when quiet. The `total:` line counts
 * checks when there are any or under --strict, and with a baseline, after
 * the lines checked, the findings the baseline suppressed in that input
 * (`, 2 suppressed by the baseline`: readers of checkpatch's total still
 * read it). Quiet is checkpatch's -q: an input with nothing to say prints
 * nothing at all, the others their findings (under their header) and total,
 * and there are no verdicts and no notes. `--no-summary` leaves out the
 * `total:` lines; `--mailback` leaves out an input's total and verdict when
 * it has no error or warning, and the run's notes when none has.
 * Notes about the whole run print once at the end, unless quiet: those the
 * CLI hands over (meta.notes: a `.checkpatch.conf` not read), then, when no
 * kernel tree was found, which rules had less to go on.
 */
import type { Finding, MessageResult, RelatedLocation } from "../engine/types.js";
import { collected, type ReportMeta, type StreamFactory } from "./types.js";
import { inputName, messageLabel, messageTitle, unitKey, unitTitle } from "./units.js";
import { levelWord, noTreeNote, oneLine } from "./util.js";

/** One input's report as it is written: counts and verdict kept on the way, its first message held. */
interface Unit {
  key: string;
  /** What its header and verdict call it. */
  title: string;
  /** What its positions call it (`name:line`). */
  name: string;
  messages: number;
  /** The first message, held until the second shows whether the input holds several. */
  held: MessageResult | null;
  /** True once anything of it was written (its header is written before that, or never). */
  started: boolean;
  errors: number;
  warnings: number;
  checks: number;
  lines: number;
  /** Findings of its messages the baseline took out. */
  suppressed: number;
  seen: SourceSeen;
}

/**
 * Streamed: each message's block as it comes (an input's first held until
 * its second shows whether it holds several, which decides the message
 * headers), each input's total and verdict when the next input starts or at
 * the end.
 */
export const textStream: StreamFactory = (meta) => {
  const quiet = meta.quiet === true;
  // Unknown when the caller did not say: then there are several once a second input shows up.
  let several: boolean | null = meta.units !== undefined ? meta.units > 1 : null;
  let unit: Unit | null = null;
  let anyPatch = false;
  let anyBad = false;

  /** The unit's header, once, before the first thing it writes. */
  const start = (u: Unit): string => {
    if (u.started) return "";
    u.started = true;
    return several ? dashed([u.title]) : "";
  };
  const write = (u: Unit, r: MessageResult, banner: boolean): string => {
    const block = messageBlock(r, meta, u.name);
    if (block.length === 0) return "";
    return start(u) + dashed(banner ? [messageTitle(r)] : []) + block.map((l) => `${l}\n`).join("");
  };
  const close = (u: Unit): string => {
    let out = u.held ? write(u, u.held, false) : "";
    u.held = null;
    if (u.errors + u.warnings > 0) anyBad = true;
    else if (meta.mailback) return out;
    const clean = !u.seen.findings && !u.seen.anyUnreadable;
    const summary = meta.summary !== false;
    if (!quiet || !clean) out += start(u) + (summary ? totalLine(u, meta) : "");
    // each verdict follows a blank line; without the total the last block already ends in one
    if (!quiet) out += `${summary ? "\n" : ""}${verdict(u.title, u.seen)}\n`;
    return out;
  };

  return {
    message(r) {
      let out = "";
      const key = unitKey(r);
      if (!unit || unit.key !== key) {
        if (unit) {
          several ??= true;
          out += close(unit);
        }
        unit = newUnit(r, key);
      }
      count(unit, r);
      if (r.kind === "patch") anyPatch = true;
      if (unit.messages === 1) {
        unit.held = r;
        return out;
      }
      if (unit.held) out += write(unit, unit.held, true);
      unit.held = null;
      return out + write(unit, r, true);
    },
    end() {
      several ??= false;
      let out = "";
      if (unit) out += close(unit);
      else if (!quiet && meta.summary !== false) out += totalLine({ errors: 0, warnings: 0, checks: 0, lines: 0, suppressed: 0 }, meta);
      unit = null;
      if (quiet || (meta.mailback && !anyBad)) return out;
      for (const note of meta.notes ?? []) out += `\nNOTE: ${oneLine(note)}\n`;
      if (anyPatch && meta.noTree && meta.noTree.length > 0) out += `\nNOTE: ${noTreeNote(meta.noTree)}\n`;
      return out;
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

function newUnit(r: MessageResult, key: string): Unit {
  return {
    key,
    title: unitTitle(r),
    name: inputName(r),
    messages: 0,
    held: null,
    started: false,
    errors: 0,
    warnings: 0,
    checks: 0,
    lines: 0,
    suppressed: 0,
    seen: { findings: false, allUnreadable: true, anyUnreadable: false, patch: false, reply: false },
  };
}

function count(u: Unit, r: MessageResult): void {
  u.messages++;
  u.lines += r.lineCount;
  u.suppressed += r.suppressed ?? 0;
  for (const f of r.findings) {
    if (f.severity === "error") u.errors++;
    else if (f.severity === "warning") u.warnings++;
    else u.checks++;
  }
  if (r.findings.length > 0) u.seen.findings = true;
  if (r.kind === "unreadable") u.seen.anyUnreadable = true;
  else u.seen.allUnreadable = false;
  if (r.kind === "patch") u.seen.patch = true;
  if (r.kind === "reply") u.seen.reply = true;
}

function totalLine(u: Pick<Unit, "errors" | "warnings" | "checks" | "lines" | "suppressed">, meta: ReportMeta): string {
  const counts = [`${u.errors} errors`, `${u.warnings} warnings`];
  if (meta.strict || u.checks > 0) counts.push(`${u.checks} checks`);
  counts.push(`${u.lines} lines checked`);
  if (meta.baseline) counts.push(`${u.suppressed} suppressed by the baseline`);
  return `total: ${counts.join(", ")}\n`;
}

/** checkpatch's header: the title between two dashed rules as long as it ([] prints nothing). */
function dashed(titles: string[]): string {
  return titles
    .map((t) => {
      const title = oneLine(t);
      const rule = "-".repeat(title.length);
      return `${rule}\n${title}\n${rule}\n`;
    })
    .join("");
}

/** The lines one message prints, each finding closed by a blank line; [] when it prints nothing. */
function messageBlock(r: MessageResult, meta: ReportMeta, name: string): string[] {
  const out: string[] = [];
  if (r.kind === "unreadable") {
    const why = r.problems.length > 0 ? `: ${r.problems.join("; ")}` : "";
    out.push(oneLine(`UNREADABLE: ${messageLabel(r)} could not be read${why}`), "");
  }
  for (const f of r.findings) out.push(...findingBlock(f, name));
  if (r.kind !== "unreadable" && !meta.quiet && r.problems.length > 0) {
    for (const p of r.problems) out.push(`NOTE: ${oneLine(p)}`);
    out.push("");
  }
  return out;
}

function findingBlock(f: Finding, name: string): string[] {
  const out = [`${levelWord(f.severity)}:${f.rule}: ${oneLine(f.message)}`];
  if (f.file !== "" || f.patchLine !== null) {
    const hash = f.patchLine !== null ? `#${f.patchLine}: ` : "";
    out.push(`${hash}FILE: ${place(f, name)}:`);
  }
  if (f.sourceLine !== undefined) out.push(oneLine(`${f.sourceKind ?? ""}${f.sourceLine}`));
  for (const rel of f.related) out.push(`  note: ${place(rel, name)}: ${oneLine(rel.message)}`);
  if (f.suggestion) {
    out.push(`  fix: ${oneLine(f.suggestion.message)}: replace with ${JSON.stringify(f.suggestion.replacement)}`);
  }
  out.push("");
  return out;
}

/** `path:line`, or the input position when the post-image line is unknown (see the module comment). */
function place(loc: Pick<RelatedLocation, "file" | "line" | "patchLine">, name: string): string {
  const file = oneLine(loc.file);
  if (file === "") return loc.patchLine !== null ? `${name}:${loc.patchLine}` : name;
  if (loc.line !== null) return `${file}:${loc.line}`;
  if (loc.patchLine !== null) return `${name}:${loc.patchLine} (${file}, line unknown)`;
  return `${file} (line unknown)`;
}

/** checkpatch's closing sentence, in kreview's words. */
function verdict(who: string, seen: SourceSeen): string {
  if (seen.findings) return `${who} has review points, please check them.`;
  if (seen.allUnreadable) return `${who} could not be read, see above.`;
  if (seen.anyUnreadable) return `${who} could not be read in full, see above.`;
  if (seen.patch) return `${who} has no obvious review points and is ready for submission.`;
  if (seen.reply) return `${who} has no obvious review points.`;
  return `${who} has no diff to review.`;
}
