/**
 * `npm run show -- ARCHIVE INDEX [INDEX...] [--out DIR]`
 *
 * Writes the raw bytes of message INDEX of an archive (the numbering of
 * `raw.index` from splitMessages, which `npm run corpus -- --findings` prints
 * as `#INDEX`): one message to stdout, or with `--out DIR` each message to
 * DIR/<archive>-<index>.eml (the archive's name without `.mbox.gz`). Used to
 * read the mail behind a finding and to copy real mail into fixtures.
 *
 * The bytes are the message as splitMessages cut it: without the mbox `From `
 * separator line, with mboxrd `>From ` escapes undone.
 *
 * Exits 2 for a usage error or a missing archive, 1 when an index is not in
 * the archive.
 */
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { splitMessages } from "../src/input/index.js";

const USAGE = "usage: npm run show -- ARCHIVE INDEX [INDEX...] [--out DIR]";

function usageError(msg: string): never {
  process.stderr.write(`${USAGE}\n${msg}\n`);
  process.exit(2);
}

let outDir: string | null = null;
const positional: string[] = [];
{
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out") {
      const v = args[++i];
      if (!v) usageError("--out needs a directory");
      outDir = v;
    } else if (a.startsWith("--out=")) outDir = a.slice("--out=".length) || usageError("--out needs a directory");
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith("--")) usageError(`unknown option ${a}`);
    else positional.push(a);
  }
}

const [archive, ...indexArgs] = positional;
if (!archive) usageError("name an archive and the index of a message in it");
if (!existsSync(archive)) {
  usageError(`${archive}: not found. The corpus is not part of the repository: name the path of an archive (e.g. ../shared/corpus/linux-pci.mbox.gz).`);
}
if (statSync(archive).isDirectory()) usageError(`${archive}: a directory, not an archive`);
if (indexArgs.length === 0) usageError("name the index of a message (the #N that `npm run corpus -- --findings` prints)");
const wanted = new Set<number>();
for (const a of indexArgs) {
  if (!/^\d+$/.test(a)) usageError(`${a}: not a message index (a whole number from 0)`);
  wanted.add(Number(a));
}
if (outDir === null && wanted.size > 1) usageError("more than one message: give --out DIR to write each to its own file");

const base = path.basename(archive).replace(/(\.mbox)?(\.gz)?$/, "") || "message";
if (outDir !== null) mkdirSync(outDir, { recursive: true });

const pending = new Set(wanted);
let count = 0;
const stream = createReadStream(archive);
try {
  for await (const raw of splitMessages(archive, stream)) {
    count = raw.index + 1;
    if (!pending.has(raw.index)) continue;
    pending.delete(raw.index);
    if (outDir === null) process.stdout.write(raw.bytes);
    else {
      const file = path.join(outDir, `${base}-${raw.index}.eml`);
      writeFileSync(file, raw.bytes);
      process.stdout.write(`${file}\n`);
    }
    if (pending.size === 0) break;
  }
} finally {
  stream.destroy();
}

if (pending.size > 0) {
  process.stderr.write(`${archive}: no message ${[...pending].sort((a, b) => a - b).map((i) => `#${i}`).join(", ")} (it has ${count}, numbered from 0)\n`);
  process.exitCode = 1;
}
