import { describe, expect, it } from "vitest";
import { createLinter, defineRule, ruleKey, UnknownRuleError, type Rule, type SeriesInfo, type Site } from "../../src/engine/index.js";
import patchFormat from "../../rules/patch-format.js";
import type { SyntaxNode } from "../../src/c/parser.js";
import { fileDiff, hunk, patchOf } from "../helpers/model.js";

const docs = "### What it does\n.\n### Why is this bad?\n.\n### Example\n.\n### Reviewer said\n.\n### Known problems\n.\n";

// A rule used only by these tests: every goto is reported.
const gotoRule = defineRule({
  id: "test-goto",
  type: "suggestion",
  severity: "warning",
  confidence: "high",
  summary: "reports every goto",
  messages: { found: "goto to '{{label}}'" },
  docs,
  create(ctx) {
    return {
      goto_statement(node) {
        const label = node.childForFieldName("label")!;
        ctx.report({ node, messageId: "found", data: { label: label.text }, related: [{ node: label, message: "label named here" }] });
      },
    };
  },
});

const checkRule = defineRule({
  id: "test-check",
  type: "style",
  severity: "check",
  confidence: "low",
  summary: "reports every return at check level",
  messages: { ret: "a return" },
  docs,
  queries: { ret: "(return_statement) @ret" },
  create(ctx) {
    return {
      translation_unit(root) {
        for (const m of ctx.query("ret", root)) ctx.report({ node: m.captures[0].node, messageId: "ret" });
      },
    };
  },
});

const patch = () =>
  patchOf([
    fileDiff("drivers/x.c", [
      hunk(" \tif (a)\n \t\tgoto out;\n+\tif (b)\n+\t\tgoto err;\n+\treturn 0;", { oldStart: 20, newStart: 20, section: "int x(void)", inputLine: 30 }),
    ]),
  ]);

describe("linter", () => {
  it("reports on added lines only, at the post-image line and the patch line", () => {
    const r = createLinter({ rules: [gotoRule] }).lintPatch(patch());
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      rule: "test-goto",
      severity: "warning",
      message: "goto to 'err'",
      file: "drivers/x.c",
      line: 23,
      column: 3,
      patchLine: 34,
      sourceLine: "\t\tgoto err;",
      sourceKind: "+",
      confidence: "high",
    });
    expect(r.findings[0].related).toEqual([{ message: "label named here", file: "drivers/x.c", line: 23, column: 8, patchLine: 34 }]);
  });

  it("drops check-level findings unless strict, and applies severity overrides", () => {
    expect(createLinter({ rules: [checkRule] }).lintPatch(patch()).findings).toHaveLength(0);
    const strict = createLinter({ rules: [checkRule], strict: true }).lintPatch(patch()).findings;
    expect(strict.map((f) => [f.line, f.severity])).toEqual([[24, "check"]]);
    const raised = createLinter({ rules: [checkRule], severity: { "test-check": "error" } }).lintPatch(patch()).findings;
    expect(raised.map((f) => f.severity)).toEqual(["error"]);
  });

  it("selects rules with only and ignore, and refuses unknown rule ids", () => {
    expect(createLinter({ rules: [gotoRule, checkRule], ignore: ["test-goto"] }).rules.map((r) => r.id)).toEqual(["test-check"]);
    expect(createLinter({ rules: [gotoRule, checkRule], only: ["test-goto"] }).rules.map((r) => r.id)).toEqual(["test-goto"]);
    expect(() => createLinter({ rules: [gotoRule], ignore: ["no-such-rule"] })).toThrow(UnknownRuleError);
  });

  it("reads rule ids in any case, with '_' for '-', as checkpatch's types are written", () => {
    expect(ruleKey("BUG_ON")).toBe("bug-on");
    expect(ruleKey(" Bitwise-Or_In-CONDITION ")).toBe("bitwise-or-in-condition");
    expect(createLinter({ rules: [gotoRule, checkRule], ignore: ["TEST-GOTO"] }).rules.map((r) => r.id)).toEqual(["test-check"]);
    expect(createLinter({ rules: [gotoRule, checkRule], only: ["Test_Goto"] }).rules.map((r) => r.id)).toEqual(["test-goto"]);
    // a later setting of the same rule wins, whatever its spelling
    const levels = createLinter({ rules: [checkRule], severity: { "test-check": "warning", TEST_CHECK: "error" } }).lintPatch(patch()).findings;
    expect(levels.map((f) => f.severity)).toEqual(["error"]);
    // the message quotes the id as the user wrote it; an UPPER_CASE one gets a word about checkpatch's types
    expect(() => createLinter({ rules: [gotoRule], only: ["Nope"] })).toThrow("unknown rule 'Nope' (see 'kreview rules')");
    expect(() => createLinter({ rules: [gotoRule], ignore: ["LONG_LINE"] })).toThrow("unknown rule 'LONG_LINE' (see 'kreview rules'; checkpatch's message types are not kreview's rules)");
  });

  it("turns a rule that throws into an internal-error problem and still runs the others", () => {
    const broken: Rule = { ...gotoRule, id: "test-broken", create: (ctx) => ({ goto_statement: (node) => ctx.report({ node, messageId: "nope" }) }) };
    const r = createLinter({ rules: [broken, gotoRule] }).lintPatch(patch());
    expect(r.internalError).toBe(true);
    expect(r.problems[0]).toMatch(/internal error in rule test-broken: .*unknown messageId 'nope'/);
    expect(r.findings.map((f) => f.rule)).toEqual(["test-goto"]);
  });

  it("fails a rule whose visitor names a node type the C grammar does not have", () => {
    const typo: Rule = { ...gotoRule, id: "test-typo", create: () => ({ goto_statment: () => {} }) };
    const r = createLinter({ rules: [typo] }).lintPatch(patch());
    expect(r.problems[0]).toMatch(/unknown node type 'goto_statment'/);
  });

  it("reports hunks that do not add up through the patch-format rule", () => {
    const p = patchOf([fileDiff("a.c", [hunk("+int a;")])], {
      problems: [{ kind: "patch-format", message: "hunk ends after 1 of 3 lines", file: "a.c", inputLine: 12 }],
    });
    const r = createLinter({ rules: [patchFormat] }).lintPatch(p);
    expect(r.findings).toEqual([
      expect.objectContaining({ rule: "patch-format", severity: "error", file: "a.c", line: null, patchLine: 12, message: "hunk ends after 1 of 3 lines" }),
    ]);
  });

  it("reports an unreadable message as such, with its reason and no finding", () => {
    const r = createLinter({ rules: [gotoRule] }).lintPatch(patchOf([], { kind: "unreadable", reason: "undecodable body" }));
    expect(r).toMatchObject({ kind: "unreadable", findings: [], problems: ["undecodable body"] });
  });
});

describe("series-wide rules", () => {
  // A rule used only by this test: a series with more than one patch touching drivers/x.c is reported on the last of them.
  const seriesRule = defineRule({
    id: "test-series",
    type: "suggestion",
    severity: "warning",
    confidence: "low",
    summary: "reports x.c touched by several patches",
    messages: { many: "{{n}} patches of the series touch '{{file}}' ({{state}})" },
    docs,
    series: {
      collect(ctx) {
        const cf = ctx.cfiles.find((c) => c.file.path === "drivers/x.c");
        const first = cf?.post.root.descendantsOfType("identifier").find((n) => cf.post.isAdded(n));
        return first ? (ctx.site(first, cf!.post) ?? undefined) : undefined;
      },
      check(ctx) {
        const touching = ctx.members.map((m, i) => [m.data, i] as const).filter(([d]) => d);
        const state = ctx.series.complete ? "complete" : `missing ${ctx.series.missing.join(",")}`;
        if (touching.length > 1) {
          const [site, i] = touching[touching.length - 1];
          ctx.report({ member: i, messageId: "many", data: { n: touching.length, file: "drivers/x.c", state }, site: site as Site, demote: !ctx.series.complete });
        }
      },
    },
  });

  const series = (over: Partial<SeriesInfo> = {}): SeriesInfo => ({ id: 1, version: 1, total: 3, title: "t", members: [1, 2, 3], missing: [], complete: true, ...over });

  it("keeps what the rule collects of each patch, then runs once over the series and adds its finding to the right patch, on the kept line", () => {
    const linter = createLinter({ rules: [seriesRule, gotoRule] });
    expect(linter.wantsSeries).toBe(true);
    const patches = [patch(), patchOf([fileDiff("other.c", [hunk("+int y;")])]), patch()];
    const results = patches.map((p) => linter.lintPatch(p));
    expect(results.map((r) => r.series?.data["test-series"] !== undefined)).toEqual([true, false, true]);
    linter.lintSeries(series(), results);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    const found = results.map((r) => r.findings.filter((f) => f.rule === "test-series"));
    expect(found.map((f) => f.map((x) => x.message))).toEqual([[], [], ["2 patches of the series touch 'drivers/x.c' (complete)"]]);
    expect(found[2][0]).toMatchObject({ file: "drivers/x.c", severity: "warning", sourceKind: "+" });
    expect(found[2][0].line).not.toBeNull();
    expect(createLinter({ rules: [gotoRule] }).wantsSeries).toBe(false);
  });

  it("a demoted finding is a check (kept only with --strict), unless the user set the rule's level", () => {
    const patches = [patch(), patch()];
    const run = (options: { strict?: boolean; severity?: Record<string, "error" | "warning" | "check"> }) => {
      const linter = createLinter({ rules: [seriesRule], ...options });
      const results = patches.map((p) => linter.lintPatch(p));
      linter.lintSeries(series({ total: 3, members: [1, 2], missing: [3], complete: false }), results);
      return results.flatMap((r) => r.findings.map((f) => `${f.severity}: ${f.message}`));
    };
    expect(run({})).toEqual([]);
    expect(run({ strict: true })).toEqual(["check: 2 patches of the series touch 'drivers/x.c' (missing 3)"]);
    expect(run({ severity: { "test-series": "error" } })).toEqual(["error: 2 patches of the series touch 'drivers/x.c' (missing 3)"]);
  });
});

describe("the function a finding stands in", () => {
  // Reports every added line that says `mark`, from the patch lines (checkPatch), for files C or not.
  const lineRule = defineRule({
    id: "test-mark",
    type: "style",
    severity: "warning",
    confidence: "high",
    summary: "reports lines that say mark",
    messages: { mark: "a mark" },
    docs,
    checkPatch(ctx) {
      for (const f of ctx.patch.files) for (const h of f.hunks) for (const l of h.lines) if (l.kind === "+" && l.text.includes("mark")) ctx.report({ messageId: "mark", file: f.path, line: l });
    },
  });
  const functionsOf = (r: { findings: { rule: string; function: string | null }[] }, rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => f.function);

  it("is the hunk's @@ section function when the head is not shown, and a function that starts in the hunk after it", () => {
    const body = " \tif (a)\n \t\tgoto out;\n+\tgoto err; /* mark */\n }\n \n+static int y_probe(struct y *y)\n+{\n+\tgoto again; /* mark */\n+}";
    const p = patchOf([fileDiff("drivers/x.c", [hunk(body, { oldStart: 20, newStart: 20, section: "static int x_start(struct x *x)", inputLine: 30 })])]);
    const r = createLinter({ rules: [gotoRule, lineRule] }).lintPatch(p);
    expect(functionsOf(r, "test-goto")).toEqual(["x_start", "y_probe"]);
    expect(functionsOf(r, "test-mark")).toEqual(["x_start", "y_probe"]);
  });

  it("is null at file scope, and read from the hunk in a file that is not C", () => {
    const c = patchOf([fileDiff("drivers/x.c", [hunk("+static int table[] = { 1 }; /* mark */", { oldStart: 1, newStart: 1, section: "", inputLine: 10 })])]);
    expect(functionsOf(createLinter({ rules: [lineRule] }).lintPatch(c), "test-mark")).toEqual([null]);
    const sh = patchOf([fileDiff("scripts/x.rs", [hunk(" \tlet a = 1;\n+\tmark();", { oldStart: 5, newStart: 5, section: "fn main() {", inputLine: 10 })])]);
    expect(functionsOf(createLinter({ rules: [lineRule] }).lintPatch(sh), "test-mark")).toEqual(["main"]);
  });
});

describe("the visitors' walk", () => {
  // Every visited node is entered in document order and left after everything inside it, as a
  // recursive walk of the tree does it: on nested calls and blocks, and on broken C with missing nodes.
  const events: string[] = [];
  let root: SyntaxNode | null = null;
  const tag = (what: string, n: SyntaxNode) => `${what} ${n.type} ${n.startIndex}-${n.endIndex}`;
  const orderRule = defineRule({
    id: "test-order",
    type: "suggestion",
    severity: "warning",
    confidence: "high",
    summary: "records the order it is called in",
    messages: { none: "never" },
    docs,
    create() {
      return {
        translation_unit: (n) => void (root = n),
        call_expression: (n) => void events.push(tag("enter", n)),
        "call_expression:exit": (n) => void events.push(tag("exit", n)),
        "compound_statement:exit": (n) => void events.push(tag("exit", n)),
        if_statement: (n) => void events.push(tag("enter", n)),
        identifier: (n) => void events.push(tag("enter", n)),
      };
    },
  });
  const reference = (root: SyntaxNode): string[] => {
    const out: string[] = [];
    const visit = (n: SyntaxNode) => {
      if (["call_expression", "if_statement", "identifier"].includes(n.type)) out.push(tag("enter", n));
      for (const c of n.children) visit(c);
      if (["call_expression", "compound_statement"].includes(n.type)) out.push(tag("exit", n));
    };
    visit(root);
    return out;
  };

  for (const [name, body] of [
    ["nested calls and blocks", "+int f(int a)\n+{\n+\tif (g(h(a), k(a))) {\n+\t\t{ m(); }\n+\t}\n+\treturn n(p(q(a)));\n+}"],
    ["broken C", "+int f(void) { g(h(1); if (a) { x = ; } y = (z \n+}\n+static int k = ;"],
  ] as const) {
    it(`enters and leaves nodes as a recursive walk does: ${name}`, () => {
      events.length = 0;
      root = null;
      const r = createLinter({ rules: [orderRule] }).lintPatch(patchOf([fileDiff("drivers/x.c", [hunk(body, { oldStart: 0, newStart: 1 })])]));
      expect(r.problems).toEqual([]);
      expect(root).not.toBeNull();
      const expected = reference(root!);
      expect(expected.filter((e) => e.startsWith("exit call_expression")).length).toBeGreaterThan(1);
      expect(events).toEqual(expected);
    });
  }
});
