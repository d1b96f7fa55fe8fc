/**
 * SARIF output, validated against a published SARIF 2.1.0 JSON schema.
 *
 * No npm package ships the OASIS standard's own `sarif-schema-2.1.0.json`
 * (draft-07) as a file. The closest is `@microsoft/jest-sarif`
 * (`lib/schemas/sarif-2.1.0-rtm.5.json`, from the SARIF SDK's authors): the
 * 2.1.0 schema as it stood at its final release candidate, written in
 * draft-04. Its validation keywords differ from the OASIS schema's in two
 * places only, neither of which kreview emits: `suppression.status` (later
 * renamed `state`) and the `language` pattern (which has a stray `]`; it
 * compiles only without the `u` flag, hence `unicodeRegExp: false`). That
 * was checked by comparing it with the OASIS schema that
 * `@datadog/datadog-ci-plugin-sarif` embeds in its bundle (not a file we can
 * load). So the test validates with Ajv's draft-04 class (`ajv-draft-04`) and
 * checks the formats (`uri`, `uri-reference`, `date-time`) with `ajv-formats`.
 * `strict: false` because Ajv's strict mode lints the schema itself (it
 * rejects `required` names declared in a sibling branch), not our output.
 */
import { createRequire } from "node:module";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import type { MessageResult } from "../../src/engine/types.js";
import { formatters } from "../../src/report/index.js";
import { SARIF_SCHEMA_URI } from "../../src/report/sarif.js";
import { allResults, bitwiseError, commitResults, lockWarning, meta, patchResult, replyResult, seriesResults, signOffResult, stdinResult } from "./data.js";

const require = createRequire(import.meta.url);
const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as Record<string, unknown>;

// Both are CommonJS modules whose module.exports also carries itself as `default`: `.default` is right for Node and for tsc.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const sarif = formatters.sarif;
type Obj = Record<string, any>;

function check(results: MessageResult[], m = meta): Obj {
  const out = sarif(results, m);
  const log = JSON.parse(out) as Obj;
  const ok = validate(log);
  expect(ok ? [] : validate.errors).toEqual([]);
  return log;
}

describe("sarif reporter", () => {
  it("uses a schema that really checks: a wrong level is refused", () => {
    const log = check([patchResult()]);
    log.runs[0].results[0].level = "check";
    expect(validate(log)).toBe(false);
    delete log.runs[0].results[0].level;
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
  });

  it("validates for every kind of message, together and one by one, quiet or strict", () => {
    check(allResults());
    check(allResults(), { ...meta, quiet: true, strict: true, informationUri: "https://example.org/kreview" });
    for (const r of allResults()) check([r]);
    check([]);
  });

  it("describes the tool and its rules", () => {
    const log = check([patchResult()], { ...meta, informationUri: "https://example.org/kreview" });
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe("kreview");
    expect(driver.version).toBe("0.1.0");
    expect(driver.informationUri).toBe("https://example.org/kreview");
    expect(driver.rules.map((r: Obj) => r.id)).toEqual(meta.rules.map((r) => r.id));
    expect(driver.rules[0]).toEqual({
      id: "bitwise-or-in-condition",
      shortDescription: { text: "'|' where '||' was meant in a condition" },
      defaultConfiguration: { level: "error" },
    });
    expect(driver.rules.map((r: Obj) => r.defaultConfiguration.level)).toEqual(["error", "warning", "warning", "note", "error"]);
    expect(driver.rules[4].helpUri).toBe("https://example.org/rules/missing-sign-off");
  });

  it("maps error, warning and check to error, warning and note", () => {
    const log = check([patchResult(), ...seriesResults()]);
    const results = log.runs[0].results as Obj[];
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ["bitwise-or-in-condition", "error"],
      ["lock-held-on-return", "warning"],
      ["fixes-tag", "warning"],
      ["comparison-to-null", "note"],
    ]);
    for (const r of results) expect(log.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it("gives the file and region of a known line, the function, related locations, the fix and the confidence", () => {
    const [err, warn] = check([patchResult()]).runs[0].results as Obj[];
    expect(err).toEqual({
      ruleId: "bitwise-or-in-condition",
      ruleIndex: 0,
      level: "error",
      message: { text: "'|' between two conditions, did you mean '||'" },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: "drivers/net/foo.c" }, region: { startLine: 161, startColumn: 9 } },
          logicalLocations: [{ name: "foo_check", kind: "function" }],
        },
      ],
      properties: {
        confidence: "high",
        source: "0001-net-foo-fix-bar.patch",
        messageIndex: 0,
        messageId: "<20261121093000.1234-1-dev@example.org>",
        patchLine: 49,
      },
    });
    expect(warn.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: "drivers/net/foo.c" }, region: { startLine: 165, startColumn: 2 } },
        message: { text: "'priv->lock' taken here" },
        properties: { patchLine: 53 },
      },
    ]);
    expect(warn.fixes).toEqual([
      {
        description: { text: "release 'priv->lock' before returning" },
        artifactChanges: [
          {
            artifactLocation: { uri: "drivers/net/foo.c" },
            replacements: [
              {
                deletedRegion: { startLine: 172, startColumn: 3, endLine: 172, endColumn: 18 },
                insertedContent: { text: "spin_unlock(&priv->lock);\n\t\treturn -EINVAL;" },
              },
            ],
          },
        ],
        properties: { applicability: "maybe-incorrect" },
      },
    ]);
    expect(warn.properties.confidence).toBe("medium");
  });

  it("gives no region when the line is unknown, and points at the input line instead", () => {
    const [r] = check([replyResult()]).runs[0].results as Obj[];
    expect(r.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "drivers/net/foo.c" } } }]);
    expect(r.relatedLocations).toEqual([
      { id: 1, physicalLocation: { artifactLocation: { uri: "drivers/net/foo.c" } }, message: { text: "'priv->lock' taken here" }, properties: { patchLine: 38 } },
      {
        id: 2,
        physicalLocation: { artifactLocation: { uri: "reply.eml" }, region: { startLine: 42 } },
        message: { text: "the finding's line in the input; its line in drivers/net/foo.c is unknown" },
      },
    ]);
    expect(r.properties).toEqual({ confidence: "low", source: "reply.eml", messageIndex: 0, messageId: "<reply-1@example.org>", patchLine: 42 });
  });

  it("points findings about the whole message at the input", () => {
    const log = check([...seriesResults(), signOffResult()]);
    const [fixes, , sob] = log.runs[0].results as Obj[];
    expect(fixes.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "series.mbox" }, region: { startLine: 39 } } }]);
    expect(sob.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "0003-no-sob.patch" } } }]);
  });

  it("keeps a suggestion whose range is not known as a property, not a fix", () => {
    const f = { ...lockWarning(), suggestion: { ...lockWarning().suggestion!, endLine: null } };
    const [r] = check([{ ...patchResult(), findings: [f] }]).runs[0].results as Obj[];
    expect(r).not.toHaveProperty("fixes");
    expect(r.properties.suggestion).toEqual({
      message: "release 'priv->lock' before returning",
      replacement: "spin_unlock(&priv->lock);\n\t\treturn -EINVAL;",
      applicability: "maybe-incorrect",
    });
  });

  it("lists input problems and unreadable messages as tool notifications", () => {
    const log = check([...seriesResults(), stdinResult(), { ...patchResult(), internalError: true }]);
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toEqual([
      {
        level: "error",
        message: { text: "series.mbox, message 3 could not be read: base64 body does not decode" },
        locations: [{ physicalLocation: { artifactLocation: { uri: "series.mbox" } } }],
      },
      {
        level: "warning",
        message: { text: "-, message 1: unknown charset 'x-foo', read as latin-1" },
        locations: [{ physicalLocation: { artifactLocation: { uri: "-" } } }],
      },
    ]);
    expect(check([patchResult()]).runs[0].invocations).toEqual([{ executionSuccessful: true }]);
  });

  it("says in a note notification which rules had less to go on when no kernel tree was found, and names a --git commit", () => {
    const log = check([...commitResults()], { ...meta, noTree: ["list-mutation-unlocked", "sleep-in-atomic"] });
    expect(log.runs[0].invocations[0].toolExecutionNotifications).toEqual([
      { level: "note", message: { text: "no kernel tree found: list-mutation-unlocked, sleep-in-atomic saw the hunks only, not whole files; run inside the tree or give --tree DIR (--no-tree: hunks only, no note)" } },
    ]);
    expect(log.runs[0].results[0].properties).toMatchObject({ source: "git:-2", messageIndex: 1, commit: "fedcba9876543210fedcba9876543210fedcba98", patchLine: 18 });
    expect(check(commitResults()).runs[0].invocations).toEqual([{ executionSuccessful: true }]);
  });

  it("names rules the meta does not list, and encodes odd paths as URI references", () => {
    const f = { ...bitwiseError(), rule: "internal-error", file: "Documentation/a b#c%d:e.rst" };
    const log = check([{ ...patchResult(), findings: [f] }]);
    const driver = log.runs[0].tool.driver;
    expect(driver.rules.at(-1)).toEqual({ id: "internal-error" });
    const r = log.runs[0].results[0];
    expect(r.ruleIndex).toBe(driver.rules.length - 1);
    expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe("Documentation/a%20b%23c%25d%3Ae.rst");
  });
});
