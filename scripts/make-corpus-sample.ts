/**
 * Make the fixed corpus sample the default test suite runs:
 *   node dist/scripts/make-corpus-sample.js <path/to/nvdimm.mbox.gz> [out]
 *
 * Takes every 29th message of the archive, plus every quoted-printable,
 * base64 and multipart message among the first ones met (up to a few dozen
 * each), so the sample holds each encoding the archive has. Messages are
 * copied byte for byte, mboxrd separators included. The result is committed
 * as fixtures/corpus/nvdimm-sample.mbox.gz; run again only to remake it.
 */
import { createReadStream, existsSync, writeFileSync } from "node:fs";
import { createGunzip, gzipSync } from "node:zlib";
import readline from "node:readline";

const [corpus, out = "fixtures/corpus/nvdimm-sample.mbox.gz"] = process.argv.slice(2);
if (!corpus || !existsSync(corpus)) {
  process.stderr.write("usage: make-corpus-sample <path/to/nvdimm.mbox.gz> [out]\n(the corpus is not in this repository: name where it is)\n");
  process.exit(2);
}

const STRIDE = 29;
const WANT = { qp: 40, base64: 20, multipart: 30 };
const got = { qp: 0, base64: 0, multipart: 0 };
const chunks: string[] = [];
let index = -1;
let current: string[] = [];
let taken = 0;

function flush() {
  if (index < 0) return;
  const text = current.join("\n") + "\n";
  const head = text.slice(0, text.indexOf("\n\n") + 1 || text.length);
  const qp = /content-transfer-encoding:\s*quoted-printable/i.test(text);
  const b64 = /content-transfer-encoding:\s*base64/i.test(text);
  const multi = /^content-type:\s*multipart\//im.test(head);
  let take = index % STRIDE === 0;
  if (qp && got.qp < WANT.qp) (take = true), got.qp++;
  if (b64 && got.base64 < WANT.base64 && text.length < 400_000) (take = true), got.base64++;
  if (multi && got.multipart < WANT.multipart && text.length < 400_000) (take = true), got.multipart++;
  if (take) {
    chunks.push(text);
    taken++;
  }
}

// latin1 maps every byte to one char and back, so non-UTF-8 messages survive unchanged.
const gunzip = createReadStream(corpus).pipe(createGunzip());
gunzip.setEncoding("latin1");
const rl = readline.createInterface({ input: gunzip, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.startsWith("From mboxrd@z ")) {
    flush();
    index++;
    current = [line];
  } else current.push(line);
}
flush();
writeFileSync(out, gzipSync(Buffer.from(chunks.join(""), "latin1"), { level: 9 }));
process.stdout.write(`${taken} of ${index + 1} messages -> ${out} (qp ${got.qp}, base64 ${got.base64}, multipart ${got.multipart})\n`);
