/**
 * Archives: a series mbox, the same gzipped (by name and on stdin, where only
 * the magic bytes tell), the committed sample of a real list archive
 * (fixtures/corpus/nvdimm-sample.mbox.gz, gzip mboxrd), and a reader that
 * stops early (`kreview big.mbox | head -1`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMAT_ONLY, fixture, makeTmp, removeTmp, REPO, run, runJson, runPiped, type JsonReport } from "./run.js";

const SERIES = "fixtures/seeds/threads/dax-holder/series-v8.mbox";
const SAMPLE = "fixtures/corpus/nvdimm-sample.mbox.gz";

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

/** The Subject headers of an mbox, unfolded, in order (the series' subjects are plain ASCII). */
function subjectsOf(mbox: string): string[] {
  return mbox
    .split(/^From mboxrd@z .*\n/m)
    .slice(1)
    .map((m) => {
      const head = m.slice(0, m.search(/\n\n/)).replace(/\n[ \t]+/g, " ");
      return /^Subject: (.*)$/m.exec(head)![1]!.replace(/\s+/g, " ").trim();
    });
}

describe("a series mbox", () => {
  const text = fixture(SERIES).toString("utf8");
  const subjects = subjectsOf(text);
  let plain: JsonReport;

  it("every message, in order, with its subject: cover letter, 8 patches, 2 build-bot replies", async () => {
    expect(subjects).toHaveLength(11);
    const r = await runJson([...FORMAT_ONLY, SERIES]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    plain = r.report;
    expect(plain.messages.map((m) => m.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(plain.messages.map((m) => m.subject)).toEqual(subjects);
    expect(plain.messages.map((m) => m.kind)).toEqual([
      "no-diff", // [PATCH v8 0/8]
      ...Array(8).fill("patch"), // [PATCH v8 1/8] .. 8/8
      "no-diff", // the kernel test robot's build reports
      "no-diff",
    ]);
    expect(plain.messages.every((m) => m.source === SERIES && m.findings.length === 0 && m.problems.length === 0)).toBe(true);
    expect(plain.summary).toEqual({ messages: 11, patches: 8, errors: 0, warnings: 0, checks: 0 });
  });

  it("gzipped (.mbox.gz, and the same bytes on stdin with no name to go by): the same report", async () => {
    const gz = gzipSync(fixture(SERIES));
    writeFileSync(path.join(tmp, "series-v8.mbox.gz"), gz);
    const [byName, onStdin] = await Promise.all([
      runJson([...FORMAT_ONLY, "series-v8.mbox.gz"], { cwd: tmp }),
      runJson([...FORMAT_ONLY, "-"], { stdin: gz }),
    ]);
    for (const [r, source] of [
      [byName, "series-v8.mbox.gz"],
      [onStdin, "-"],
    ] as const) {
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.report.messages.every((m) => m.source === source)).toBe(true);
      const strip = (rep: JsonReport) => rep.messages.map(({ source: _s, ...rest }) => rest);
      expect(strip(r.report)).toEqual(strip(plain ?? (await runJson([...FORMAT_ONLY, SERIES])).report));
    }
  });
});

// ---- the committed sample of the nvdimm archive ----

/** One message of the archive as this test reads it, independently of kreview. */
interface Scanned {
  index: number;
  subject: string;
  /** Top-level transfer encoding, or "multipart". */
  layout: "quoted-printable" | "base64" | "multipart" | "other";
  /** Unquoted `diff --git` header and `@@` line in the decoded text. */
  unquotedDiff: boolean;
  /** A quoted `@@ -N` line (`> @@`, `> > @@`). */
  quotedDiff: boolean;
}

const qpDecode = (s: string) => s.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
const unfold = (head: string) => head.replace(/\r?\n[ \t]+/g, " ");
const header = (head: string, name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(head)?.[1]?.trim() ?? "";

function decodeBody(head: string, body: string): string {
  const cte = header(head, "Content-Transfer-Encoding").toLowerCase();
  if (cte === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("latin1");
  if (cte === "quoted-printable") return qpDecode(body);
  return body;
}

/** Splits the archive on its mboxrd separators and decodes each body (parts of a multipart one by one). */
function scanArchive(mbox: string): Scanned[] {
  return mbox
    .split(/^From mboxrd@z [^\n]*\n/m)
    .slice(1)
    .map((m, index) => {
      const split = m.search(/\r?\n\r?\n/);
      const head = unfold(m.slice(0, split));
      const body = m.slice(split);
      const type = header(head, "Content-Type");
      const cte = header(head, "Content-Transfer-Encoding").toLowerCase();
      let decoded: string;
      let layout: Scanned["layout"];
      if (/^multipart\//i.test(type)) {
        layout = "multipart";
        const boundary = /boundary="?([^";\s]+)"?/i.exec(type)?.[1] ?? "\0";
        decoded = body
          .split("--" + boundary)
          .map((part) => {
            const s = part.search(/\r?\n\r?\n/);
            return s < 0 ? "" : decodeBody(unfold(part.slice(0, s)), part.slice(s));
          })
          .join("\n");
      } else {
        layout = cte === "base64" || cte === "quoted-printable" ? cte : "other";
        decoded = decodeBody(head, body);
      }
      decoded = decoded.replace(/\r\n/g, "\n");
      return {
        index,
        subject: header(head, "Subject"),
        layout,
        unquotedDiff: /^diff --git a\/\S+ b\//m.test(decoded) && /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m.test(decoded),
        quotedDiff: /^>[> ]*@@ -\d+/m.test(decoded),
      };
    });
}

describe("the committed nvdimm archive sample (gzip, mboxrd)", () => {
  const mbox = gunzipSync(readFileSync(path.join(REPO, SAMPLE))).toString("latin1");
  const separators = mbox.match(/^From mboxrd@z /gm)?.length ?? 0;
  const scanned = scanArchive(mbox);
  let run_: Awaited<ReturnType<typeof runJson>>;

  beforeAll(async () => {
    run_ = await runJson([SAMPLE], { timeoutMs: 60_000 }); // every rule
  }, 90_000);

  it("accounts for every message of the archive, each with a documented kind, and exits below 2", () => {
    expect(separators).toBe(583);
    expect(scanned).toHaveLength(separators);
    expect(run_.status).not.toBe(2);
    expect([0, 1]).toContain(run_.status);
    expect(run_.stderr).toBe("");
    const msgs = run_.report.messages;
    expect(msgs).toHaveLength(separators);
    expect(run_.report.summary.messages).toBe(separators);
    expect(msgs.map((m) => m.index)).toEqual(scanned.map((s) => s.index));
    expect(msgs.every((m) => m.source === SAMPLE)).toBe(true);
    for (const m of msgs) expect(["patch", "reply", "no-diff", "unreadable"], `message ${m.index}`).toContain(m.kind);
    expect(msgs.filter((m) => m.kind === "patch").length).toBe(run_.report.summary.patches);
  });

  it("no patch carries an internal error", () => {
    const patches = run_.report.messages.filter((m) => m.kind === "patch");
    expect(patches.length).toBeGreaterThan(100);
    const internal = patches.filter((m) => m.problems.some((p) => /internal error/i.test(p)));
    expect(internal.map((m) => `${m.index}: ${m.subject}: ${m.problems.join("; ")}`)).toEqual([]);
  });

  it("quoted-printable patches (found by decoding the archive here) are read as patches", () => {
    const qpPatches = scanned.filter((s) => s.layout === "quoted-printable" && s.unquotedDiff && !/^\s*re:/i.test(s.subject));
    expect(qpPatches.length).toBeGreaterThan(0);
    for (const s of qpPatches) expect(run_.report.messages[s.index]!.kind, `message ${s.index}: ${s.subject}`).toBe("patch");
  });

  // The sample holds no base64 or multipart *patch* (every such message is a
  // reply, a cover letter or a report); what it has is replies whose diff is
  // only visible once decoded. Those must come out as replies: a decoding slip
  // would make them no-diff.
  it.each([["base64"], ["multipart"]] as const)("%s messages whose decoded text holds diff lines are read as replies (or patches)", (layout) => {
    const withDiff = scanned.filter((s) => s.layout === layout && (s.unquotedDiff || s.quotedDiff));
    expect(withDiff.length).toBeGreaterThan(5);
    for (const s of withDiff) {
      const expected = s.unquotedDiff && !/^\s*re:/i.test(s.subject) ? "patch" : "reply";
      expect(run_.report.messages[s.index]!.kind, `message ${s.index}: ${s.subject}`).toBe(expected);
    }
  });

  it("the quoted-printable replies with a quoted diff are replies too", () => {
    const qpReplies = scanned.filter((s) => s.layout === "quoted-printable" && s.quotedDiff && /^\s*re:/i.test(s.subject));
    expect(qpReplies.length).toBeGreaterThan(5);
    for (const s of qpReplies) expect(run_.report.messages[s.index]!.kind, `message ${s.index}: ${s.subject}`).toBe("reply");
  });
});

describe("a reader that stops early (`kreview big.mbox | head -1`)", () => {
  // Node gives a child's stdout a socket pair that buffers ~200 KB, so the
  // report must be larger than that for kreview to meet the closed end at
  // all: the sample named twice makes ~370 KB of JSON. (Checked: a copy of
  // bin/kreview without its EPIPE handler fails both tests below with
  // "Unhandled 'error' event ... write EPIPE".)
  it("closing stdout after the first chunk ends kreview quietly (exit 2), no internal error", async () => {
    const r = await run([...FORMAT_ONLY, "--format", "json", SAMPLE, SAMPLE], { closeStdoutAfterFirstChunk: true, timeoutMs: 60_000 });
    expect(r.stdoutBytes).toBeGreaterThan(0);
    expect(r.stdoutBytes).toBeLessThan(200_000); // we stopped reading long before the end
    expect(r.stderr).not.toMatch(/internal error|EPIPE|Unhandled/);
    expect(r.stderr).toBe("");
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2); // no verdict: the run did not get to its end
  }, 90_000);

  it("through a real pipe into `head -1`: the first line arrives, kreview exits quietly (exit 2)", async () => {
    const r = await runPiped([...FORMAT_ONLY, "--format", "json", SAMPLE], "head -1", { timeoutMs: 60_000 });
    expect(r.stdout).toBe("{\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(2); // no verdict: the run did not get to its end
  }, 90_000);
});
