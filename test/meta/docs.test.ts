/**
 * The docs stay true to the code: every rule id README.md and docs/ name
 * (in a finding, a terse line, an option value, a configuration, a rules
 * table) is a rule of rules/index.ts, and the table of checkpatch's options
 * in docs/checkpatch-options.md is the one src/cli/checkpatch-options.ts
 * acts on.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtinRules } from "../../rules/index.js";
import { CHECKPATCH_OPTIONS } from "../../src/cli/checkpatch-options.js";
import { ruleKey } from "../../src/engine/index.js";

const root = path.resolve(__dirname, "../..");
const DOCS = ["README.md", ...readdirSync(path.join(root, "docs")).filter((n) => n.endsWith(".md")).map((n) => `docs/${n}`)];
const read = (rel: string) => readFileSync(path.join(root, rel), "utf8");

/** Where docs name a rule id; each capture is one id or a list of them. */
const RULE_PLACES: RegExp[] = [
  /"rule(?:Id)?":\s*"([^"]*)"/g, // JSON and SARIF samples
  /\b(?:ERROR|WARNING|CHECK):([A-Za-z][\w-]*):/g, // text findings
  / \[([a-z][a-z0-9-]*)\]$/gm, // terse lines
  /kreview explain ([A-Za-z][\w-]*)/g,
  /--(?:ignore|only|types)[ =]([A-Za-z][\w,-]*)/g,
  /--severity[ =]([A-Za-z][\w=,-]*)/g,
  /^\| `([a-z][a-z0-9-]*)` \| (?:error|warning|check) \|/gm, // a rules table
  /"(?:ignore|only)":\s*\[([^\]]*)\]/g, // .kreview.json
  /"severity":\s*\{([^}]*)\}/g,
];
/** Words that stand for an id in usage lines (`--ignore RULE,...`, `[rule-id]`), and one-letter example ids. */
const PLACEHOLDER = /^(?:RULE|RULE-ID|rule|rule-id|IDS|TYPE\d*|LEVEL|[a-z])$/;

function namedIds(text: string): string[] {
  const ids: string[] = [];
  for (const place of RULE_PLACES) {
    for (const m of text.matchAll(place)) {
      for (const item of m[1]!.split(",")) {
        const id = item.replace(/["\s]/g, "").replace(/[=:].*$/, "");
        if (id !== "" && !PLACEHOLDER.test(id)) ids.push(id);
      }
    }
  }
  return ids;
}

describe("rule ids in the docs", () => {
  const known = new Set(builtinRules.map((r) => r.id));

  it("the check finds ids where the docs name them (it would see a wrong one)", () => {
    expect(namedIds('"rule": "lock-held-on-return"')).toEqual(["lock-held-on-return"]);
    expect(namedIds("WARNING:bug-on: x\n")).toEqual(["bug-on"]);
    expect(namedIds("a.c:1: ERROR: x [no-such-rule]\n")).toEqual(["no-such-rule"]);
    expect(namedIds("`--severity bitwise-or-in-condition=warning,patch-format=check`")).toEqual(["bitwise-or-in-condition", "patch-format"]);
    expect(namedIds('{"ignore": ["a", "x-y"], "severity": { "z-w": "error" }}')).toEqual(["x-y", "z-w"]);
    expect(namedIds("--ignore RULE,... and [rule-id]")).toEqual([]);
  });

  for (const doc of DOCS) {
    it(`${doc} names only rules that exist`, () => {
      const unknown = namedIds(read(doc)).filter((id) => !known.has(ruleKey(id)));
      expect(unknown).toEqual([]);
    });
  }

  it("the README's rules table lists every rule", () => {
    const table = [...read("README.md").matchAll(/^\| `([a-z][a-z0-9-]*)` \| (?:error|warning|check) \|/gm)].map((m) => m[1]);
    expect([...table].sort()).toEqual([...known].sort());
  });
});

describe("docs/checkpatch-options.md", () => {
  it("holds the table the CLI acts on, row for row", () => {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    const rows = CHECKPATCH_OPTIONS.map((o) => `| ${o.kind === "habit" ? cell(o.checkpatch) : `\`${cell(o.checkpatch)}\``} | ${o.kind} | ${cell(o.kreview)} |`);
    const table = ["| checkpatch | in kreview | what kreview does |", "|---|---|---|", ...rows].join("\n");
    expect(read("docs/checkpatch-options.md")).toContain(`\n${table}\n`);
  });

  it("is linked from the README", () => {
    expect(read("README.md")).toContain("docs/checkpatch-options.md");
  });
});
