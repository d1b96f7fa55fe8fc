/**
 * The layers stay apart: each folder of src/ imports only the layers before
 * it, rules import only the engine, and the layers below the CLI do no I/O.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ORDER = ["input", "patch", "c", "facts", "engine", "report", "cli"];
const root = path.resolve(__dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
}

describe("layering", () => {
  for (const layer of ORDER) {
    it(`src/${layer} imports only the layers before it`, () => {
      const allowed = new Set(ORDER.slice(0, ORDER.indexOf(layer) + 1));
      const bad: string[] = [];
      for (const f of files(path.join(root, "src", layer))) {
        for (const spec of imports(f)) {
          if (!spec.startsWith(".")) continue;
          const target = path.relative(path.join(root, "src"), path.resolve(path.dirname(f), spec));
          const top = target.split(path.sep)[0];
          if (target.startsWith("..")) {
            // Only the CLI may reach out of src/ (to rules/ and package metadata).
            if (layer !== "cli") bad.push(`${path.relative(root, f)} -> ${spec}`);
          } else if (!allowed.has(top)) bad.push(`${path.relative(root, f)} -> ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it("rules import only from src/engine", () => {
    const bad: string[] = [];
    for (const f of files(path.join(root, "rules"))) {
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) bad.push(`${path.relative(root, f)} -> ${spec}`);
        const target = path.relative(root, path.resolve(path.dirname(f), spec));
        if (!target.startsWith("rules") && !target.startsWith(path.join("src", "engine"))) bad.push(`${path.relative(root, f)} -> ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("nothing below the CLI, and no rule, touches the file system, processes or the console", () => {
    const bad: string[] = [];
    const dirs = ["input", "patch", "c", "facts", "engine", "report"].map((l) => path.join(root, "src", l)).concat(path.join(root, "rules"));
    for (const f of dirs.flatMap(files)) {
      const src = readFileSync(f, "utf8");
      if (/from\s+"node:(fs|child_process|net|http)"|console\.\w+\(|process\.(exit|stdout|stderr)/.test(src)) bad.push(path.relative(root, f));
    }
    expect(bad).toEqual([]);
  });
});
