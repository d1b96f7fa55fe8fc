/**
 * Run the real pipeline (input → patch → engine) over a file or a buffer, as
 * the CLI does, for tests that want results without spawning a process.
 */
import { readFileSync } from "node:fs";
import { parseMail, splitMessages } from "../../src/input/index.js";
import { parsePatch, type Patch } from "../../src/patch/index.js";
import { createLinter, type LinterOptions, type MessageResult } from "../../src/engine/index.js";
import { builtinRules } from "../../rules/index.js";

async function* once(buf: Buffer) {
  yield buf;
}

export async function patchesOf(name: string, bytes?: Buffer): Promise<Patch[]> {
  const out: Patch[] = [];
  for await (const raw of splitMessages(name, once(bytes ?? readFileSync(name)))) out.push(parsePatch(await parseMail(raw)));
  return out;
}

export async function lintFile(name: string, options: Partial<LinterOptions> = {}, bytes?: Buffer): Promise<MessageResult[]> {
  const linter = createLinter({ rules: builtinRules, ...options });
  return (await patchesOf(name, bytes)).map((p) => linter.lintPatch(p));
}
