// Bundles bin/kreview's code (dist/src/cli/bin.js, as tsc compiled it) into
// dist/src/cli/kreview.cjs, one script for the CLI's cold start, then makes
// V8's code cache for it (kreview.cache) from a run over a sample patch, so
// that what a run on one patch needs starts compiled (bin/load.mjs reads
// both). The bundle stays next to the modules it was made from, so what they
// find relative to themselves (the worker, package.json, the native modules)
// is found the same way. tree-sitter's native modules are loaded at run
// time, never bundled.
import { build } from "esbuild";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * node:child_process (which loads node:net) for the bundled dependencies, as
 * a stand-in that loads it on first use: commander requires it at load time
 * for subcommands kreview does not have, and a run on one patch starts no
 * process. kreview's own code loads it when needed (src/cli/lazy.ts).
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === "lazy-builtin" ? { path: "node:child_process", external: true } : { path: "child_process", namespace: "lazy-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      loader: "js",
      contents: `let real;
const get = () => (real ??= require("node:child_process"));
module.exports = new Proxy({}, {
  get: (_t, k) => get()[k],
  has: (_t, k) => k in get(),
  ownKeys: () => Reflect.ownKeys(get()),
  getOwnPropertyDescriptor: (_t, k) => ({ ...Object.getOwnPropertyDescriptor(get(), k), configurable: true }),
});`,
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ["dist/src/cli/bin.js"],
  outfile: "dist/src/cli/kreview.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["tree-sitter", "tree-sitter-c"],
  // ES module builds where a package has one (jsonc-parser's CommonJS build is a UMD wrapper that requires its files by name)
  mainFields: ["module", "main"],
  // the modules find their neighbours from import.meta.url, which a CommonJS script has not
  define: { "import.meta.url": "__kreview_url" },
  // the first line is the build's id, which bin/load.mjs matches against the cache's
  banner: { js: `// kreview build ${randomUUID()}\nvar __kreview_url = require("node:url").pathToFileURL(__filename).href;` },
  plugins: [lazyChildProcess],
  logLevel: "warning",
});

// The code cache: a run of the bundle, in this process, over a sample patch, its report thrown away.
const { load } = await import("../bin/load.mjs");
const cli = load({ makeCache: true });
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const sample = fileURLToPath(new URL("../fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml", import.meta.url));
await cli.main(["--no-config", "--no-tree"], { stdin: Readable.from([readFileSync(sample)]), stdout: sink, stderr: sink, cwd: root });
cli.writeCache();
