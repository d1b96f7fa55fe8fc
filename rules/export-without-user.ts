import { defineRule, exportFacts, isKernelSource, isTestCode, isUserspace, type BuildUnit, type SeriesContext, type Site } from "../src/engine/index.js";

/** What one patch shows of exports and uses: plain data, kept until its series closes. */
interface Kept {
  exports: { name: string; file: string; site: Site }[];
  removed: string[];
  /** Per file, the names its shown lines use. */
  uses: [string, string[]][];
  /** Functions a removed line defined, and where (moved elsewhere: their old callers need no showing). */
  moved: { name: string; file: string }[];
  modularises: boolean;
}

/** Why a user file does not count, or null when it does. */
type Verdict = "test" | "userspace" | "own-file" | "same-module" | "builtin" | null;

function verdict(user: string, home: string, tree: SeriesContext["tree"], homeUnit: BuildUnit | null): Verdict {
  if (user === home) return "own-file";
  if (isTestCode(user)) return "test";
  if (isUserspace(user)) return "userspace";
  if (!tree) return null;
  const unit = tree.unit(user);
  if (!unit) return null;
  if (homeUnit && unit.module === homeUnit.module) return "same-module";
  if (unit.build === "builtin") return "builtin";
  return null;
}

/** What the finding says of the parts of the series that are not here ("" when it is all here). */
function gapNote(missing: number[], total: number | null, later: boolean): string {
  if (missing.length === 0 || total === null) return "";
  const parts = missing.length === 1 ? `patch ${missing[0]} of ${total} is not here` : `patches ${ranges(missing)} of ${total} are not here`;
  return later ? ` (${parts}: ${missing.length === 1 ? "it" : "one of them"} may add a user)` : ` (${parts}; a user would come after the export)`;
}

/** Why users of these kinds need no export. */
function localWhy(by: Map<Verdict, string[]>, home: BuildUnit | null): string {
  const module = by.has("same-module") && home ? `are built into its own module (${home.module})` : null;
  if (by.has("builtin")) return module || by.has("own-file") ? "are in its own module or built into the kernel" : "are built into the kernel";
  return module ?? "are in its own file";
}

function list(files: string[]): string {
  const shown = files.slice(0, 3).join(", ");
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

function ranges(parts: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    let j = i;
    while (j + 1 < parts.length && parts[j + 1] === parts[j] + 1) j++;
    out.push(i === j ? `${parts[i]}` : `${parts[i]}-${parts[j]}`);
    i = j;
  }
  return out.join(", ");
}

export default defineRule({
  id: "export-without-user",
  type: "suggestion",
  severity: "warning",
  confidence: "medium",
  summary: "an EXPORT_SYMBOL*() for a function no module of the series uses: no user at all, or only its own file, module, built-in code or tests",
  usesTree: true,
  messages: {
    none: "'{{name}}' is exported, but nothing in the series{{where}} uses it: a kernel interface is added with its in-kernel user, in the same series{{gap}}",
    test: "'{{name}}' is exported, but only test code ({{files}}) uses it{{where}}: a kernel interface needs a user that is not its own test{{gap}}",
    local: "'{{name}}' is exported, but its only users ({{files}}) {{why}}: no module needs the export; drop it until one does{{gap}}",
  },
  docs: `### What it does
Finds an \`EXPORT_SYMBOL()\` (or \`_GPL\`, \`_NS\`, \`_NS_GPL\`) that the series
adds for a function that no patch of the series uses from another module:
nothing uses it at all, or only test code does (\`lib/test_*.c\`, KUnit,
selftests, \`tools/testing/\`), or only its own file, or, with the kernel tree
at hand, only files of the same module (from the directory's Makefile) or
code that is always built in (\`obj-y\`, or an option that Kconfig declares
\`bool\`). With a tree, the tree is searched for users too.

An export the series moves (removed in one place and added in another), a
function moved here from another file (its old callers are not shown), and
a series that turns built-in code into a module (\`bool\` to \`tristate\`) are
not reported; nor are exports in test code.

The whole series is needed: linted alone, \`[PATCH 3/8]\` may export what
\`[PATCH 5/8]\` uses. When parts are missing the finding says which and is of
low confidence; when a missing part comes after the export (where a user
would be), it is a check, shown with \`--strict\`. The send-email hook runs
the rule once over all the files of a send.

### Why is this bad?
An export is an interface that out-of-tree code starts to depend on. The
kernel does not take interfaces without an in-kernel user: there is nothing
to judge the interface by, nobody to keep it working, and an export that no
module needs only grows the symbol table. Built-in callers and callers in
the same module link without it.

### Example
\`\`\`c
int mmu_interval_notifier_update(struct mmu_interval_notifier *mni, ...)
{
	...
}
EXPORT_SYMBOL_GPL(mmu_interval_notifier_update);	/* only lib/test_hmm.c calls it */
\`\`\`
Use instead: send the export with the driver that needs it, or drop it (and
make the function \`static\` if its file is its only user).

### Reviewer said
> Also, I think we are not taking core kernel APIs like this with out an
> in-kernel user??
> — Jason Gunthorpe, "Re: [PATCH v5 1/2] mm/mmu_notifier: make interval notifier updates safe", 17 Dec 2019

### Known problems
Without the tree, a user in another file counts, even when that file is
built into the same module or into the kernel: the rule cannot know. A user
that calls the function through a macro the series does not show, or an ops
table filled in a file it does not show, is missed, and the export reported.
A tree without git is searched at most a few times per run (each search
reads every C file of it).
`,
  series: {
    collect(ctx): Kept | undefined {
      const facts = exportFacts(ctx.patch, ctx.cfiles);
      // Exports in test code or out of the kernel's layout are the test's own business.
      const exports = facts.added.flatMap((e) => {
        const site = isKernelSource(e.file) ? ctx.site(e.node, e.view) : null;
        return site ? [{ name: e.name, file: e.file, site }] : [];
      });
      return {
        exports,
        removed: [...facts.removed],
        uses: [...facts.uses].map(([f, names]) => [f, [...names]]),
        moved: facts.removedDefinitions,
        modularises: facts.modularises,
      };
    },
    standsOn: (k: Kept) => k.exports.length > 0,
    check(ctx) {
      const members = ctx.members as readonly { part: number | null; data: Kept | undefined }[];
      const kept = members.map((m) => m.data);
      // an export removed elsewhere is not a new interface
      const removed = new Set(kept.flatMap((k) => k?.removed ?? []));
      const moved = kept.flatMap((k) => k?.moved ?? []);
      // code made modular needs exports for calls the series does not show
      if (kept.some((k) => k?.modularises)) return;
      const { series } = ctx;
      // Every export of the series with its users in the series; the tree is searched once for all of them.
      const candidates = kept.flatMap((k, i) =>
        (k?.exports ?? [])
          // moved, not new; or moved here from another file, whose callers stay unshown
          .filter((e) => !removed.has(e.name) && !moved.some((m) => m.name === e.name && m.file !== e.file))
          .map((e) => {
            const users = new Set<string>();
            for (const other of kept) for (const [file, names] of other?.uses ?? []) if (names.includes(e.name)) users.add(file);
            return { i, e, users };
          }),
      );
      const inTree = ctx.tree && candidates.length > 0 ? ctx.tree.uses([...new Set(candidates.map((c) => c.e.name))]) : null;
      const where = inTree ? " or the tree" : "";
      for (const { i, e, users } of candidates) {
        // headers in the tree declare, they do not use
        for (const f of inTree?.get(e.name) ?? []) if (f.endsWith(".c")) users.add(f);
        const homeUnit = ctx.tree?.unit(e.file) ?? null;
        const by = new Map<Verdict, string[]>();
        for (const u of [...users].sort()) {
          const v = verdict(u, e.file, ctx.tree, homeUnit);
          by.set(v, [...(by.get(v) ?? []), u]);
        }
        if (by.has(null)) continue; // a user in another module
        // A user comes after the export in a series: with a later patch missing, the finding is a check.
        const part = members[i].part;
        const later = series.missing.some((p) => part === null || p > part);
        const gap = gapNote(series.missing, series.total, later);
        const base = { member: i, site: e.site, confidence: gap ? ("low" as const) : undefined, demote: later };
        const local = [...(by.get("own-file") ?? []), ...(by.get("same-module") ?? []), ...(by.get("builtin") ?? [])];
        const tests = by.get("test") ?? [];
        if (local.length > 0) ctx.report({ ...base, messageId: "local", data: { name: e.name, files: list(local), why: localWhy(by, homeUnit), gap } });
        else if (tests.length > 0) ctx.report({ ...base, messageId: "test", data: { name: e.name, files: list(tests), where: inTree ? " in the series and the tree" : "", gap } });
        else ctx.report({ ...base, messageId: "none", data: { name: e.name, where, gap } });
      }
    },
  },
});
