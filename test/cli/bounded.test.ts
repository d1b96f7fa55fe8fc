/**
 * The CLI's pieces against hostile or unlucky input, in process: a
 * configuration nested deep enough to overflow a recursive parser, a huge
 * value that must not be echoed whole, `-o` naming an input, a disk that is
 * full, an mbox with no message, a gzip archive with junk after its data.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/cli/config.js";
import { main } from "../../src/cli/main.js";

const OPTS = { rules: ["bitwise-or-in-condition"], formats: ["text", "json"] };
const error = (text: string): string => {
  try {
    parseConfig(text, "/p/.kreview.json", OPTS);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("no error");
};

describe(".kreview.json that would overflow or flood", () => {
  it("is refused when nested deeper than any configuration needs, without overflowing the stack", () => {
    for (const [open, close] of [["[", "]"], ['{"a":', "}"]]) {
      const msg = error(open.repeat(200_000) + close.repeat(200_000));
      expect(msg).toMatch(/^\/p\/\.kreview\.json:1:\d+: invalid JSON: nested more than 32 levels deep/);
    }
    // what a real file nests is still read
    expect(parseConfig('{"severity": {"bitwise-or-in-condition": "warning"}}', "f", OPTS).severity).toEqual({ "bitwise-or-in-condition": "warning" });
  });

  it("quotes a huge value or key cut short, with its length", () => {
    const big = "x".repeat(1_000_000);
    for (const text of [JSON.stringify({ format: big }), JSON.stringify({ [big]: 1 }), JSON.stringify({ ignore: [big] }), JSON.stringify({ severity: { [big]: "error" } }), `{"format": ${big}}`]) {
      const msg = error(text);
      expect(msg.length).toBeLessThan(300);
      expect(msg).toMatch(/\.\.\. \(100000\d characters\)/);
    }
  });
});

class Sink extends Writable {
  text = "";
  constructor(private readonly fail?: string) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: (e?: Error | null) => void): void {
    if (this.fail) {
      const e = Object.assign(new Error(`${this.fail}: write`), { code: this.fail });
      cb(e);
      return;
    }
    this.text += chunk.toString();
    cb();
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "kreview-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function kreview(args: string[], stdout: Writable = new Sink()) {
  const stderr = new Sink();
  const stdin = Readable.from([]) as Readable & { isTTY?: boolean };
  const status = await main(["--no-config", "--no-tree", ...args], { stdin, stdout, stderr, cwd: tmp });
  return { status, stdout: (stdout as Sink).text, stderr: stderr.text };
}

const PATCH = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/patch-format/good-complete-patch.eml"));

describe("the report and its inputs", () => {
  it("-o FILE where FILE is an input (by its name, or through a symlink) is refused and the input kept", async () => {
    writeFileSync(path.join(tmp, "a.patch"), PATCH);
    const r = await kreview(["a.patch", "-o", "a.patch"]);
    expect(r).toMatchObject({ status: 2, stdout: "" });
    expect(r.stderr).toBe("kreview: -o a.patch: that is the input a.patch: refusing to write the report over it\n");
    expect(readFileSync(path.join(tmp, "a.patch"))).toEqual(PATCH);
    const dir = await kreview([".", "-o", path.join(tmp, "a.patch")]);
    expect(dir.status).toBe(2);
    expect(dir.stderr).toMatch(/that is the input a\.patch/);
    expect(readFileSync(path.join(tmp, "a.patch"))).toEqual(PATCH);
  });

  it("a disk that is full is one line on stderr and exit 2", async () => {
    writeFileSync(path.join(tmp, "b.patch"), PATCH);
    const r = await kreview(["b.patch"], new Sink("ENOSPC"));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("kreview: stdout: cannot write the report: no space left on device\n");
  });

  it("a reader that went away (EPIPE) ends the run quietly, exit 2: it has no verdict", async () => {
    writeFileSync(path.join(tmp, "c.patch"), PATCH);
    const r = await kreview(["c.patch"], new Sink("EPIPE"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(2);
  });

  it("an mbox holding only a 'From ' line is named as one with no message, exit 2", async () => {
    writeFileSync(path.join(tmp, "empty.mbox"), "From mboxrd@z Thu Jan  1 00:00:00 1970\n");
    const r = await kreview(["--format", "json", "empty.mbox"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("kreview: empty.mbox: an mbox with no message in it (nothing after its 'From ' line)\n");
    expect(JSON.parse(r.stdout).messages).toEqual([]);
  });

  it("a .mbox.gz with junk after the gzip data: every message decoded is linted, then the junk is named", async () => {
    const one = PATCH.toString();
    const mbox = [0, 1, 2].map((i) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${one.replace(/^Subject: /m, `Subject: m${i} `)}\n`).join("");
    writeFileSync(path.join(tmp, "tail.mbox.gz"), Buffer.concat([gzipSync(mbox), Buffer.from("junk\n")]));
    const r = await kreview(["--format", "json", "tail.mbox.gz"]);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).messages.map((m: { index: number }) => m.index)).toEqual([0, 1, 2]);
    expect(r.stderr).toBe("kreview: tail.mbox.gz: corrupt gzip data (5 bytes of trailing garbage after the end of the gzip data, ignored)\n");
  });
});


describe("the time budget per message", () => {
  it("gives up on a message over --timeout-per-message, says so, and goes on with the others", async () => {
    const one = PATCH.toString();
    const slow = `From: A <a@example.org>\nSubject: [PATCH] foo: a long hunk\nMessage-ID: <slow@example.org>\n\nSigned-off-by: A <a@example.org>\n---\ndiff --git a/drivers/foo.c b/drivers/foo.c\n--- a/drivers/foo.c\n+++ b/drivers/foo.c\n@@ -10,2 +10,50002 @@ static int foo(struct bar *b)\n \tint x;\n${"+\tlist_add(&a0, &b);\n".repeat(50000)} \treturn 0;\n`;
    const mbox = [one, slow, one].map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}\n`).join("");
    writeFileSync(path.join(tmp, "slow.mbox"), mbox);
    const r = await kreview(["--format", "json", "--timeout-per-message", "1", "slow.mbox"]);
    const report = JSON.parse(r.stdout);
    expect(report.messages.map((m: { index: number }) => m.index)).toEqual([0, 1, 2]);
    expect(report.messages[1]).toMatchObject({ messageId: "slow@example.org", kind: "patch", findings: [] });
    expect(report.messages[1].problems).toEqual(["gave up after 1 s: checking this message took longer than --timeout-per-message allows"]);
    expect(report.messages[2].problems).toEqual([]);
    expect(r.stderr).toBe("kreview: slow.mbox, message 2: gave up after 1 s: checking this message took longer than --timeout-per-message allows\n");
    expect(r.status).toBe(2);
  });

  it("--timeout-per-message takes seconds, 0 for none", async () => {
    const r = await kreview(["--timeout-per-message", "soon", "x.patch"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--timeout-per-message.*takes a number of seconds, not 'soon'/);
  });
});
