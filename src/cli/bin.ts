/**
 * What bin/kreview runs: the CLI on the process's streams. The build bundles
 * this module and everything it imports into dist/src/cli/kreview.cjs, with
 * V8's code cache beside it (scripts/bundle.mjs, bin/load.mjs): one script,
 * mostly compiled already, instead of a hundred modules to resolve and
 * compile, so the hook path starts that much sooner. Worker threads load
 * the unbundled modules.
 */
import { main } from "./main.js";
import { describeWriteError } from "./output.js";

export { main };

export function run(): void {
  // A reader that stops early (`kreview big.mbox | head`) is not worth a word: stop, quietly,
  // with exit 2, since the run did not get to its verdict. Any other failure to write stdout
  // (a full disk) is one line and exit 2, never a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") process.stderr.write(`kreview: stdout: cannot write the report: ${describeWriteError(e)}\n`);
    process.exit(2);
  });

  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      process.stderr.write(`kreview: internal error: ${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
      process.exitCode = 2;
    });
}
