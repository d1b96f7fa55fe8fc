/**
 * Real list mail as it travels: MIME transfer encodings, multipart with the
 * diff in an attachment, charsets other than UTF-8, RFC 2047 subjects, and
 * review replies quoting the diff. Each case checks, in the JSON report, the
 * decoded subject and what kreview made of the message, plus the exit status
 * and an empty stderr.
 *
 * A decoding slip shows as a wrong kind (a base64 patch left undecoded has no
 * diff: `no-diff`) or as a patch-format error (a quoted-printable soft break
 * left in a diff line makes its hunk not add up), so the clean results below
 * are what proves the decoding.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMAT_ONLY, fixture, makeTmp, removeTmp, runJson, type JsonMessage } from "./run.js";

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

/** Lints one input with the rule set pinned, checks a clean run and returns its one message. */
async function only(input: string, opts: { cwd?: string } = {}): Promise<JsonMessage> {
  const r = await runJson([...FORMAT_ONLY, input], opts);
  expect(r.stderr, `stderr of ${input}`).toBe("");
  expect(r.status, `exit status of ${input}`).toBe(0);
  expect(r.report.messages, `messages of ${input}`).toHaveLength(1);
  return r.report.messages[0]!;
}

const raw = (rel: string) => fixture(rel).toString("latin1");

describe("MIME-encoded patches", () => {
  it("quoted-printable with soft line breaks inside diff lines: a clean patch", async () => {
    const f = "fixtures/input/qp-soft-breaks.eml";
    // The fixture really has soft breaks in diff lines (a '+' or '-' line ending in '=').
    expect(raw(f)).toMatch(/^Content-Transfer-Encoding: quoted-printable$/m);
    expect(raw(f)).toMatch(/^[-+][^\n]*=\n/m);
    const m = await only(f);
    expect(m).toMatchObject({ subject: "[PATCH] drivers/dax: Fix typo in comment", kind: "patch", findings: [], problems: [] });
  });

  it("a whole patch in base64, charset gb2312: decoded into a patch", async () => {
    const f = "fixtures/input/base64-gb2312-patch.eml";
    expect(raw(f)).toMatch(/^Content-Transfer-Encoding: base64$/m);
    expect(raw(f)).not.toContain("diff --git"); // only visible once decoded
    const m = await only(f);
    expect(m).toMatchObject({
      subject: "[RFC PATCH v6] mm, pmem, xfs: Introduce MF_MEM_REMOVE for unbind",
      kind: "patch",
      findings: [],
      problems: [],
    });
  });

  it("an RFC 2047 encoded subject is decoded (the full-width colon U+FF1A)", async () => {
    const f = "fixtures/input/rfc2047-subject-patch.eml";
    expect(raw(f)).toContain("Subject: [PATCH] =?UTF-8?q?cxl/region=EF=BC=9AFix=20overflow");
    const m = await only(f);
    expect(m.subject).toBe("[PATCH] cxl/region\uFF1AFix overflow issue in alloc_hpa()");
    expect(m).toMatchObject({ kind: "patch", findings: [], problems: [] });
  });

  it("UTF-8 8bit body with an RFC 2047 sender: a clean patch", async () => {
    const m = await only("fixtures/input/utf8-8bit-patch.eml");
    expect(m).toMatchObject({ subject: "[PATCH] dax/hmem: Drop empty platform remove function", kind: "patch", findings: [], problems: [] });
  });

  it("an unknown charset (`charset=y`, git send-email's question answered 'y') is a note, not a failure", async () => {
    const f = "fixtures/input/unknown-charset-y.eml";
    const m = await only(f);
    expect(m.kind).toBe("no-diff");
    expect(m.subject).toBe("Re: [ndctl PATCH 2/2] daxctl, util/sysfs: skip module probe-insert when driver is builtin or live");
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]).toMatch(/charset/);
    expect(m.problems[0]).toMatch(/\by\b/);
  });
});

describe("multipart mail with the diff in an attachment", () => {
  /**
   * `git format-patch --attach` as a mailer sends it: the commit message in a
   * text/plain part, the diff in a base64 text/x-patch attachment. Built here
   * from the real v8 dax holder patch and the truncated v5 memfile_notifier
   * mail: headers and text as they are, only the MIME layout is new.
   */
  function attached(rel: string): string {
    const text = fixture(rel).toString("utf8");
    const end = text.indexOf("\n\n");
    const head = text
      .slice(0, end)
      .split("\n")
      .filter((l) => !/^(MIME-Version|Content-Type|Content-Transfer-Encoding):/i.test(l))
      .join("\n");
    const body = text.slice(end + 2);
    const d = body.indexOf("\ndiff --git ");
    expect(d).toBeGreaterThan(0);
    const b = "------------2.33.0";
    const b64 = Buffer.from(body.slice(d + 1)).toString("base64").replace(/.{76}/g, "$&\n");
    return [
      head,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed; boundary="${b}"`,
      "",
      "This is a multi-part message in MIME format.",
      `--${b}`,
      "Content-Type: text/plain; charset=UTF-8; format=fixed",
      "Content-Transfer-Encoding: 8bit",
      "",
      body.slice(0, d + 1),
      `--${b}`,
      'Content-Type: text/x-patch; name="0002.patch"',
      "Content-Transfer-Encoding: base64",
      'Content-Disposition: attachment; filename="0002.patch"',
      "",
      b64,
      `--${b}--`,
      "",
    ].join("\n");
  }

  it("a patch sent as a base64 attachment is a patch", async () => {
    writeFileSync(path.join(tmp, "attached-good.eml"), attached("fixtures/patch-format/good-complete-patch.eml"));
    const m = await only("attached-good.eml", { cwd: tmp });
    expect(m).toMatchObject({ subject: "[PATCH v8 2/8] dax: Introduce holder for dax_device", kind: "patch", findings: [], problems: [] });
  });

  it("the attachment's diff is really read: a truncated one gets its patch-format error", async () => {
    writeFileSync(path.join(tmp, "attached-truncated.eml"), attached("fixtures/patch-format/bad-truncated-mail.eml"));
    const r = await runJson([...FORMAT_ONLY, "attached-truncated.eml"], { cwd: tmp });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.report.messages).toHaveLength(1);
    expect(r.report.messages[0]!.kind).toBe("patch");
    expect(r.report.messages[0]!.findings.map((f) => [f.rule, f.severity, f.file])).toEqual([["patch-format", "error", "mm/memfile_notifier.c"]]);
    // The body was transfer-encoded, so the line is one of the decoded text (docs/architecture.md): known, not placed in the header.
    expect(r.report.messages[0]!.findings[0]!.patchLine).toBeGreaterThan(50);
  });

  it("a real multipart/alternative reply with a base64 text/x-patch attachment: a reply, subject decoded", async () => {
    const f = "fixtures/input/multipart-base64-xpatch-attachment.eml";
    expect(raw(f)).toMatch(/^Content-Type: multipart\/mixed;/m);
    const m = await only(f);
    expect(m).toMatchObject({ subject: "Re: [PATCH] KEYS: encrypted: Add check for strsep", kind: "reply", findings: [], problems: [] });
  });

  it("a real multipart/mixed reply with the diff in an unencoded text/plain attachment: a reply", async () => {
    const m = await only("fixtures/input/multipart-unencoded-text-attachment.eml");
    expect(m).toMatchObject({
      subject: "Re: [PATCH v7 4/6] dax: add DAX_RECOVERY flag and .recovery_write dev_pgmap_ops",
      kind: "reply",
      findings: [],
      problems: [],
    });
  });
});

describe("review replies quoting the diff", () => {
  // The web-archive seeds: quoted hunks with their tabs collapsed, some without their @@ line.
  it.each([
    ["fixtures/seeds/000_554857a8669a2fc2.txt"],
    ["fixtures/seeds/001_d4f278cef7f8d2ae.txt"],
    ["fixtures/seeds/003_7cecb283207b84da.txt"],
    ["fixtures/seeds/004_72906360a913a336.txt"],
  ])("web-archive review %s is a reply, exit 0, nothing on stderr", async (f) => {
    const m = await only(f);
    expect(m).toMatchObject({ kind: "reply", findings: [], problems: [] });
  });

  it.each([
    ["fixtures/seeds/threads/memfile-notifier/v5-02-review.eml", "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier"],
    ["fixtures/seeds/threads/dax-holder/v7-02-review.eml", "Re: [PATCH v7 2/8] dax: Introduce holder for dax_device"],
    ["fixtures/seeds/threads/mmu-interval-notifier/v5-01-review.eml", "Re: [PATCH v5 1/2] mm/mmu_notifier: make interval notifier updates safe"],
    ["fixtures/input/iso-8859-1-8bit-reply.eml", "Re: [PATCH] nvdimm/pmem: Fix an error handling path in 'pmem_attach_disk()'"],
    ["fixtures/input/flowed-quoted-diff.eml", "Re: [PATCH] xfs: drop experimental warning for FSDAX"],
    ["fixtures/patch/nested-quote.eml", "Re: [dm-devel] [PATCH 01/26] block: refactor device number setup in __device_add_disk"],
    ["fixtures/patch/quilt-index.eml", "Re: [PATCH v4 01/35] acpi: Adjust functions installing bus event handlers"],
    ["fixtures/patch/reply-counter-diff.eml", "Re: set_memory_uc() does not work with pmem poison handling"],
  ])("list mail %s is a reply with its subject, exit 0, nothing on stderr", async (f, subject) => {
    const m = await only(f);
    expect(m).toMatchObject({ subject, kind: "reply", findings: [], problems: [] });
  });

  it("an mboxrd archive whose body quotes format-patch output (escaped `>From `) is one message, not two", async () => {
    const f = "fixtures/input/mboxrd-from-escape.mbox";
    expect(raw(f)).toMatch(/^>From [0-9a-f]{40} /m);
    const m = await only(f);
    expect(m).toMatchObject({ index: 0, subject: "Re: [PATCH 1/9] fsdax: improve the FS_DAX Kconfig description and help text", kind: "reply" });
  });
});

describe("other real patch mails", () => {
  it("a pure rename (no hunk) after a Makefile hunk is a clean patch", async () => {
    const m = await only("fixtures/patch/rename-iomap.eml");
    expect(m).toMatchObject({ subject: "[PATCH 31/30] iomap: move iomap iteration code to iter.c", kind: "patch", findings: [], problems: [] });
  });
});
