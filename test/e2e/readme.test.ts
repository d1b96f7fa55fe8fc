/**
 * The README's first command prints what the README says it prints: the
 * sample under "What it prints" is the output of that command, byte for byte.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, REPO } from "./run.js";

describe("the README", () => {
  it("shows what its first command prints", () => {
    const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
    const command = /```sh\nnpm ci && bin\/kreview (\S+)\n```/.exec(readme);
    expect(command, "the first set-up command lints a sample patch").not.toBeNull();
    const section = readme.slice(readme.indexOf("## What it prints"));
    const sample = /```\n([\s\S]*?)```/.exec(section);
    expect(sample).not.toBeNull();
    const run = spawnSync(process.execPath, [BIN, "--no-config", command![1]], { cwd: REPO });
    expect(run.stdout.toString()).toBe(sample![1]);
    expect(run.status).toBe(1);
  });
});
