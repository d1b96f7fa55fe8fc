/**
 * The streamed reporters: fed one message at a time, they write what the
 * whole-report functions write, and the JSON forms are exactly
 * `JSON.stringify(doc, null, 2)` of the document, byte for byte, however
 * many messages (docs/json-output.md is a contract on the bytes too).
 */
import { describe, expect, it } from "vitest";
import { streams, type FormatName } from "../../src/report/index.js";
import type { MessageResult } from "../../src/engine/index.js";
import { allResults, coverResult, meta, patchResult, replyResult } from "./data.js";

const sets: [string, () => MessageResult[]][] = [
  ["none", () => []],
  ["one patch", () => [patchResult()]],
  ["one cover letter", () => [coverResult()]],
  ["a clean one then one with findings", () => [coverResult(), patchResult()]],
  ["every kind", allResults],
];

function streamed(format: FormatName, results: MessageResult[], m = meta): string[] {
  const s = streams[format](m);
  return [...results.map((r) => s.message(r)), s.end()];
}

describe("streamed reporters", () => {
  for (const [what, results] of sets) {
    it(`json and b4-review are JSON.stringify(doc, null, 2) to the byte: ${what}`, () => {
      for (const format of ["json", "b4-review", "sarif"] as const) {
        const text = streamed(format, results()).join("");
        expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + "\n");
      }
    });
  }

  it("write each message as it comes, holding back only the first until they know whether there are several", () => {
    const rs = [patchResult(), replyResult(), patchResult()];
    for (const format of ["text", "terse", "json", "sarif", "email"] as const) {
      const parts = streamed(format, rs);
      // the third message's text is out before the end
      expect(parts[2].length, format).toBeGreaterThan(0);
    }
    // text: an input's first message is held until the next shows whether the input holds several;
    // here the next is another input, so the first is written under its input's header, with its total
    const text = streamed("text", rs);
    expect(text[0]).toBe("");
    expect(text[1]).toMatch(/^-+\n0001-net-foo-fix-bar\.patch\n-+\nERROR:bitwise-or-in-condition:/);
    expect(text[1]).toMatch(/\ntotal: 1 errors, 1 warnings, 120 lines checked\n\n0001-net-foo-fix-bar\.patch has review points, please check them\.\n$/);
  });

  it("text writes each message of a long input as it comes, and its total at the end", () => {
    const mbox = Array.from({ length: 4 }, (_, i) => ({ ...patchResult(), source: "list.mbox", index: i }));
    const parts = streamed("text", mbox, { ...meta, units: 1 });
    expect(parts[0]).toBe("");
    expect(parts[1]).toMatch(/^-+\nlist\.mbox, message 1: .*\n-+\nERROR:[^]*\n-+\nlist\.mbox, message 2: /);
    for (const p of parts.slice(2, 4)) expect(p).toMatch(/^-+\nlist\.mbox, message \d: /);
    expect(parts[4]).toMatch(/^total: 4 errors, 4 warnings, 480 lines checked\n/);
  });

  it("text with one message prints no per-message header", () => {
    const [first, end] = streamed("text", [patchResult()]);
    expect(first).toBe("");
    expect(end).not.toMatch(/^-+$/m);
    expect(end).toMatch(/^total: /m);
  });
});
