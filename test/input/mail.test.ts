import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { splitMessages, parseMail } from "../../src/input/index.js";
import type { Mail, RawMessage, TextSegment } from "../../src/input/index.js";

const fixtures = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const fixture = (name: string): Buffer => readFileSync(fixtures + name);

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function split(source: string, bytes: Buffer): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  for await (const raw of splitMessages(source, once(bytes))) out.push(raw);
  return out;
}

/** A single-message input, split and parsed. */
async function mailOf(source: string, bytes: Buffer): Promise<Mail> {
  const raws = await split(source, bytes);
  expect(raws).toHaveLength(1);
  return parseMail(raws[0]);
}

/** lines[n] is line n of the input (1-based). */
const linesOf = (bytes: Buffer, encoding: BufferEncoding = "utf8"): string[] => [
  "",
  ...bytes.toString(encoding).split("\n"),
];
/** Input line of a segment's 0-based line k, as the contract defines it. */
const inputLineOf = (segment: TextSegment, k: number): number => segment.lineBase + 1 + k;
/** 1-based input line of the empty line ending the headers. */
const headerEnd = (bytes: Buffer): number => linesOf(bytes).indexOf("", 1);
const crlf = (bytes: Buffer): Buffer => Buffer.from(bytes.toString("latin1").replace(/\n/g, "\r\n"), "latin1");

describe("parseMail: headers", () => {
  it("reads the headers of a git send-email patch", async () => {
    const mail = await mailOf("v5-02-patch.eml", fixture("seeds/threads/memfile-notifier/v5-02-patch.eml"));
    expect(mail.hasHeaders).toBe(true);
    expect(mail.unreadable).toBeUndefined();
    expect(mail.problems).toEqual([]);
    expect(mail.headers).toMatchObject({
      subject: "[PATCH v5 02/13] mm: Introduce memfile_notifier",
      from: "Chao Peng <chao.p.peng@linux.intel.com>",
      fromAddress: "chao.p.peng@linux.intel.com",
      date: "Thu, 10 Mar 2022 22:09:00 +0800",
      // Message ids come without their angle brackets.
      messageId: "20220310140911.50924-3-chao.p.peng@linux.intel.com",
      inReplyTo: "20220310140911.50924-1-chao.p.peng@linux.intel.com",
      references: ["20220310140911.50924-1-chao.p.peng@linux.intel.com"],
    });
    // Folded To/Cc lines, each address in display form.
    expect(mail.headers.to).toEqual([
      "kvm@vger.kernel.org",
      "linux-kernel@vger.kernel.org",
      "linux-mm@kvack.org",
      "linux-fsdevel@vger.kernel.org",
      "linux-api@vger.kernel.org",
      "qemu-devel@nongnu.org",
    ]);
    expect(mail.headers.cc).toContain("Sean Christopherson <seanjc@google.com>");
    expect(mail.headers.cc).toContain("Paolo Bonzini <pbonzini@redhat.com>");
  });

  it("decodes an RFC 2047 subject", async () => {
    const mail = await mailOf("rfc2047.eml", fixture("input/rfc2047-subject-patch.eml"));
    expect(mail.headers.subject).toBe("[PATCH] cxl/region\uff1aFix overflow issue in alloc_hpa()");
    expect(mail.headers.from).toBe("Quanquan Cao <caoqq@fujitsu.com>");
  });

  it("decodes an RFC 2047 sender name, and a UTF-8 8bit body", async () => {
    const bytes = fixture("input/utf8-8bit-patch.eml");
    const mail = await mailOf("utf8.eml", bytes);
    expect(mail.headers.from).toBe("Uwe Kleine-König <u.kleine-koenig@pengutronix.de>");
    expect(mail.headers.fromAddress).toBe("u.kleine-koenig@pengutronix.de");
    expect(mail.segments[0].text).toContain("\nSigned-off-by: Uwe Kleine-König <u.kleine-koenig@pengutronix.de>\n");
  });

  it("reads 8bit UTF-8 as UTF-8 when no charset is declared", async () => {
    const withCharset = fixture("input/utf8-8bit-patch.eml").toString("utf8");
    const bare = withCharset.replace(/^Content-Type: text\/plain; charset=UTF-8\n/m, "");
    expect(bare).not.toBe(withCharset);
    const mail = await mailOf("nocharset.eml", Buffer.from(bare));
    expect(mail.problems).toEqual([]);
    expect(mail.segments[0].text).toContain("Signed-off-by: Uwe Kleine-König <u.kleine-koenig@pengutronix.de>");
  });
});

describe("parseMail: bodies that map 1:1 onto the input", () => {
  it("gives each line of a 7bit/8bit body its input line", async () => {
    const bytes = fixture("seeds/threads/memfile-notifier/v5-02-patch.eml");
    const mail = await mailOf("v5-02-patch.eml", bytes);
    const lines = linesOf(bytes);
    expect(mail.segments).toHaveLength(1);
    const [body] = mail.segments;
    expect(body.contentType).toBe("text/plain");
    expect(body.inputLine).toBe(headerEnd(bytes) + 1);
    expect(body.lineBase).toBe((body.inputLine as number) - 1);

    // One `+` line checked by hand against the raw file: line 131.
    const k = body.text.split("\n").indexOf("+#ifndef _LINUX_MEMFILE_NOTIFIER_H");
    expect(inputLineOf(body, k)).toBe(131);
    expect(lines[131]).toBe("+#ifndef _LINUX_MEMFILE_NOTIFIER_H");
    // And every line.
    body.text.split("\n").forEach((line, i) => expect(line).toBe(lines[inputLineOf(body, i)]));
  });

  it("keeps the mapping through a message of an mbox", async () => {
    const bytes = fixture("seeds/threads/dax-holder/series-v7.mbox");
    const lines = linesOf(bytes);
    const raws = await split("series-v7.mbox", bytes);
    let mapped = 0;
    for (const raw of raws) {
      const mail = await parseMail(raw);
      expect(mail.unreadable).toBeUndefined();
      const body = mail.segments[0];
      if (body.inputLine === null) continue; // format=flowed replies: unwrapped, so not 1:1
      mapped++;
      expect(body.inputLine).toBe(body.lineBase + 1);
      body.text.split("\n").forEach((line, i) => expect(line).toBe(lines[inputLineOf(body, i)]));
    }
    expect(mapped).toBe(22); // of 26; the other 4 are format=flowed
  });

  it("decodes iso-8859-1", async () => {
    const bytes = fixture("input/iso-8859-1-8bit-reply.eml");
    const mail = await mailOf("latin1.eml", bytes);
    const [body] = mail.segments;
    const line = "> Le 07/11/2021 à 18:11, Ira Weiny a écrit\u00a0:";
    const k = body.text.split("\n").indexOf(line);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(linesOf(bytes, "latin1")[inputLineOf(body, k)]).toBe(line);
    expect(mail.problems).toEqual([]);
  });

  it("reports an unknown charset and still reads the body", async () => {
    // git send-email asks which charset to declare; this sender answered "y".
    const mail = await mailOf("y.eml", fixture("input/unknown-charset-y.eml"));
    expect(mail.unreadable).toBeUndefined();
    expect(mail.problems).toEqual(['unknown charset "y"']);
    expect(mail.segments[0].text).toContain("Thanks for testing and the detailed analysis.");
    expect(mail.segments[0].inputLine).not.toBeNull();
  });

  it("shows the body of an mboxrd message unescaped, on its own input line", async () => {
    const bytes = fixture("input/mboxrd-from-escape.mbox");
    const mail = await mailOf("escape.mbox", bytes);
    const [body] = mail.segments;
    const from = "From c69617137a1e6b67122c871c946e7aa00b03978b Mon Sep 17 00:00:00 2001";
    const k = body.text.split("\n").indexOf(from);
    expect(k).toBeGreaterThan(0);
    expect(linesOf(bytes)[inputLineOf(body, k)]).toBe(">" + from);
    expect(body.text.split("\n")[k + 3]).toBe("Subject: fsdax: improve the FS_DAX Kconfig description and help text");
  });

  it("unwraps format=flowed by quote depth, keeping empty quoted lines apart", async () => {
    const bytes = fixture("input/flowed-quoted-diff.eml");
    const mail = await mailOf("flowed.eml", bytes);
    const [body] = mail.segments;
    const lines = body.text.split("\n");
    // Thunderbird wrapped these quoted diff lines after a space (and turned their tabs
    // into no-break spaces); RFC 3676 joins them back.
    const tab = "\u00a0\u00a0\u00a0 ";
    expect(lines).toContain(`>>>>> --- /tmp/fstests/tests/xfs/550.out${tab}2023-09-23 09:40:47.839521305 -0700`);
    expect(lines).toContain(`>>>>> +++ /var/tmp/fstests/xfs/550.out.bad${tab}2023-09-24 20:00:23.400000000 -0700`);
    expect(lines).toContain(">>>>> -Process is killed by signal: 7");
    // "> " ends in a space but is an empty quoted line, not the start of a longer one.
    expect(lines.slice(2, 6)).toEqual([
      "在 2023/9/27 13:17, Shiyang Ruan 写道:",
      "> ",
      "> ",
      "> 在 2023/9/27 11:38, Chandan Babu R 写道:",
    ]);
    // Lines were joined, so they no longer map 1:1 onto the input.
    expect(body.inputLine).toBeNull();
    expect(body.lineBase).toBe(headerEnd(bytes));
  });

  it("keeps the 1:1 mapping of a flowed body where nothing was wrapped", async () => {
    const eml = fixture("input/utf8-8bit-patch.eml").toString("utf8");
    const flowed = Buffer.from(eml.replace("charset=UTF-8\n", "charset=UTF-8; format=flowed\n"));
    const mail = await mailOf("flowed-patch.eml", flowed);
    const plain = await mailOf("patch.eml", Buffer.from(eml));
    expect(flowed.equals(Buffer.from(eml))).toBe(false);
    expect(mail.segments[0].inputLine).toBe(plain.segments[0].inputLine);
  });

  it("turns CRLF into LF, with the same lines", async () => {
    const bytes = fixture("seeds/threads/memfile-notifier/v5-02-patch.eml");
    const lf = await mailOf("lf.eml", bytes);
    const mail = await mailOf("crlf.eml", crlf(bytes));
    expect(mail.segments[0].text).not.toContain("\r");
    expect(mail.segments).toEqual(lf.segments);
    expect(mail.headers).toEqual(lf.headers);
  });
});

describe("parseMail: transfer-encoded and multipart bodies", () => {
  it("joins quoted-printable soft line breaks inside diff lines", async () => {
    const bytes = fixture("input/qp-soft-breaks.eml");
    const mail = await mailOf("qp.eml", bytes);
    expect(mail.headers.subject).toBe("[PATCH] drivers/dax: Fix typo in comment");
    expect(mail.segments).toHaveLength(1);
    const [body] = mail.segments;
    const lines = body.text.split("\n");
    expect(lines).toContain("-        * via access_ok() in vfs_red, so use the 'no check' version to bypass");
    expect(lines).toContain("+        * via access_ok() in vfs_read, so use the 'no check' version to bypass");
    expect(lines).toContain(
      "@@ -192,7 +192,7 @@ size_t dax_copy_to_iter(struct dax_device *dax_dev, pgoff_t pgoff, void *addr,",
    );
    expect(body.text).not.toMatch(/=\n/);
    // Decoded lines do not map 1:1; they count from where the body starts.
    expect(body.inputLine).toBeNull();
    expect(body.lineBase).toBe(headerEnd(bytes));
  });

  it("decodes a base64 patch in gb2312 with CRLF line ends", async () => {
    const bytes = fixture("input/base64-gb2312-patch.eml");
    const mail = await mailOf("b64.eml", bytes);
    expect(mail.headers.subject).toBe("[RFC PATCH v6] mm, pmem, xfs: Introduce MF_MEM_REMOVE for unbind");
    const [body] = mail.segments;
    expect(body.inputLine).toBeNull();
    expect(body.lineBase).toBe(headerEnd(bytes));
    expect(body.text).not.toContain("\r");
    const lines = body.text.split("\n");
    expect(lines).toContain("+\t\tif (notify->mf_flags & MF_MEM_PRE_REMOVE)");
    expect(lines).toContain("Signed-off-by: Shiyang Ruan <ruansy.fnst@fujitsu.com>");
    expect(lines.filter((line) => line.startsWith("diff --git ")).length).toBeGreaterThan(1);
  });

  it("gives a base64 text/x-patch attachment its own segment", async () => {
    const bytes = fixture("input/multipart-base64-xpatch-attachment.eml");
    const mail = await mailOf("xpatch.eml", bytes);
    expect(mail.segments.map((s) => [s.contentType, s.filename])).toEqual([
      ["text/plain", undefined],
      ["text/x-patch", "0001-KEYS-encrypted-Return-0-for-empty-decrypted-data.patch"],
    ]);
    const [body, patch] = mail.segments;
    // The multipart/alternative's plain part, not its HTML twin.
    expect(body.text).toMatch(/^On Tue Jan 30, 2024 at 7:19 PM EET, Jarkko Sakkinen wrote:\n/);
    expect(body.text).not.toContain("<div");
    expect(patch.text).toMatch(/^From cdfa4203c86412af39b232eaa7401591451659de Mon Sep 17 00:00:00 2001\n/);
    const file = "security/keys/encrypted-keys/encrypted.c";
    expect(patch.text).toContain(`\ndiff --git a/${file} b/${file}\n`);
    for (const segment of mail.segments) {
      expect(segment.inputLine).toBeNull();
      expect(segment.lineBase).toBe(headerEnd(bytes));
    }
  });

  it("gives an unencoded text/plain attachment its own segment, named", async () => {
    const mail = await mailOf("attachment.eml", fixture("input/multipart-unencoded-text-attachment.eml"));
    expect(mail.segments).toHaveLength(2);
    const attachment = mail.segments[1];
    expect(attachment).toMatchObject({ contentType: "text/plain", filename: "diff", inputLine: null });
    expect(attachment.text.split("\n").slice(0, 4)).toEqual([
      "diff --git a/drivers/nvdimm/pmem.c b/drivers/nvdimm/pmem.c",
      "index b868a88a0d589..377e4d59aa90f 100644",
      "--- a/drivers/nvdimm/pmem.c",
      "+++ b/drivers/nvdimm/pmem.c",
    ]);
    expect(mail.segments[0].text).not.toContain("diff --git");
  });

  it("skips binary attachments without calling the message unreadable", async () => {
    const message = [
      "From: A <a@example.org>",
      "Subject: [PATCH] firmware only",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: application/octet-stream",
      'Content-Disposition: attachment; filename="fw.bin"',
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from([0, 1, 2, 3, 0xff, 0]).toString("base64"),
      "--b--",
      "",
    ].join("\n");
    const mail = await mailOf("binary-attachment.eml", Buffer.from(message));
    expect(mail.unreadable).toBeUndefined();
    expect(mail.segments).toEqual([]);
    expect(mail.headers.subject).toBe("[PATCH] firmware only");
  });

  it("reads a patch sent as application/octet-stream when its name says .patch", async () => {
    const patch = "diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
    const message = [
      "From: A <a@example.org>",
      "Subject: patch attached",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "See attached.",
      "--b",
      'Content-Type: application/octet-stream; name="0001-x.patch"',
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from(patch).toString("base64"),
      "--b--",
      "",
    ].join("\n");
    const mail = await mailOf("octet.eml", Buffer.from(message));
    expect(mail.segments.map((s) => s.filename)).toEqual([undefined, "0001-x.patch"]);
    expect(mail.segments[1].text).toBe(patch);
  });

  it("converts an HTML-only body crudely", async () => {
    const message = [
      "From: A <a@example.org>",
      "Subject: html",
      "Content-Type: text/html; charset=utf-8",
      "",
      "<html><body><p>Looks good &amp; works.</p><div>Reviewed-by: A &lt;a@example.org&gt;</div></body></html>",
      "",
    ].join("\n");
    const mail = await mailOf("html.eml", Buffer.from(message));
    expect(mail.segments).toHaveLength(1);
    expect(mail.segments[0].contentType).toBe("text/html");
    expect(mail.segments[0].text.split("\n")).toContain("Reviewed-by: A <a@example.org>");
    expect(mail.segments[0].text).toContain("Looks good & works.");
  });
});

describe("parseMail: bare text and bad content", () => {
  it("takes a bare text whole, line 1 first", async () => {
    const bytes = fixture("seeds/000_554857a8669a2fc2.txt");
    const mail = await mailOf("000.txt", bytes);
    expect(mail.hasHeaders).toBe(false);
    expect(mail.headers.subject).toBe("");
    expect(mail.segments).toEqual([
      { text: bytes.toString("utf8"), inputLine: 1, lineBase: 0, contentType: "text/plain" },
    ]);
  });

  it("falls back to latin-1 for a bare text that is not UTF-8, and says so", async () => {
    const bytes = Buffer.from("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-Such\xe1nek\r\n+Such\xe1nek.\r\n", "latin1");
    const mail = await mailOf("latin1.diff", bytes);
    expect(mail.segments[0].text).toBe("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-Suchánek\n+Suchánek.\n");
    expect(mail.problems).toEqual(["text is not valid UTF-8; decoded as windows-1252"]);
  });

  it("marks a text body holding binary data unreadable and keeps its headers", async () => {
    const eml = fixture("input/utf8-8bit-patch.eml");
    const bytes = Buffer.concat([eml, Buffer.from([0, 0, 0x89, 0x50, 0x4e, 0x47, 0, 10])]);
    // Straight to parseMail: splitMessages would refuse the whole (small) input as binary.
    const mail = await parseMail({ source: "nul.eml", index: 0, bytes, startLine: 1, hasHeaders: true });
    expect(mail.unreadable).toMatch(/binary data/);
    expect(mail.segments).toEqual([]);
    expect(mail.headers.subject).toBe("[PATCH] dax/hmem: Drop empty platform remove function");
  });

  it("does not throw on a MIME structure the parser refuses, and keeps the headers", async () => {
    const depth = 300;
    const parts = ["From: A <a@example.org>", "Subject: nested", 'Content-Type: multipart/mixed; boundary="b0"', ""];
    for (let i = 1; i < depth; i++) parts.push(`--b${i - 1}`, `Content-Type: multipart/mixed; boundary="b${i}"`, "");
    parts.push(`--b${depth - 1}`, "Content-Type: text/plain", "", "deep", "");
    const mail = await mailOf("nested.eml", Buffer.from(parts.join("\n")));
    expect(mail.unreadable).toMatch(/^MIME structure could not be parsed: .*nesting/i);
    expect(mail.headers.subject).toBe("nested");
    expect(mail.headers.from).toBe("A <a@example.org>");
  });

  it("reads every message of every seed file", async () => {
    const names = [
      "seeds/000_554857a8669a2fc2.txt",
      "seeds/002_b279c3b872f54bd8.txt",
      "seeds/threads/dax-holder/series-v14-PATCHSETS.mbox",
      "seeds/threads/mmu-interval-notifier/v6-series.mbox",
      "seeds/threads/dax-holder/v7-02-review.eml",
      "seeds/threads/mmu-interval-notifier/v5-01-review.eml",
    ];
    for (const name of names) {
      for (const raw of await split(name, fixture(name))) {
        const mail = await parseMail(raw);
        expect(mail.unreadable, name).toBeUndefined();
        expect(mail.segments.length, name).toBeGreaterThan(0);
        expect(mail.segments[0].text.length, name).toBeGreaterThan(100);
      }
    }
  });
});
