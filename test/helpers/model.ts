/**
 * Build patch-model objects by hand for tests of the C view and the engine,
 * without going through mail parsing.
 */
import type { FileDiff, Hunk, Patch, PatchLine } from "../../src/patch/model.js";

/**
 * One hunk from diff-body lines (each starting with `+`, `-` or ` `), placed
 * at the given start lines; `positionsKnown: false` makes a trimmed-quote fragment.
 */
export function hunk(body: string, opts: { oldStart?: number; newStart?: number; section?: string; positionsKnown?: boolean; inputLine?: number } = {}): Hunk {
  const known = opts.positionsKnown ?? true;
  let oldNo = opts.oldStart ?? 1;
  let newNo = opts.newStart ?? 1;
  let input = opts.inputLine ?? 10;
  const lines: PatchLine[] = [];
  for (const raw of body.replace(/\n$/, "").split("\n")) {
    if (raw !== "" && !"+- ".includes(raw[0])) throw new Error(`hunk line must start with +, - or space: ${raw}`);
    const kind = (raw === "" ? " " : raw[0]) as PatchLine["kind"];
    const text = raw.slice(1);
    input++;
    lines.push({
      kind,
      text,
      oldNo: known && kind !== "+" ? oldNo++ : null,
      newNo: known && kind !== "-" ? newNo++ : null,
      inputLine: input,
    });
  }
  return {
    oldStart: opts.oldStart ?? 1,
    oldCount: lines.filter((l) => l.kind !== "+").length,
    newStart: opts.newStart ?? 1,
    newCount: lines.filter((l) => l.kind !== "-").length,
    section: opts.section ?? "",
    lines,
    inputLine: opts.inputLine ?? 10,
    positionsKnown: known,
    complete: true,
  };
}

export function fileDiff(path: string, hunks: Hunk[], extra: Partial<FileDiff> = {}): FileDiff {
  return { oldPath: path, newPath: path, path, status: "modified", binary: false, hunks, inputLine: 1, fragment: false, ...extra };
}

export function patchOf(files: FileDiff[], extra: Partial<Patch> = {}): Patch {
  return {
    source: "test.patch",
    index: 0,
    kind: "patch",
    subject: "[PATCH] test",
    from: "A U Thor <author@example.org>",
    fromAddress: "author@example.org",
    date: "",
    messageId: "test@example.org",
    inReplyTo: "",
    references: [],
    to: [],
    cc: [],
    commitMessage: "",
    trailers: [],
    files,
    problems: [],
    lineCount: 100,
    ...extra,
  };
}

/** A whole new C file as one hunk of added lines. */
export function newCFile(path: string, source: string): FileDiff {
  const body = source.replace(/\n$/, "").split("\n").map((l) => `+${l}`).join("\n");
  return fileDiff(path, [hunk(body, { oldStart: 0, newStart: 1 })], { oldPath: null, status: "added" });
}
