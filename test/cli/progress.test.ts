import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { terminalProgress } from "../../src/cli/progress.js";

class Screen extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe("the progress line", () => {
  it("shows bytes read out of the total, messages, findings and rate, at most every 200 ms, and is cleared at the end", () => {
    let t = 1000;
    const screen = new Screen();
    const p = terminalProgress(screen, { totalBytes: 10 * 1048576, now: () => t });
    p.update({ messages: 1, bytes: 1048576, findings: 0 });
    expect(screen.text).toBe(""); // too early: a short run draws nothing
    t += 1000;
    p.update({ messages: 500, bytes: 5 * 1048576, findings: 12 });
    expect(screen.text).toBe("\rkreview: 5.0/10.0 MB (50%) read, 500 messages, 12 findings, 500 messages/s\x1b[K");
    t += 100;
    p.update({ messages: 510, bytes: 5 * 1048576, findings: 12 });
    expect(screen.text.split("\r").length).toBe(2); // not redrawn within 200 ms
    t += 200;
    p.update({ messages: 600, bytes: 6 * 1048576, findings: 13 });
    expect(screen.text).toMatch(/\rkreview: 6\.0\/10\.0 MB \(60%\) read, 600 messages, 13 findings, \d+ messages\/s\x1b\[K$/);
    p.done();
    expect(screen.text.endsWith("\r\x1b[K")).toBe(true);
  });

  it("without a known total shows the bytes alone; a run that ends early leaves nothing on the terminal", () => {
    let t = 0;
    const screen = new Screen();
    const p = terminalProgress(screen, { now: () => t });
    t = 600;
    p.update({ messages: 3, bytes: 2 * 1048576, findings: 1 });
    expect(screen.text).toMatch(/^\rkreview: 2\.0 MB read, 3 messages, 1 findings, 5 messages\/s/);
    const quiet = new Screen();
    const q = terminalProgress(quiet, { now: () => 0 });
    q.update({ messages: 1, bytes: 10, findings: 0 });
    q.done();
    expect(quiet.text).toBe("");
  });
});
