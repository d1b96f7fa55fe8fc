/**
 * The `email` reporter: review replies as an mbox (docs/email-reply.md).
 *
 * Hand-built results check the headers, the threading, the trimming of the
 * quote and the comments; the replies are read back with kreview's own mail
 * reader, as a mail client would read them. The goldens under
 * fixtures/email/ hold kreview's reply to three real patches whose reviews
 * are in fixtures/seeds/threads/ (compared with those reviews in
 * docs/email-reply.md).
 *
 * `BLESS=1 npx vitest run test/report/email.test.ts` rewrites the goldens
 * (refused under CI). Read the diff of a blessed golden like code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding, MessageResult } from "../../src/engine/types.js";
import type { Patch } from "../../src/patch/model.js";
import { formatters } from "../../src/report/index.js";
import { MBOX_SEPARATOR, mailDate, sentence } from "../../src/report/email.js";
import { fileDiff, hunk, patchOf } from "../helpers/model.js";
import { lintFile, patchesOf } from "../helpers/pipeline.js";
import { bitwiseError, coverResult, meta, patchResult, replyResult, seriesResults, signOffResult, stdinResult } from "./data.js";

const email = formatters.email;
const root = path.resolve(__dirname, "../..");
const bless = process.env.BLESS === "1";
if (bless && process.env.CI) throw new Error("BLESS is refused under CI: goldens are blessed by a person, locally");

// ---- a hand-built patch: two functions in one new hunk, findings in both ----

/** Body of drivers/net/foo.c's hunk; input lines 21.. (the `@@` line is input line 20). */
const FOO_HUNK = [
  " #include <linux/foo.h>", // 21, post-image 1
  " ", // 22
  "+static int foo_probe(struct device *dev)", // 23
  "+{", // 24
  "+\tint a = 1, b = 2;", // 25
  "+", // 26
  "+\tif (!a | !b)", // 27, post-image 7: finding
  "+\t\treturn -EINVAL;", // 28, post-image 8: finding, same function
  "+\treturn 0;", // 29
  "+}", // 30
  "+", // 31
  "+static void foo_remove(struct device *dev)", // 32
  "+{", // 33
  "+\tlist_del(&dev->node);", // 34, post-image 14: finding
  "+}", // 35
].join("\n");

function fooPatch(extra: Partial<Patch> = {}): Patch {
  return patchOf([fileDiff("drivers/net/foo.c", [hunk(FOO_HUNK, { oldStart: 1, newStart: 1, inputLine: 20 })], { inputLine: 16 })], {
    source: "0001-net-foo-fix-bar.patch",
    subject: "[PATCH] net: foo: fix bar",
    from: "A U Thor <author@example.org>",
    fromAddress: "author@example.org",
    date: "Fri, 24 Sep 2021 21:09:53 +0800",
    messageId: "20210924130959.1-2-author@example.org",
    inReplyTo: "20210924130959.1-1-author@example.org",
    references: ["20210924130959.1-1-author@example.org"],
    to: ["netdev@vger.kernel.org", "Maintainer One <one@example.org>"],
    cc: ["author@example.org", "Darrick J. Wong <djwong@kernel.org>", "ONE@example.org", "Wong, Darrick <dw@example.org>"],
    commitMessage: "net: foo: fix bar\n\nBar was broken.\n",
    ...extra,
  });
}

function bitwise(): Finding {
  return {
    ...bitwiseError(),
    line: 7,
    patchLine: 27,
    suggestion: {
      message: "use '||'",
      replacement: "||",
      line: 7,
      column: 9,
      endLine: 7,
      endColumn: 10,
      applicability: "machine-applicable",
    },
  };
}

function finding(rule: string, message: string, line: number, patchLine: number, extra: Partial<Finding> = {}): Finding {
  return { rule, severity: "warning", message, file: "drivers/net/foo.c", line, column: 2, patchLine, confidence: "high", related: [], ...extra };
}

function fooResult(findings: Finding[], patch: Patch = fooPatch()): MessageResult {
  return {
    source: patch.source,
    index: 0,
    messageId: patch.messageId,
    subject: patch.subject,
    kind: "patch",
    findings,
    problems: [],
    lineCount: 60,
    patch,
  };
}

const HEADERS = [
  MBOX_SEPARATOR,
  "To: A U Thor <author@example.org>",
  'Cc: netdev@vger.kernel.org, Maintainer One <one@example.org>,',
  '\t"Darrick J. Wong" <djwong@kernel.org>, "Wong, Darrick" <dw@example.org>',
  "Subject: Re: [PATCH] net: foo: fix bar",
  "In-Reply-To: <20210924130959.1-2-author@example.org>",
  "References: <20210924130959.1-1-author@example.org>",
  " <20210924130959.1-2-author@example.org>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=UTF-8",
  "Content-Transfer-Encoding: 8bit",
  "",
];

/** The message's header block and body, split at the first empty line. */
function parts(message: string): { headers: string[]; body: string[] } {
  const lines = message.replace(/\n$/, "").split("\n");
  const blank = lines.indexOf("");
  return { headers: lines.slice(0, blank), body: lines.slice(blank + 1) };
}

/** Reads an mbox back with kreview's own mail reader, as a mail client or `git am` would. */
async function readBack(mbox: string): Promise<Patch[]> {
  return patchesOf("reply.mbox", Buffer.from(mbox, "utf8"));
}

describe("email reporter: headers", () => {
  it("addresses the author, copies the patch's To and Cc once each, and threads under the patch", () => {
    const out = email([fooResult([bitwise()])], meta);
    expect(parts(out).headers).toEqual(HEADERS.slice(0, -1));
  });

  it("writes no From, Date or Message-ID: git send-email supplies them", () => {
    const { headers } = parts(email([fooResult([bitwise()])], meta));
    expect(headers.filter((h) => /^(From|Date|Message-ID):/i.test(h))).toEqual([]);
  });

  it("does not double Re:", () => {
    for (const subject of ["Re: [PATCH] net: foo: fix bar", "RE: [PATCH] net: foo: fix bar", "re:[PATCH] net: foo: fix bar"]) {
      const { headers } = parts(email([fooResult([bitwise()], fooPatch({ subject }))], meta));
      expect(headers.filter((h) => h.startsWith("Subject:"))).toEqual([`Subject: ${subject}`]);
    }
  });

  it("chains References: the patch's references (else its In-Reply-To), then the patch, each once and bracketed", () => {
    const refs = (p: Partial<Patch>) => {
      const { headers } = parts(email([fooResult([bitwise()], fooPatch(p))], meta));
      const i = headers.findIndex((h) => h.startsWith("References:"));
      const value = [headers[i]!, ...headers.slice(i + 1).filter((h, k, a) => a.slice(0, k + 1).every((x) => x.startsWith(" ")))].join("");
      return { irt: headers.find((h) => h.startsWith("In-Reply-To:")), refs: value };
    };
    expect(refs({ references: ["<a@x>", "b@x"], messageId: "c@x" })).toEqual({ irt: "In-Reply-To: <c@x>", refs: "References: <a@x> <b@x> <c@x>" });
    expect(refs({ references: [], inReplyTo: "cover@x", messageId: "c@x" })).toEqual({ irt: "In-Reply-To: <c@x>", refs: "References: <cover@x> <c@x>" });
    expect(refs({ references: [], inReplyTo: "", messageId: "<c@x>" })).toEqual({ irt: "In-Reply-To: <c@x>", refs: "References: <c@x>" });
    expect(refs({ references: ["c@x"], messageId: "c@x" }).refs).toBe("References: <c@x>");
  });

  it("leaves the threading headers out when the patch has no Message-ID", () => {
    const { headers } = parts(email([fooResult([bitwise()], fooPatch({ messageId: "" }))], meta));
    expect(headers.filter((h) => /^(In-Reply-To|References):/.test(h))).toEqual([]);
  });

  it("encodes names and subjects outside ASCII, quotes names with dots and commas, and reads back as written", async () => {
    const patch = fooPatch({
      subject: "[PATCH] net: föö: fix bär — a long subject that needs more than one encoded word to carry",
      from: "Jürgen Groß <jgross@example.org>",
      cc: ["Wong, Darrick <dw@example.org>", "Zoë O'Brien <zoe@example.org>"],
    });
    const out = email([fooResult([bitwise()], patch)], meta);
    const { headers } = parts(out);
    expect(headers.every((h) => /^[\x20-\x7e\t]*$/.test(h))).toBe(true);
    expect(headers.every((h) => h.length <= 78 || h.startsWith("References:") || h.startsWith(" <"))).toBe(true);
    const [back] = await readBack(out);
    expect(back!.subject).toBe(`Re: ${patch.subject}`);
    expect(back!.to).toEqual(["Jürgen Groß <jgross@example.org>"]);
    expect(back!.cc).toEqual(["netdev@vger.kernel.org", "Maintainer One <one@example.org>", "Wong, Darrick <dw@example.org>", "Zoë O'Brien <zoe@example.org>"]);
    expect(back!.inReplyTo).toBe(patch.messageId);
    expect(back!.references).toEqual([...patch.references, patch.messageId]);
  });
});

describe("email reporter: the quote", () => {
  it("quotes each function from its head to the finding, comments under the line, and marks what it trims", () => {
    const related = { message: "'dev' is probed here", file: "drivers/net/foo.c", line: 3, column: 1, patchLine: 23 };
    const out = email(
      [
        fooResult([
          bitwise(),
          finding("error-path", "this return leaves 'a' set", 8, 28),
          finding("list-mutation-unlocked", "'dev->node' is taken off its list with no lock held", 14, 34, { related: [related] }),
        ]),
      ],
      meta,
    );
    expect(out).toBe(
      [
        ...HEADERS,
        "On Fri, Sep 24, 2021 at 09:09:53PM +0800, A U Thor wrote:",
        "> diff --git a/drivers/net/foo.c b/drivers/net/foo.c",
        "> --- a/drivers/net/foo.c",
        "> +++ b/drivers/net/foo.c",
        "> @@ -1,2 +1,15 @@",
        "> [...]",
        "> +static int foo_probe(struct device *dev)",
        "> +{",
        "> +\tint a = 1, b = 2;",
        "> +",
        "> +\tif (!a | !b)",
        "",
        "'|' between two conditions, did you mean '||'?",
        "",
        "Use '||':",
        "",
        "\tif (!a || !b)",
        "",
        "> +\t\treturn -EINVAL;",
        "",
        "This return leaves 'a' set.",
        "",
        "[...]",
        "",
        "> +static void foo_remove(struct device *dev)",
        "> +{",
        "> +\tlist_del(&dev->node);",
        "",
        "'dev->node' is taken off its list with no lock held. 'dev' is probed at",
        "line 3.",
        "",
        "[...]",
        "",
      ].join("\n"),
    );
  });

  it("writes no [...] after a finding on the patch's last line", () => {
    const { body } = parts(email([fooResult([finding("x", "the end", 15, 35)])], meta));
    expect(body.slice(-4)).toEqual(["> +\tlist_del(&dev->node);", "> +}", "", "The end."]);
  });

  it("says a comment once: the same comment again is 'Same as above.'", () => {
    const f = (line: number, patchLine: number) => finding("list-mutation-unlocked", "'list' is changed here with no lock held", line, patchLine);
    const { body } = parts(email([fooResult([f(7, 27), f(14, 34)])], meta));
    expect(body.filter((l) => /^('list'|Same)/.test(l))).toEqual(["'list' is changed here with no lock held.", "Same as above."]);
  });

  it("quotes a few lines above the finding, back to a blank line, when the function's head is not in the hunk", () => {
    const body = [
      " \tspin_unlock(&mm->lock);", // 41
      " ", // 42
      "-\tif (seq)", // 43
      "-\t\twait_event(mm->wq, seq);", // 44
      "+\tif (ops->release) {", // 45: finding
      "+\t\tops->release(mni);", // 46
      "+\t}", // 47
    ].join("\n");
    const patch = patchOf([fileDiff("mm/mmu_notifier.c", [hunk(body, { oldStart: 1006, newStart: 1076, inputLine: 40, section: "void mmu_interval_notifier_remove(struct mmu_interval_notifier *mni)" })])], {
      date: "Mon, 16 Dec 2019 11:57:32 -0800",
      from: "Ralph Campbell <rcampbell@nvidia.com>",
    });
    const f: Finding = { ...finding("nonblocking-remove-name", "a remove that may return first is a put", 1078, 45), file: "mm/mmu_notifier.c" };
    const out = parts(email([fooResult([f], patch)], meta)).body;
    expect(out).toEqual([
      "On Mon, Dec 16, 2019 at 11:57:32AM -0800, Ralph Campbell wrote:",
      "> diff --git a/mm/mmu_notifier.c b/mm/mmu_notifier.c",
      "> --- a/mm/mmu_notifier.c",
      "> +++ b/mm/mmu_notifier.c",
      "> @@ -1006,4 +1076,5 @@ void mmu_interval_notifier_remove(struct mmu_interval_notifier *mni)",
      "> [...]",
      "> -\tif (seq)",
      "> -\t\twait_event(mm->wq, seq);",
      "> +\tif (ops->release) {",
      "",
      "A remove that may return first is a put.",
      "",
      "[...]",
    ]);
  });

  it("quotes a long function's head, then [...], then the lines just above the finding", () => {
    const lines = ["+int foo_long(void)", "+{", ...Array.from({ length: 40 }, (_, i) => `+\tstep(${i});`), "+\tstep(bad);", "+}"];
    const patch = patchOf([fileDiff("drivers/net/foo.c", [hunk(lines.join("\n"), { oldStart: 0, newStart: 1, inputLine: 10 })], { oldPath: null, status: "added" })]);
    const f = finding("x", "bad step", 43, 53);
    const out = parts(email([fooResult([f], patch)], meta)).body;
    expect(out.slice(0, 17)).toEqual([
      "A U Thor wrote:",
      "> diff --git a/drivers/net/foo.c b/drivers/net/foo.c",
      "> --- /dev/null",
      "> +++ b/drivers/net/foo.c",
      "> @@ -0,0 +1,44 @@",
      "> +int foo_long(void)",
      "> +{",
      "> [...]",
      ...[32, 33, 34, 35, 36, 37, 38, 39].map((i) => `> +\tstep(${i});`),
      "> +\tstep(bad);",
    ]);
  });

  it("places a finding with no post-image line by its line of the input, in the code a reply quoted", () => {
    // A review reply quoting a fragment with no `@@` line: the lines have no numbers.
    const fragment = hunk(" \tspin_lock(&priv->lock);\n+\tif (err)\n+\t\treturn ret;\n+\tspin_unlock(&priv->lock);", { positionsKnown: false, inputLine: 39 });
    const patch = patchOf([fileDiff("drivers/net/foo.c", [fragment], { fragment: true, pathKnown: false })], {
      kind: "reply",
      subject: "Re: [PATCH] net: foo: fix bar",
      from: "Rev Iewer <rev@example.org>",
      date: "Tue, 29 Mar 2022 18:45:16 +0000",
      messageId: "reply-1@example.org",
      references: ["patch@example.org"],
    });
    const result: MessageResult = { ...replyResult(), patch };
    expect(result.findings[0]!.line).toBeNull();
    const out = email([result], meta);
    expect(parts(out).headers).toContain("Subject: Re: [PATCH] net: foo: fix bar");
    expect(parts(out).body).toEqual([
      "On Tue, Mar 29, 2022 at 06:45:16PM +0000, Rev Iewer wrote:",
      "> >  \tspin_lock(&priv->lock);",
      "> > +\tif (err)",
      "> > +\t\treturn ret;",
      "",
      "'priv->lock' is still held at this return. 'priv->lock' taken here.",
      "",
      "[...]",
    ]);
  });

  it("quotes the named line of a finding about the commit message, before the diff", () => {
    const f: Finding = { ...seriesResults()[1]!.findings[0]! };
    const out = parts(email([fooResult([f, bitwise()])], meta)).body;
    expect(out.slice(0, 8)).toEqual([
      "On Fri, Sep 24, 2021 at 09:09:53PM +0800, A U Thor wrote:",
      '> Fixes: 1234abcd ("net: foo: add bar")',
      "",
      "'Fixes:' tag should name at least 12 characters of the commit id.",
      "",
      "[...]",
      "",
      "> diff --git a/drivers/net/foo.c b/drivers/net/foo.c",
    ]);
  });

  it("puts a finding about the whole message under the commit message's first paragraph", () => {
    const out = parts(email([{ ...fooResult(signOffResult().findings) }], meta)).body;
    expect(out).toEqual([
      "On Fri, Sep 24, 2021 at 09:09:53PM +0800, A U Thor wrote:",
      "> net: foo: fix bar",
      "",
      "Missing 'Signed-off-by:' line from the author.",
      "",
      "[...]",
    ]);
  });

  it("without the patch (results not kept for it) still writes a reply, quoting the lines the findings name", () => {
    const out = email([patchResult()], meta);
    expect(parts(out).headers).toEqual([
      MBOX_SEPARATOR,
      "Subject: Re: [PATCH] net: foo: fix bar",
      "In-Reply-To: <20261121093000.1234-1-dev@example.org>",
      "References: <20261121093000.1234-1-dev@example.org>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
    ]);
    expect(parts(out).body).toEqual([
      "> +\tif (!a | !b)",
      "",
      "'|' between two conditions, did you mean '||'?",
      "",
      "[...]",
      "",
      "> +\t\treturn -EINVAL;",
      "",
      "'priv->lock' is still held at this return. 'priv->lock' taken at line",
      "165.",
      "",
      "Release 'priv->lock' before returning.",
    ]);
  });
});

describe("email reporter: the mbox", () => {
  it("writes one message per patch with findings, and nothing for the others", async () => {
    const second = fooPatch({ subject: "[PATCH 2/2] net: foo: fix baz", messageId: "second@example.org", references: ["cover@example.org"] });
    const out = email([coverResult(), fooResult([bitwise()]), stdinResult(), fooResult([bitwise()], second), seriesResults()[2]!], meta);
    expect(out.split("\n").filter((l) => l.startsWith("From "))).toEqual([MBOX_SEPARATOR, MBOX_SEPARATOR]);
    // mbox: a blank line before each separator but the first.
    expect(out).toContain(`\n\n${MBOX_SEPARATOR}\n`);
    const back = await readBack(out);
    expect(back.map((p) => [p.subject, p.inReplyTo, p.kind])).toEqual([
      ["Re: [PATCH] net: foo: fix bar", "20210924130959.1-2-author@example.org", "reply"],
      ["Re: [PATCH 2/2] net: foo: fix baz", "second@example.org", "reply"],
    ]);
  });

  it("is empty when there is no finding at all", () => {
    expect(email([], meta)).toBe("");
    expect(email([coverResult(), stdinResult(), seriesResults()[2]!, fooResult([])], meta)).toBe("");
  });

  it("escapes a comment line that would read as a separator", () => {
    const out = email([fooResult([finding("x", "From here on 'a' is stale", 8, 28)])], meta);
    expect(out.split("\n").filter((l) => /^>*From /.test(l))).toEqual([MBOX_SEPARATOR, ">From here on 'a' is stale."]);
  });
});

describe("email reporter: words", () => {
  it("turns a finding's message into a sentence", () => {
    expect(sentence("bitwise '|' between truth values in a condition: did you mean '||'")).toBe("Bitwise '|' between truth values in a condition: did you mean '||'?");
    expect(sentence("call through 'ops' with no NULL check: can 'ops' be NULL here")).toBe("Call through 'ops' with no NULL check: can 'ops' be NULL here?");
    expect(sentence("a remove that may return first is a put")).toBe("A remove that may return first is a put.");
    expect(sentence("already a sentence.")).toBe("Already a sentence.");
    const walk = { message: "walked here with no lock held", file: "mm/a.c", line: 64, column: 2, patchLine: 280 };
    const other = { message: "'f()' adds entries here", file: "mm/b.c", line: 9, column: 2, patchLine: 300 };
    expect(sentence("'l' is changed with no lock held", [walk, other], "mm/a.c")).toBe("'l' is changed with no lock held (walked at line 64 with no lock held). 'f()' adds entries at mm/b.c:9.");
    expect(sentence("x is odd", [{ ...walk, message: "seen before" }], "mm/a.c")).toBe("X is odd (seen before: line 64).");
  });

  it("writes the patch's date as mutt's attribution does, in the author's zone", () => {
    expect(mailDate("Thu, 10 Mar 2022 22:09:00 +0800")).toBe("Thu, Mar 10, 2022 at 10:09:00PM +0800");
    expect(mailDate("Mon, 16 Dec 2019 11:57:32 -0800")).toBe("Mon, Dec 16, 2019 at 11:57:32AM -0800");
    expect(mailDate("1 Jan 2020 00:05 GMT")).toBe("Wed, Jan 01, 2020 at 12:05:00AM GMT");
    expect(mailDate("yesterday")).toBe("yesterday");
  });
});

// ---- goldens: kreview's reply to three real patches the list reviewed ----

/**
 * Each golden runs the rules that existed when it was blessed, so that a
 * rule added later changes no golden (the rule's own fixtures cover it).
 */
const GOLDENS = [
  { name: "memfile-notifier-v5-02", input: "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml", only: ["bitwise-or-in-condition", "list-mutation-unlocked", "unregister-without-init"] },
  { name: "dax-holder-v7-02", input: "fixtures/seeds/threads/dax-holder/v7-02-patch.eml", only: ["ops-null-deref"] },
  { name: "mmu-interval-notifier-v5-01", input: "fixtures/seeds/threads/mmu-interval-notifier/v5-01-patch.eml", only: ["nonblocking-remove-name"] },
];

describe("email reporter: goldens on the seed patches", () => {
  for (const g of GOLDENS) {
    it(`${g.name}: the reply equals fixtures/email/${g.name}.expected`, async () => {
      const file = path.join(root, g.input);
      const patches = await patchesOf(file);
      const results = (await lintFile(file, { only: g.only })).map((r, i) => ({ ...r, patch: patches[i] }));
      const out = email(results, meta);
      const golden = path.join(root, "fixtures", "email", `${g.name}.expected`);
      if (bless) {
        mkdirSync(path.dirname(golden), { recursive: true });
        writeFileSync(golden, out);
      }
      expect(existsSync(golden), `${golden} is missing: BLESS=1 writes it`).toBe(true);
      expect(out).toBe(readFileSync(golden, "utf8"));
    });
  }
});
