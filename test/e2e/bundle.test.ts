/**
 * The bundled CLI and its code cache (scripts/bundle.mjs, bin/load.mjs): a
 * cache made for another build, or one V8 cannot use, is passed over and the
 * bundle compiled as usual, with the same report.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTmp, removeTmp, REPO } from "./run.js";

const SAMPLE = path.join(REPO, "fixtures/seeds/threads/memfile-notifier/v5-02-patch.eml");
const tmp = makeTmp();
afterAll(() => removeTmp(tmp));

/** A copy of the installation's bin/ and bundle, with `cache` as its code cache. */
function install(name: string, cache: Buffer): string {
  const root = path.join(tmp, name);
  mkdirSync(path.join(root, "bin"), { recursive: true });
  mkdirSync(path.join(root, "dist/src/cli"), { recursive: true });
  for (const f of ["bin/kreview", "bin/load.mjs", "dist/src/cli/kreview.cjs", "package.json"]) copyFileSync(path.join(REPO, f), path.join(root, f));
  symlinkSync(path.join(REPO, "node_modules"), path.join(root, "node_modules"));
  writeFileSync(path.join(root, "dist/src/cli/kreview.cache"), cache);
  return root;
}

const lint = (root: string) => spawnSync(process.execPath, [path.join(root, "bin/kreview"), "--no-config", "--no-tree", SAMPLE], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("the bundle's code cache", () => {
  const bundle = readFileSync(path.join(REPO, "dist/src/cli/kreview.cjs"), "utf8");
  const id = bundle.slice(0, bundle.indexOf("\n") + 1);
  const cache = readFileSync(path.join(REPO, "dist/src/cli/kreview.cache"));

  it("is made for this build: it starts with the bundle's build id", () => {
    expect(id).toMatch(/^\/\/ kreview build [0-9a-f-]{36}\n$/);
    expect(cache.subarray(0, id.length).toString()).toBe(id);
    expect(cache.length).toBeGreaterThan(id.length + 1000);
  });

  it("made for another build, or unusable, is passed over: the report is the same", () => {
    const real = lint(REPO);
    expect(real.status).toBe(1);
    expect(real.stdout).toMatch(/total: 3 errors, 3 warnings, 340 lines checked/);
    const other = install("other", Buffer.concat([Buffer.from("// kreview build 00000000-0000-0000-0000-000000000000\n"), cache.subarray(id.length)]));
    const junk = install("junk", Buffer.concat([Buffer.from(id), Buffer.alloc(4096, 7)]));
    for (const root of [other, junk]) {
      const r = lint(root);
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: real.status, stdout: real.stdout, stderr: real.stderr });
    }
  });
});
