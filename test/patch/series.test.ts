import { describe, expect, it } from "vitest";
import { SeriesGrouper, seriesTag, type SeriesCandidate, type SeriesInfo } from "../../src/patch/series.js";

describe("seriesTag", () => {
  it("reads version, part, total and the prefix's other words", () => {
    expect(seriesTag("[PATCH v5 1/2] mm/mmu_notifier: make interval notifier updates safe")).toEqual({
      version: 5,
      part: 1,
      total: 2,
      prefix: "patch",
      title: "mm/mmu_notifier: make interval notifier updates safe",
    });
    expect(seriesTag("[RFC PATCH net-next v3 07/12] net: x")).toMatchObject({ version: 3, part: 7, total: 12, prefix: "rfc patch net-next" });
    expect(seriesTag("[PATCH 0/8] cover")).toMatchObject({ version: 1, part: 0, total: 8 });
    expect(seriesTag("[RFC][PATCH v2 1/3] two tags")).toMatchObject({ version: 2, part: 1, total: 3, prefix: "rfc patch", title: "two tags" });
    expect(seriesTag("[PATCH RESEND v6 2/4] x")).toMatchObject({ version: 6, part: 2, total: 4, prefix: "patch" });
    expect(seriesTag("[v4 07/11] Add durable_name_printk")).toMatchObject({ version: 4, part: 7, total: 11, prefix: "" });
    expect(seriesTag("[PATCH v7 0/8] [PATCH v7 0/8] fsdax: x")).toMatchObject({ version: 7, part: 0, total: 8, prefix: "patch", title: "fsdax: x" });
    expect(seriesTag("[PATCHv2 1/2] mm: x")).toMatchObject({ version: 2, part: 1, total: 2, prefix: "patch" });
  });

  it("an unnumbered patch has no part; a subject with no patch tag has no tag", () => {
    expect(seriesTag("[PATCH] usb: fix it")).toMatchObject({ version: 1, part: null, total: null });
    expect(seriesTag("[PATCHv2] usb: fix it")).toMatchObject({ part: null });
    expect(seriesTag("Re: [PATCH 1/2] x")).toBeNull();
    expect(seriesTag("usb: fix it")).toBeNull();
    expect(seriesTag("[GIT PULL] nvdimm for 6.1")).toBeNull();
  });
});

/** Feeds messages in order; returns every series closed, and where each message went. */
function group(messages: Partial<SeriesCandidate>[], idleAfter?: number) {
  const g = new SeriesGrouper(idleAfter);
  const closed: SeriesInfo[] = [];
  const placed: (number | null)[] = [];
  messages.forEach((m, i) => {
    const r = g.add({ seq: i + 1, subject: "", messageId: "", inReplyTo: "", references: [], from: "a@example.org", role: "patch", ...m });
    placed.push(r.series);
    closed.push(...r.closed);
  });
  closed.push(...g.closeAll());
  return { closed, placed };
}

describe("SeriesGrouper", () => {
  it("a cover letter and its patches, threaded to it, are one series, complete when the last part arrives", () => {
    const { closed, placed } = group([
      { subject: "[PATCH v5 0/2] mm/hmm/test: add self tests for HMM", messageId: "<c>", role: "cover" },
      { subject: "[PATCH v5 1/2] mm/mmu_notifier: a", messageId: "<p1>", inReplyTo: "<c>", references: ["<c>"] },
      { subject: "[PATCH v5 2/2] mm/hmm/test: b", messageId: "<p2>", inReplyTo: "<c>", references: ["<c>"] },
    ]);
    expect(placed[0]).toBe(placed[1]);
    expect(placed[1]).toBe(placed[2]);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ version: 5, total: 2, title: "mm/hmm/test: add self tests for HMM", members: [2, 3], missing: [], complete: true });
  });

  it("patches threaded to a cover letter with no n/m tag are one series", () => {
    const { closed } = group([
      { subject: "[PATCHSETS] v14 fsdax-rmap + v11 fsdax-reflink", messageId: "<c>", role: "other" },
      { subject: "[PATCH v14 01/03] dax: a", messageId: "<p1>", inReplyTo: "<c>", references: ["<c>"] },
      { subject: "[PATCH v14 02/03] mm: b", messageId: "<p2>", inReplyTo: "<c>", references: ["<c>"] },
      { subject: "[PATCH v14 03/03] xfs: c", messageId: "<p3>", inReplyTo: "<c>", references: ["<c>"] },
    ]);
    expect(closed.map((s) => [s.members, s.complete])).toEqual([[[2, 3, 4], true]]);
  });

  it("two versions of a series in one mbox are two series", () => {
    const { closed } = group([
      { subject: "[PATCH v7 1/2] dax: a", messageId: "<a1>" },
      { subject: "[PATCH v7 2/2] dax: b", messageId: "<a2>", inReplyTo: "<a1>" },
      { subject: "[PATCH v8 1/2] dax: a", messageId: "<b1>" },
      { subject: "[PATCH v8 2/2] dax: b", messageId: "<b2>", inReplyTo: "<b1>" },
    ]);
    expect(closed.map((s) => [s.version, s.members])).toEqual([
      [7, [1, 2]],
      [8, [3, 4]],
    ]);
  });

  it("interleaved series of one shape are told apart by their threading", () => {
    const { closed } = group([
      { subject: "[PATCH 1/2] a", messageId: "<a1>" },
      { subject: "[PATCH 1/2] b", messageId: "<b1>" },
      { subject: "[PATCH 2/2] b", messageId: "<b2>", inReplyTo: "<b1>", references: ["<b1>"] },
      { subject: "[PATCH 2/2] a", messageId: "<a2>", inReplyTo: "<a1>", references: ["<a1>"] },
    ]);
    expect(closed.map((s) => s.members)).toEqual([[2, 3], [1, 4]]);
  });

  it("a patch with no threading joins a series of its shape only from the same sender", () => {
    const { closed } = group([
      { subject: "[PATCH v2 1/2] a", messageId: "<a1>", from: "a@example.org" },
      { subject: "[PATCH v2 2/2] other", messageId: "<x2>", from: "b@example.org" },
    ]);
    expect(closed.map((s) => [s.members, s.missing, s.complete])).toEqual([
      [[1], [2], false],
      [[2], [1], false],
    ]);
  });

  it("format-patch files with no Message-Id group by their tags, in part order", () => {
    const { closed } = group([{ subject: "[PATCH 2/3] b" }, { subject: "[PATCH 1/3] a" }, { subject: "[PATCH 3/3] c" }]);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ members: [2, 1, 3], complete: true });
  });

  it("a series with parts missing closes at the end, incomplete, and says which", () => {
    const { closed } = group([{ subject: "[PATCH v12 21/25] CXL/PCI: x", messageId: "<p21>", inReplyTo: "<c>" }]);
    expect(closed[0]).toMatchObject({ total: 25, members: [1], complete: false });
    expect(closed[0].missing).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 22, 23, 24, 25]);
  });

  it("an unnumbered patch is a series of its own, complete at once; replies and other mail join nothing", () => {
    const { closed, placed } = group([{ subject: "[PATCH] usb: fix" }, { subject: "Re: [PATCH] usb: fix", role: "other" }, { subject: "no tag at all" }]);
    expect(placed[1]).toBeNull();
    expect(closed.map((s) => [s.members, s.total, s.complete])).toEqual([
      [[1], 1, true],
      [[3], 1, true],
    ]);
  });

  it("a series nothing joined for idleAfter messages closes, so a whole archive holds few open", () => {
    const g = new SeriesGrouper(2);
    const base = { messageId: "", inReplyTo: "", references: [], from: "a@example.org" };
    g.add({ ...base, seq: 1, subject: "[PATCH 1/2] a", role: "patch" });
    expect(g.add({ ...base, seq: 2, subject: "x", role: "other" }).closed).toEqual([]);
    expect(g.add({ ...base, seq: 3, subject: "x", role: "other" }).closed).toEqual([]);
    const late = g.add({ ...base, seq: 4, subject: "x", role: "other" }).closed;
    expect(late.map((s) => [s.members, s.missing])).toEqual([[[1], [2]]]);
  });

  it("a forced series (a --git range) takes every patch of its input, whatever the subjects, and is complete", () => {
    const g = new SeriesGrouper();
    const base = { messageId: "", inReplyTo: "", references: [], from: "a@example.org", role: "patch" as const, forced: "git:-3" };
    g.add({ ...base, seq: 1, subject: "[PATCH 1/3] a" });
    g.add({ ...base, seq: 2, subject: "[PATCH] b" });
    g.add({ ...base, seq: 3, subject: "odd" });
    const [s] = g.closeForced("git:-3");
    expect(s).toMatchObject({ members: [1, 2, 3], total: 3, complete: true });
    expect(g.closeAll()).toEqual([]);
  });

  it("a forced series whose subjects all number one total still says which parts it lacks (one patch of eight sent again)", () => {
    const g = new SeriesGrouper();
    const base = { messageId: "", inReplyTo: "", references: [], from: "a@example.org", role: "patch" as const, forced: "send-email" };
    g.add({ ...base, seq: 1, subject: "[PATCH v2 3/8] x" });
    const [s] = g.closeForced("send-email");
    expect(s).toMatchObject({ members: [1], total: 8, complete: false, missing: [1, 2, 4, 5, 6, 7, 8] });
  });
});
