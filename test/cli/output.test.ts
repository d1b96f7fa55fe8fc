/**
 * `-o FILE` when the file cannot be opened and nothing is written before the
 * failure shows: the output must still end, and say what went wrong, rather
 * than leave the run waiting for a "close" that has already come.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Output } from "../../src/cli/output.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "kreview-output-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("Output.file on a path that cannot be opened", () => {
  it("ends after the stream has already closed, and names the failure", async () => {
    const out = Output.file(path.join(tmp, "no-such-dir", "report.txt"), "no-such-dir/report.txt");
    // let the failed open run its course: error, then close
    const stream = (out as unknown as { stream: NodeJS.EventEmitter }).stream;
    await new Promise((resolve) => stream.once("close", resolve));
    await out.end(); // hung before: it waited for a second "close"
    expect(out.failure()).toBe("no-such-dir/report.txt: cannot write the report: no such directory");
  }, 10_000); // a hang fails here, not at the suite's 60 s
});
