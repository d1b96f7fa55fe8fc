// Loads kreview's CLI from its bundle (dist/src/cli/kreview.cjs, made by
// scripts/bundle.mjs) with V8's code cache for it (kreview.cache, made by
// the same build from a run over a sample patch): the functions a run needs
// come compiled, which is most of what a cold start on one patch costs.
// A cache V8 refuses (another node, other flags) or one made for another
// bundle (the build's id, the bundle's first line, heads the cache) is not
// used: the bundle is compiled as usual.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const dir = fileURLToPath(new URL("../dist/src/cli/", import.meta.url));
const bundle = path.join(dir, "kreview.cjs");
const cacheFile = path.join(dir, "kreview.cache");

/** The bundle's exports; with `makeCache`, also a function that writes the code cache of what has run by then. */
export function load({ makeCache = false } = {}) {
  const source = readFileSync(bundle, "utf8");
  const id = Buffer.from(source.slice(0, source.indexOf("\n") + 1));
  let cachedData;
  if (!makeCache) {
    try {
      const c = readFileSync(cacheFile);
      if (c.subarray(0, id.length).equals(id)) cachedData = c.subarray(id.length);
    } catch {
      // no cache: compile as usual
    }
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dir);
  const writeCache = () => writeFileSync(cacheFile, Buffer.concat([id, script.createCachedData()]));
  return { ...module.exports, writeCache };
}
