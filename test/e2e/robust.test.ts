/**
 * The real bin/kreview on input and output that used to stall or crash a
 * run: one process per behaviour.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, fixture, makeTmp, removeTmp, runJson } from "./run.js";

let tmp: string;
beforeAll(() => {
  tmp = makeTmp();
});
afterAll(() => removeTmp(tmp));

const patch = (start: number) => `From mboxrd@z Thu Jan  1 00:00:00 1970
From: A <a@example.org>
Subject: [PATCH] foo: start at ${start}
Message-ID: <${start}@example.org>

Signed-off-by: A <a@example.org>
---
diff --git a/drivers/foo.c b/drivers/foo.c
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -${start},4 +${start},5 @@ static int foo(struct bar *b, int *c)
 \tint x;
 
+\tif (!b | !c)
+\t\treturn 1;
 \treturn 0;

`;

describe("bounded", () => {
  it("hunks claiming lines 50,000,000 and 2^32 are linted at once, at their real lines", async () => {
    writeFileSync(path.join(tmp, "huge.mbox"), patch(50_000_000) + patch(4294967296));
    const r = await runJson(["--only", "bitwise-or-in-condition", "huge.mbox"], { cwd: tmp, timeoutMs: 10_000 });
    expect(r.stderr).toBe("");
    expect(r.report.messages.map((m) => m.findings.map((f) => f.line))).toEqual([[50_000_002], [4294967298]]);
  });

  it("stdout on a full disk (> /dev/full): one line on stderr, exit 2, no stack trace", () => {
    const fd = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [BIN, "--no-config", "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml"], {
        cwd: path.resolve(BIN, "../.."),
        stdio: ["ignore", fd, "pipe"],
        timeout: 10_000,
      });
      expect(r.stderr.toString()).toBe("kreview: stdout: cannot write the report: no space left on device\n");
      expect(r.status).toBe(2);
    } finally {
      closeSync(fd);
    }
  });
});

/** An mbox of n copies of a real patch (each its own Message-ID), with a pathological one at each of `slowAt`. */
function archive(n: number, ...slowAt: number[]): string {
  const one = fixture("fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml").toString();
  const slow = `From: A <a@example.org>\nSubject: [PATCH] foo: a long hunk\nMessage-ID: <slow@example.org>\n\nSigned-off-by: A <a@example.org>\n---\ndiff --git a/drivers/foo.c b/drivers/foo.c\n--- a/drivers/foo.c\n+++ b/drivers/foo.c\n@@ -10,2 +10,50002 @@ static int foo(struct bar *b)\n \tint x;\n${"+\tlist_add(&a0, &b);\n".repeat(50000)} \treturn 0;\n`;
  const msgs = Array.from({ length: n }, (_, i) =>
    slowAt.includes(i) ? slow.replace("<slow@example.org>", `<slow${i}@example.org>`) : one.replace(/^Message-ID: <[^>]*>/im, `Message-ID: <m${i}@example.org>`),
  );
  return msgs.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m.replace(/^(>*From )/gm, ">$1")}\n`).join("");
}

describe("parallel", () => {
  it("on worker threads: every message in input order, the slow ones given up on, the rest as on one thread", async () => {
    // The pool starts once this thread has linted 8 messages and spent a second on them: the slow
    // message at 9 (given up on here after 1.5 s) makes sure of that, and the one at 12 is a worker's.
    writeFileSync(path.join(tmp, "fourteen.mbox"), archive(14, 9, 12));
    const [pool, one] = await Promise.all([
      runJson(["-j", "2", "--timeout-per-message", "1.5", "fourteen.mbox"], { cwd: tmp, timeoutMs: 30_000 }),
      runJson(["-j", "1", "--timeout-per-message", "1.5", "fourteen.mbox"], { cwd: tmp, timeoutMs: 30_000 }),
    ]);
    expect(pool.report.messages.map((m) => m.index)).toEqual([...Array(14).keys()]);
    const gaveUp = "gave up after 1.5 s: checking this message took longer than --timeout-per-message allows";
    expect(pool.report.messages.filter((m) => m.problems.length > 0).map((m) => [m.index, m.problems])).toEqual([
      [9, [gaveUp]],
      [12, [gaveUp]],
    ]);
    expect(pool.stderr).toBe(`kreview: fourteen.mbox, message 10: ${gaveUp}\nkreview: fourteen.mbox, message 13: ${gaveUp}\n`);
    expect(pool.status).toBe(2);
    expect(pool.report.messages[0].findings.length).toBeGreaterThan(0);
    expect(pool.stdout).toBe(one.stdout);
  });
});

describe("streamed", () => {
  it("writes a message's findings while the rest of the input is still to come", async () => {
    // Patches that are each a series of their own: a patch of a series not all here waits
    // for the rest of it (a bounded while, docs/architecture.md), which is another test.
    const alone = (n: number) => archive(n, -1).replaceAll("[PATCH v5 02/13]", "[PATCH]");
    const mbox = alone(4);
    // What one message gives, as the same command says it on its own.
    const single = spawnSync(process.execPath, [BIN, "--no-config", "--format", "terse", "-"], { cwd: tmp, input: alone(1) });
    const perMessage = single.stdout.toString().split("\n").filter(Boolean);
    expect(perMessage.length).toBeGreaterThan(0);
    const child = spawn(process.execPath, [BIN, "--no-config", "--format", "terse", "-"], { cwd: tmp, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const first = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output while stdin is open: ${out}`)), 10_000);
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        clearTimeout(timer);
        resolve(out);
      });
    });
    // Four messages and the start of a fifth: the first ones are complete, the input is not.
    child.stdin.write(mbox + "From mboxrd@z Thu Jan  1 00:00:00 1970\n");
    expect((await first).split("\n")[0]).toBe(perMessage[0]);
    child.stdin.end();
    const status = await new Promise((resolve) => child.on("close", resolve));
    expect(status).toBe(1);
    expect(out.split("\n").filter(Boolean).length).toBe(4 * perMessage.length);
  });
});
