/**
 * The real bin/kreview on input and output that used to stall or crash a
 * run: one process per behaviour.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, makeTmp, removeTmp, runJson } from "./run.js";

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
    const t0 = Date.now();
    const r = await runJson(["--only", "bitwise-or-in-condition", "huge.mbox"], { cwd: tmp, timeoutMs: 10_000 });
    expect(Date.now() - t0).toBeLessThan(5000);
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
