/**
 * Run the real pipeline (input → patch → engine) over a file or a buffer, as
 * the CLI does, for tests that want results without spawning a process.
 */
import { readFileSync } from "node:fs";
import { parseMail, splitMessages } from "../../src/input/index.js";
import { parsePatch, type Patch } from "../../src/patch/index.js";
import { createLinter, SeriesHold, type LinterOptions, type MessageResult } from "../../src/engine/index.js";
import { builtinRules } from "../../rules/index.js";

async function* once(buf: Buffer) {
  yield buf;
}

export async function patchesOf(name: string, bytes?: Buffer): Promise<Patch[]> {
  const out: Patch[] = [];
  for await (const raw of splitMessages(name, once(bytes ?? readFileSync(name)))) out.push(parsePatch(await parseMail(raw)));
  return out;
}

/** The results of every message of a file, as the CLI makes them: the file's patches are also grouped into series for the series-wide rules. */
export async function lintFile(name: string, options: Partial<LinterOptions> = {}, bytes?: Buffer): Promise<MessageResult[]> {
  const linter = createLinter({ rules: builtinRules, ...options });
  const out: MessageResult[] = [];
  const series = new SeriesHold(linter, (r) => {
    out.push(r);
  });
  for (const p of await patchesOf(name, bytes)) await series.add(linter.lintPatch(p));
  await series.closeAll();
  return out;
}
