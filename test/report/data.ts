/**
 * Hand-built engine results for the reporter tests. Each builder returns a
 * fresh object, so a test may change its copy.
 */
import type { Finding, MessageResult } from "../../src/engine/types.js";
import type { ReportMeta } from "../../src/report/index.js";

export const meta: ReportMeta = {
  version: "0.1.0",
  rules: [
    { id: "bitwise-or-in-condition", severity: "error", summary: "'|' where '||' was meant in a condition" },
    { id: "lock-held-on-return", severity: "warning", summary: "a lock taken in the function is still held at a return" },
    { id: "fixes-tag", severity: "warning", summary: "a Fixes: tag that does not follow the kernel's form" },
    { id: "comparison-to-null", severity: "check", summary: "a comparison to NULL that could be a plain test" },
    { id: "missing-sign-off", severity: "error", summary: "no Signed-off-by: from the author", helpUri: "https://example.org/rules/missing-sign-off" },
  ],
};

/** An error on an added line, no extras. */
export function bitwiseError(): Finding {
  return {
    rule: "bitwise-or-in-condition",
    severity: "error",
    message: "'|' between two conditions, did you mean '||'",
    file: "drivers/net/foo.c",
    line: 161,
    column: 9,
    function: "foo_check",
    patchLine: 49,
    sourceLine: "\tif (!a | !b)",
    sourceKind: "+",
    confidence: "high",
    related: [],
  };
}

/** A warning with a related location and a suggestion whose range is fully known. */
export function lockWarning(): Finding {
  return {
    rule: "lock-held-on-return",
    severity: "warning",
    message: "'priv->lock' is still held at this return",
    file: "drivers/net/foo.c",
    line: 172,
    column: 3,
    function: "foo_probe",
    patchLine: 60,
    sourceLine: "\t\treturn -EINVAL;",
    sourceKind: "+",
    confidence: "medium",
    related: [{ message: "'priv->lock' taken here", file: "drivers/net/foo.c", line: 165, column: 2, patchLine: 53 }],
    suggestion: {
      message: "release 'priv->lock' before returning",
      replacement: "spin_unlock(&priv->lock);\n\t\treturn -EINVAL;",
      line: 172,
      column: 3,
      endLine: 172,
      endColumn: 18,
      applicability: "maybe-incorrect",
    },
  };
}

/** One patch file with the two findings above. */
export function patchResult(): MessageResult {
  return {
    source: "0001-net-foo-fix-bar.patch",
    index: 0,
    messageId: "<20261121093000.1234-1-dev@example.org>",
    subject: "[PATCH] net: foo: fix bar",
    kind: "patch",
    findings: [bitwiseError(), lockWarning()],
    problems: [],
    lineCount: 120,
  };
}

/** A review reply quoting a fragment with no `@@` line: the post-image lines are unknown. */
export function replyResult(): MessageResult {
  return {
    source: "reply.eml",
    index: 0,
    messageId: "<reply-1@example.org>",
    subject: "Re: [PATCH] net: foo: fix bar",
    kind: "reply",
    findings: [
      {
        rule: "lock-held-on-return",
        severity: "warning",
        message: "'priv->lock' is still held at this return",
        file: "drivers/net/foo.c",
        line: null,
        column: null,
        patchLine: 42,
        sourceLine: "\t\treturn ret;",
        sourceKind: "+",
        confidence: "low",
        related: [{ message: "'priv->lock' taken here", file: "drivers/net/foo.c", line: null, column: null, patchLine: 38 }],
      },
    ],
    problems: [],
    lineCount: 80,
  };
}

/** An mbox of a cover letter, one patch with a commit-message warning and a check, and an unreadable mail. */
export function seriesResults(): MessageResult[] {
  return [
    {
      source: "series.mbox",
      index: 0,
      messageId: "<cover@example.org>",
      subject: "[PATCH 0/2] net: foo: two fixes",
      kind: "no-diff",
      findings: [],
      problems: [],
      lineCount: 30,
    },
    {
      source: "series.mbox",
      index: 1,
      messageId: "<patch-1@example.org>",
      subject: "[PATCH 1/2] net: foo: check the length",
      kind: "patch",
      findings: [
        {
          rule: "fixes-tag",
          severity: "warning",
          message: "'Fixes:' tag should name at least 12 characters of the commit id",
          file: "",
          line: null,
          column: null,
          patchLine: 39,
          sourceLine: 'Fixes: 1234abcd ("net: foo: add bar")',
          confidence: "high",
          related: [],
        },
        {
          rule: "comparison-to-null",
          severity: "check",
          message: "comparison to NULL could be written '!priv'",
          file: "drivers/net/foo.c",
          line: 88,
          column: 6,
          patchLine: 71,
          sourceLine: "\tif (priv == NULL)",
          sourceKind: "+",
          confidence: "medium",
          related: [],
        },
      ],
      problems: [],
      lineCount: 60,
    },
    {
      source: "series.mbox",
      index: 2,
      messageId: "",
      subject: "",
      kind: "unreadable",
      findings: [],
      problems: ["base64 body does not decode"],
      lineCount: 12,
    },
  ];
}

/** A clean patch read from stdin, with a decoding note. */
export function stdinResult(): MessageResult {
  return {
    source: "-",
    index: 0,
    messageId: "<tidy@example.org>",
    subject: "[PATCH] mm: tidy up",
    kind: "patch",
    findings: [],
    problems: ["unknown charset 'x-foo', read as latin-1"],
    lineCount: 40,
  };
}

/** A patch with a finding about the whole message, at no line at all. */
export function signOffResult(): MessageResult {
  return {
    source: "0003-no-sob.patch",
    index: 0,
    messageId: "<nosob@example.org>",
    subject: "[PATCH] mm: no sign-off",
    kind: "patch",
    findings: [
      {
        rule: "missing-sign-off",
        severity: "error",
        message: "missing 'Signed-off-by:' line from the author",
        file: "",
        line: null,
        column: null,
        patchLine: null,
        confidence: "high",
        related: [],
      },
    ],
    problems: [],
    lineCount: 20,
  };
}

/** A cover letter on its own. */
export function coverResult(): MessageResult {
  return {
    source: "cover.eml",
    index: 0,
    messageId: "<cover@example.org>",
    subject: "[PATCH 0/2] net: foo: two fixes",
    kind: "no-diff",
    findings: [],
    problems: [],
    lineCount: 30,
  };
}

/** `--git -2`: a clean commit and one with the bitwise error, one input with a sha on each message, lines counted per commit. */
export function commitResults(): MessageResult[] {
  return [
    {
      source: "git:-2",
      index: 0,
      commit: "0123456789abcdef0123456789abcdef01234567",
      messageId: "",
      subject: "[PATCH 1/2] net: foo: comment the error return",
      kind: "patch",
      findings: [],
      problems: [],
      lineCount: 22,
    },
    {
      source: "git:-2",
      index: 1,
      commit: "fedcba9876543210fedcba9876543210fedcba98",
      messageId: "",
      subject: "[PATCH 2/2] net: foo: reject a zero length",
      kind: "patch",
      findings: [{ ...bitwiseError(), patchLine: 18 }],
      problems: [],
      lineCount: 23,
    },
  ];
}

/** Every result above, for the checks that must hold for any input. */
export function allResults(): MessageResult[] {
  return [patchResult(), replyResult(), ...seriesResults(), stdinResult(), signOffResult(), coverResult(), ...commitResults()];
}
