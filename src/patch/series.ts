/**
 * Series: which patches of a run were sent together.
 *
 * A series is what `git format-patch` numbers and `git send-email` threads:
 * `[PATCH v5 0/2]` (the cover letter), `[PATCH v5 1/2]`, `[PATCH v5 2/2]`,
 * each a reply to the cover letter or to the first patch. Patches are
 * grouped by their subject tags (version, part, total, prefix) and their
 * threading; two versions of a series in one mbox are two series, and a
 * patch with no `n/m` is a series of its own. A series is complete when
 * every part from 1 to its total is there.
 *
 * The grouper decides membership as messages arrive, in input order, and
 * hands back a series as soon as it is complete, or when it can no longer
 * grow: nothing joined it for `idleAfter` messages, or the run ended. It
 * keeps no patch, only the few facts it groups by.
 */

export interface SeriesTag {
  /** `v5` → 5; 1 when the subject names no version. */
  version: number;
  /** `3/8` → 3; null for a `[PATCH]` with no numbering. */
  part: number | null;
  total: number | null;
  /** The tag's words other than the version and numbering, lower case: `rfc patch net-next`. */
  prefix: string;
  /** The subject after its tags. */
  title: string;
}

const TAG = /^\s*\[([^\]]*)\]\s*/;

/**
 * The `[PATCH ...]` tag of a subject, or null when it has none. Several
 * bracketed tags (`[RFC][PATCH v2 1/3]`) are read as one.
 */
export function seriesTag(subject: string): SeriesTag | null {
  let s = subject;
  const words: string[] = [];
  let patchy = false;
  for (let m = TAG.exec(s); m; m = TAG.exec(s)) {
    const inner = m[1].trim();
    // `[PATCH ...]`, `[RFC]`, or numbering alone (`[v4 07/11]`, `[3/5]`)
    if (/\b(patch|rfc|resend)(\b|v\d)/i.test(inner) || /(^|\s)\d+\/\d+$/.test(inner)) patchy = true;
    // `PATCHv2` is `PATCH v2`
    words.push(...inner.replace(/\b(patch|rfc)(v\d+)\b/gi, "$1 $2").split(/[\s,]+/).filter(Boolean));
    s = s.slice(m[0].length);
  }
  if (!patchy) return null;
  let version = 1;
  let part: number | null = null;
  let total: number | null = null;
  const rest: string[] = [];
  for (const w of words) {
    const v = /^v(\d+)$/i.exec(w);
    const n = /^(\d+)\/(\d+)$/.exec(w);
    if (v) version = Number(v[1]);
    else if (n && Number(n[2]) > 0) {
      part = Number(n[1]);
      total = Number(n[2]);
    } else rest.push(w.toLowerCase());
  }
  // a tag said twice (`[PATCH v7 0/8] [PATCH v7 0/8] ...`) is said once
  return { version, part, total, prefix: [...new Set(rest.filter((w) => w !== "resend"))].join(" "), title: s.trim() };
}

/** What the grouper needs of a message. */
export interface SeriesCandidate {
  /** Position in the run (strictly increasing). */
  seq: number;
  subject: string;
  messageId: string;
  inReplyTo: string;
  references: readonly string[];
  /** The sender's address: a series comes from one sender. */
  from: string;
  /** A patch (a diff to lint), a cover letter, or another message (it joins nothing: series may go idle). */
  role: "patch" | "cover" | "other";
  /** Set for inputs that are one series by construction (`--git`): every patch of it joins that series. */
  forced?: string;
}

export interface SeriesInfo {
  id: number;
  version: number;
  /** The number of patches the subjects announce, or null (one unnumbered patch, a `--git` range). */
  total: number | null;
  /** The cover letter's subject, else the first patch's. */
  title: string;
  /** The `seq` of each patch, in part order (input order where parts are unknown). */
  members: number[];
  /** The parts named by `total` that never arrived. */
  missing: number[];
  complete: boolean;
}

interface Open {
  info: SeriesInfo;
  prefix: string;
  from: string;
  parts: Map<number, number>;
  /** Message-Ids of the cover letter and the patches (threading). */
  ids: Set<string>;
  last: number;
  forced?: string;
  hasCover: boolean;
  /** Of a forced series: the parts and totals its subjects name, and whether some named none. */
  tagged: [number, number][];
  untagged: boolean;
}

export class SeriesGrouper {
  private readonly open: Open[] = [];
  private nextId = 1;

  constructor(private readonly idleAfter = 200) {}

  /**
   * Place one message. Returns the series it joined (null for a message of
   * no series) and the series that closed because of it: itself when it made
   * its series complete, and any that went idle.
   */
  add(c: SeriesCandidate): { series: number | null; closed: SeriesInfo[] } {
    const closed = this.idle(c.seq);
    if (c.role === "other") return { series: null, closed };
    const tag = seriesTag(c.subject);
    if (c.forced !== undefined) {
      if (c.role !== "patch") return { series: null, closed };
      let o = this.open.find((s) => s.forced === c.forced);
      if (!o) o = this.start(c, tag, null);
      o.info.members.push(c.seq);
      o.last = c.seq;
      // what the subjects say still counts: `[PATCH 3/8]` sent alone is part of a series not all here
      if (tag?.part != null && tag.total != null) o.tagged.push([tag.part, tag.total]);
      else o.untagged = true;
      return { series: o.info.id, closed };
    }
    if (tag?.part == null || tag.total == null) {
      if (c.role !== "patch") return { series: null, closed };
      // One patch, unnumbered: a series of its own, complete as it is.
      const o = this.start(c, tag, 1);
      o.parts.set(1, c.seq);
      closed.push(this.close(o));
      return { series: o.info.id, closed };
    }
    const t = tag!;
    let o = this.find(c, t);
    if (!o) o = this.start(c, t, t.total);
    if (c.messageId) o.ids.add(c.messageId);
    // what the patch is threaded to is the series' thread too: a cover letter with no n/m tag
    // (`[PATCHSETS] v14 ...`) still holds its patches together
    if (c.role === "patch") for (const id of [c.inReplyTo, ...c.references]) if (id) o.ids.add(id);
    o.last = c.seq;
    if (c.role === "cover" || t.part === 0) {
      o.hasCover = true;
      o.info.title = t.title || c.subject;
      return { series: o.info.id, closed };
    }
    o.parts.set(t.part!, c.seq);
    if (this.full(o)) closed.push(this.close(o));
    return { series: o.info.id, closed };
  }

  /** The series of a forced input, closed (that input ended). */
  closeForced(forced: string): SeriesInfo[] {
    return this.open.filter((o) => o.forced === forced).map((o) => this.close(o));
  }

  /** Every series still open, closed (the run ended). */
  closeAll(): SeriesInfo[] {
    return [...this.open].map((o) => this.close(o));
  }

  /** The open series `c` belongs to: by threading first, then by tags alone when threading does not say. */
  private find(c: SeriesCandidate, t: SeriesTag): Open | undefined {
    const fits = (o: Open) =>
      o.forced === undefined && o.from === c.from.toLowerCase() && o.info.version === t.version && o.info.total === t.total && o.prefix === t.prefix && (t.part === 0 || c.role === "cover" ? !o.hasCover : !o.parts.has(t.part!));
    const thread = [c.inReplyTo, ...c.references].filter(Boolean);
    for (let i = this.open.length - 1; i >= 0; i--) {
      const o = this.open[i];
      if (fits(o) && thread.some((id) => o.ids.has(id))) return o;
    }
    // A patch whose threading names none of an open series' messages joins it only when
    // threading cannot say: the patch has none, or the series has no Message-Ids to match.
    for (let i = this.open.length - 1; i >= 0; i--) {
      const o = this.open[i];
      if (!fits(o)) continue;
      if (thread.length === 0 || o.ids.size === 0) return o;
      // git send-email threads every patch to the cover letter or the first patch: a patch
      // threaded to neither, in a series that has them, was sent in another thread.
    }
    return undefined;
  }

  private start(c: SeriesCandidate, t: SeriesTag | null, total: number | null): Open {
    const o: Open = {
      info: { id: this.nextId++, version: t?.version ?? 1, total, title: t?.title || c.subject, members: [], missing: [], complete: false },
      prefix: t?.prefix ?? "",
      from: c.from.toLowerCase(),
      parts: new Map(),
      ids: new Set(),
      last: c.seq,
      forced: c.forced,
      hasCover: false,
      tagged: [],
      untagged: false,
    };
    this.open.push(o);
    return o;
  }

  private full(o: Open): boolean {
    const total = o.info.total;
    if (total === null) return false;
    for (let p = 1; p <= total; p++) if (!o.parts.has(p)) return false;
    return true;
  }

  private close(o: Open): SeriesInfo {
    this.open.splice(this.open.indexOf(o), 1);
    const info = o.info;
    // a forced series lists its members as they came; the others, by part
    if (o.forced === undefined) info.members = [...o.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, seq]) => seq);
    if (o.forced !== undefined) {
      // A forced series is all there unless its subjects, all numbered to one total, name parts it lacks.
      const totals = new Set(o.tagged.map(([, t]) => t));
      const total = !o.untagged && totals.size === 1 ? [...totals][0] : null;
      const have = new Set(o.tagged.map(([p]) => p));
      info.missing = [];
      if (total !== null) for (let p = 1; p <= total; p++) if (!have.has(p)) info.missing.push(p);
      info.total = total ?? info.members.length;
      info.complete = info.missing.length === 0;
      return info;
    }
    const total = info.total;
    info.missing = [];
    if (total !== null) for (let p = 1; p <= total; p++) if (!o.parts.has(p)) info.missing.push(p);
    info.complete = total !== null && info.missing.length === 0;
    return info;
  }

  private idle(seq: number): SeriesInfo[] {
    return this.open.filter((o) => o.forced === undefined && seq - o.last > this.idleAfter).map((o) => this.close(o));
  }
}
