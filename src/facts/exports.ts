/**
 * What a patch does to the kernel's exported interface, and who it makes
 * use of what: the exports it adds and removes, and, per file, the names
 * its added lines use. A series-wide rule puts these together across the
 * patches of a series (an export whose only user is a later patch's test).
 *
 * A use is a name in code the patch shows (added or context lines): a
 * call, a function handed on as a value, a macro body. Declarations are not
 * uses (`int foo(void);` in a header), nor is the export itself.
 *
 * A function whose definition the patch removes from a file (a move to
 * another file, to be exported there) has callers the patch need not show:
 * those left behind where it was. A patch that turns built-in code into a
 * module (`bool` to `tristate` in a Kconfig) needs exports for calls it does
 * not show either.
 */
import type { SyntaxNode } from "../c/parser.js";
import { functionName, type CFile, type CView } from "../c/view.js";
import type { FileDiff, Patch } from "../patch/model.js";
import { callArgs, calleeName } from "../c/syntax.js";
import { EXPORT_MACROS } from "../c/kernel/callbacks.js";
import { descendantsOfType } from "../c/descendants.js";

export interface ExportAdded {
  name: string;
  /** `EXPORT_SYMBOL_GPL`, `EXPORT_SYMBOL_NS_GPL`, ... */
  macro: string;
  /** The macro call, in the post-image of `file`. */
  node: SyntaxNode;
  view: CView;
  file: string;
}

export interface ExportFacts {
  added: ExportAdded[];
  /** Names whose export a removed line held: an added export of one of them is a move. */
  removed: Set<string>;
  /** Per file of the patch, the names its shown lines use. */
  uses: Map<string, Set<string>>;
  /** Functions whose definition a removed line held, with the file it was in. */
  removedDefinitions: { name: string; file: string }[];
  /** The patch makes an option that was `bool` a `tristate`: code that was built in becomes a module. */
  modularises: boolean;
}

export interface ExportCall {
  node: SyntaxNode;
  name: string;
  macro: string;
}

/** The `EXPORT_SYMBOL*(name)` calls of a view; with `kind`, only those on lines of that kind. */
export function exportCalls(view: CView, kind?: "+" | "-"): ExportCall[] {
  if (!/\bEXPORT_/.test(view.source)) return [];
  const out: ExportCall[] = [];
  for (const call of descendantsOfType(view.root, "call_expression")) {
    const macro = calleeName(call);
    const arg = callArgs(call)[0];
    if (!macro || !EXPORT_MACROS.test(macro) || arg?.type !== "identifier") continue;
    if (kind && view.lineOf(call)?.kind !== kind) continue;
    out.push({ node: call, name: arg.text, macro });
  }
  return out;
}

const IDENT = /[A-Za-z_]\w*/g;

/** The names the shown lines of a view use, leaving out the arguments of its `exports`. */
function shownUses(view: CView, exported: readonly ExportCall[]): Set<string> {
  const out = new Set<string>();
  // The names declarators declare (`foo` in `int foo(void)`): a prototype or a definition's own name, not a use.
  const declared = new Set<number>();
  for (const d of descendantsOfType(view.root, "function_declarator")) {
    const name = d.childForFieldName("declarator");
    if (name?.type === "identifier") declared.add(name.id);
  }
  const spans = exported.map((e) => [e.node.startIndex, e.node.endIndex] as const);
  const inExport = (n: SyntaxNode) => spans.some(([s, e]) => n.startIndex >= s && n.endIndex <= e);
  for (const id of descendantsOfType(view.root, "identifier")) {
    if (declared.has(id.id) || !view.lineOf(id) || inExport(id)) continue;
    out.add(id.text);
  }
  // macro bodies are not parsed: their words are uses (`#define foo_get(x) __foo_get(x, 0)`)
  for (const arg of descendantsOfType(view.root, "preproc_arg")) {
    if (!view.lineOf(arg)) continue;
    for (const m of arg.text.matchAll(IDENT)) out.add(m[0]);
  }
  return out;
}

export function exportFacts(patch: Patch, cfiles: readonly CFile[]): ExportFacts {
  const added: ExportAdded[] = [];
  const removed = new Set<string>();
  const uses = new Map<string, Set<string>>();
  const removedDefinitions: { name: string; file: string }[] = [];
  for (const cf of cfiles) {
    const path = cf.file.path;
    const adds = exportCalls(cf.post, "+");
    for (const e of adds) added.push({ ...e, view: cf.post, file: path });
    // What the patch removed stands on its removed lines: without one, the pre-image is not parsed for it.
    if (cf.file.hunks.some((h) => h.lines.some((l) => l.kind === "-")) && cf.pre) {
      for (const e of exportCalls(cf.pre, "-")) removed.add(e.name);
      for (const def of descendantsOfType(cf.pre.root, "function_definition")) {
        const name = functionName(def);
        if (name && cf.pre.lineOf(def)?.kind === "-") removedDefinitions.push({ name, file: cf.file.oldPath || path });
      }
    }
    const u = shownUses(cf.post, adds);
    if (u.size > 0) uses.set(path, u);
  }
  return { added, removed, uses, removedDefinitions, modularises: patch.files.some(modularises) };
}

/** A Kconfig diff that turns `bool` into `tristate`. */
function modularises(file: FileDiff): boolean {
  if (!/(^|\/)Kconfig[^/]*$/.test(file.path)) return false;
  for (const h of file.hunks) {
    const was = h.lines.some((l) => l.kind === "-" && /^\s*(def_)?bool\b/.test(l.text));
    const now = h.lines.some((l) => l.kind === "+" && /^\s*(def_)?tristate\b/.test(l.text));
    if (was && now) return true;
  }
  return false;
}
