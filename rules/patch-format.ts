import { defineRule } from "../src/engine/index.js";

/**
 * Hunks that do not add up: the mail was cut off, or the counts in an `@@`
 * line are wrong. The patch layer keeps what it could read and records where
 * it broke; this rule turns that into a finding so it is seen, while the rest
 * of the patch is still linted.
 */
export default defineRule({
  id: "patch-format",
  type: "problem",
  severity: "error",
  confidence: "high",
  summary: "a hunk of the patch does not add up (truncated mail or wrong counts)",
  messages: {
    broken: "{{problem}}",
  },
  reportOn: "any",
  docs: `### What it does
Reports a hunk whose lines do not match the counts in its \`@@\` line: the mail
was truncated, re-wrapped by a mail client, or edited by hand after
\`git format-patch\`.

### Why is this bad?
\`git am\` refuses such a patch, and a maintainer who applies it by hand may
apply something else than what was reviewed.

### Example
A hunk announced as \`@@ -10,7 +10,9 @@\` that ends after six lines.

Use instead: send the patch with \`git send-email\` as \`git format-patch\` wrote it.

### Reviewer said
> patch seems to be corrupt (line wrapped?)
> — checkpatch.pl's own wording for the same fault

### Known problems
Quoted hunks in review replies are trimmed on purpose and are never reported;
nor are counter-diffs sketched in a reply, which are not meant to apply.
`,
  checkPatch(ctx) {
    // A counter-diff sketched in a reply ("something like this") is not meant to apply.
    if (ctx.patch.kind !== "patch") return;
    for (const p of ctx.patch.problems) {
      if (p.kind !== "patch-format") continue;
      ctx.report({ messageId: "broken", data: { problem: p.message }, file: p.file ?? "", inputLine: p.inputLine ?? null });
    }
  },
});
