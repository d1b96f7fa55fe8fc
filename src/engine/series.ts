/**
 * Series-wide rules in a run: messages are grouped into series as they
 * come (src/patch/series.ts), and each message's result is held until its
 * series is closed, so that the series rules can add their findings, then
 * handed on in input order.
 */
import type { Patch } from "../patch/model.js";
import { SeriesGrouper, type SeriesInfo } from "../patch/series.js";
import type { Linter } from "./linter.js";
import type { MessageResult } from "./types.js";

/**
 * Results held until the series they belong to is closed, so that the
 * series-wide rules can add their findings to them, and handed on in input
 * order. A series closes when complete, when nothing joined it for a while
 * (the grouper's `idleAfter` messages: what is held stays bounded on a whole
 * archive), or at the end of the run.
 */
export class SeriesHold {
  private readonly grouper = new SeriesGrouper();
  private readonly held: { result: MessageResult; patch?: Patch; seq: number; series: number | null; waits: boolean }[] = [];
  /** What series rules kept of the results already handed on, by `seq`, until their series closes. */
  private readonly kept = new Map<number, { result: MessageResult; series: number }>();
  private readonly closed = new Set<number>();
  private seq = 0;

  constructor(
    private readonly linter: Linter,
    private readonly emit: (r: MessageResult) => void | Promise<void>,
    private readonly keepPatches = false,
  ) {}

  /** One message's result, in input order (and its patch, when a reporter will quote a finding a series rule may still add). */
  async add(r: MessageResult, patch?: Patch, oneSeries?: string) {
    const seq = ++this.seq;
    const note = r.series;
    const { series, closed } = this.grouper.add({
      seq,
      subject: r.subject,
      messageId: r.messageId,
      inReplyTo: note?.inReplyTo ?? "",
      references: note?.references ?? [],
      from: note?.from ?? "",
      role: note?.role ?? "other",
      forced: oneSeries,
    });
    this.held.push({ result: r, patch, seq, series, waits: note?.waits ?? false });
    this.check(closed);
    await this.flush();
  }

  async closeOne(oneSeries: string) {
    this.check(this.grouper.closeForced(oneSeries));
    await this.flush();
  }

  async closeAll() {
    this.check(this.grouper.closeAll());
    await this.flush();
  }

  private check(closed: SeriesInfo[]) {
    for (const info of closed) {
      // remembered only while results of it are still held (all of them may have gone on already)
      if (this.held.some((h) => h.series === info.id)) this.closed.add(info.id);
      const bySeq = new Map<number, { result: MessageResult; patch?: Patch }>(this.held.filter((h) => h.series === info.id).map((h) => [h.seq, h]));
      for (const [seq, k] of this.kept) {
        if (k.series !== info.id) continue;
        bySeq.set(seq, k);
        this.kept.delete(seq);
      }
      const members = info.members.map((s) => bySeq.get(s)).filter((h) => h !== undefined);
      if (members.length === 0) continue;
      this.linter.lintSeries(info, members.map((m) => m.result));
      if (this.keepPatches) for (const m of members) if (m.result.findings.length > 0) m.result.patch ??= m.patch;
    }
  }

  private async flush() {
    while (this.held.length > 0) {
      const head = this.held[0];
      const open = head.series !== null && !this.closed.has(head.series);
      if (open && head.waits) return;
      this.held.shift();
      if (open) {
        // no series finding can stand on it: it goes on now, and a copy of what the rules kept waits for the series
        this.kept.set(head.seq, { result: { ...head.result, findings: [], problems: [] }, series: head.series! });
      } else if (head.series !== null && !this.held.some((h) => h.series === head.series)) this.closed.delete(head.series);
      delete head.result.series;
      await this.emit(head.result);
    }
  }
}

