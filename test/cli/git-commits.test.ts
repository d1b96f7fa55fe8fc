/**
 * `--git` reads format-patch's output one commit at a time: cut at each
 * `From <sha> Mon Sep 17 00:00:00 2001` line, so each commit's lines count
 * from its own separator, and each message carries its sha.
 */
import { describe, expect, it } from "vitest";
import { commitsOf } from "../../src/cli/git.js";

const A = "a".repeat(40);
const B = "0123456789abcdef0123456789abcdef01234567";
const mail = (sha: string, subject: string, body: string) =>
  `From ${sha} Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.org>\nSubject: ${subject}\n\n${body}\n-- \n2.39.5\n\n`;

describe("commitsOf", () => {
  it("cuts at each separator, keeping every byte, in order", () => {
    const one = mail(A, "[PATCH 1/2] one", "From the start, this is not a separator.\nFrom me Mon Sep 17 00:00:00 2001");
    const two = mail(B, "[PATCH 2/2] two", "body");
    const commits = commitsOf(Buffer.from(one + two));
    expect(commits.map((c) => c.sha)).toEqual([A, B]);
    expect(commits.map((c) => c.bytes.toString())).toEqual([one, two]);
  });

  it("finds nothing in output with no separator (then the input layer reads it as it is)", () => {
    expect(commitsOf(Buffer.from("diff --git a/x b/x\n"))).toEqual([]);
    expect(commitsOf(Buffer.alloc(0))).toEqual([]);
  });
});
