import { BOOT_ONLY_ANNOTATIONS, BOOT_PARAM_MACROS, INITCALL_MACROS, INIT_FUNCTION_ANNOTATIONS, VARIABLE_PLACEMENT, calleeName, callArgs, defineRule, type CView, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

/** Is the whole node on lines the patch adds? */
function wholeAdded(view: CView, node: SyntaxNode): boolean {
  const first = view.lineOf(node);
  const last = view.lineAt(node.endPosition.row);
  return first?.kind === "+" && last?.kind === "+";
}

/** A file-scope registration of `name` to run once at boot: `module_init(name)`, `early_param("x", name)`. */
function bootRegistration(ref: SyntaxNode): string | null {
  const args = ref.parent?.type === "argument_list" ? ref.parent : null;
  const call = args?.parent?.type === "call_expression" ? args.parent : null;
  const macro = call ? calleeName(call) : null;
  if (!call || !macro) return null;
  if (INITCALL_MACROS.has(macro) && callArgs(call)[0]?.id === ref.id) return `${macro}()`;
  const at = BOOT_PARAM_MACROS[macro];
  if (at !== undefined && callArgs(call)[at]?.id === ref.id) return `${macro}()`;
  return null;
}

export default defineRule({
  id: "ro-after-init",
  type: "suggestion",
  severity: "check",
  confidence: "high",
  summary: "a function run only at boot that is not __init, a variable written only at boot that is not __ro_after_init",
  usesTree: true,
  messages: {
    initOnly: "'{{fn}}()' is called only from __init code ('{{caller}}()'): mark it __init, so its text is freed after boot",
    initcall: "'{{fn}}()' runs once at boot ({{how}}): mark it __init, so its text is freed after boot",
    roAfterInit: "'{{var}}' is written only at init ('{{fn}}()') and read after boot: mark it __ro_after_init",
  },
  docs: `### What it does
Finds what the patch adds for boot time only and does not mark so:
- a function the patch adds whose every use is a call from \`__init\` code (or
  that \`module_init()\`, an \`*_initcall()\`, \`early_param()\` or \`__setup()\`
  registers), not marked \`__init\`;
- a \`static\` file-scope table the patch adds (a list head, an array, a
  struct), written only in \`__init\` functions and read elsewhere, neither
  \`const\` nor \`__ro_after_init\` (nor \`__initdata\`, \`__read_mostly\`).

### Why is this bad?
\`__init\` text is freed once the kernel has booted (or the module has
loaded); a helper only init code calls stays in memory for nothing.
A table written once at init and read for the life of the system is data an
attacker can overwrite; \`__ro_after_init\` makes it read-only after boot, and
says to the reader that nothing changes it at run time.

### Example
\`\`\`c
static int thp_shrinker_init(void)
{
	...
}

static int __init hugepage_init(void)
{
	err = thp_shrinker_init();
\`\`\`
Use instead: \`static int __init thp_shrinker_init(void)\`.

### Reviewer said
> the easiest thing would be to tag memfile_register_backing_store() with __init and
> make backing_store_list __ro_after_init.
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022

### Known problems
Only functions and variables the patch adds are looked at: their every use
is then in the patch, or in later patches of the series, which one patch
does not show (a function that is not \`static\` is reported at medium
confidence for that reason). A function whose address is taken, or that a
header declares inline, is not reported. A caller counts as init code by
its \`__init\` annotation, read from its head or from the \`@@\` line. A
variable written through a pointer to it is not seen as written. Seed 000's
other point, a registration path that is \`__init\` with an unregister
nothing outside \`__exit\` calls, is \`unregister-without-init\`'s.
`,
  checkCode(ctx) {
    // Every identifier of the patch's post-images, by name: the uses of what the patch adds (read only
    // for a patch that adds a candidate).
    let index: Map<string, { node: SyntaxNode; view: CView }[]> | undefined;
    const refsOf = (name: string) => {
      if (!index) {
        index = new Map();
        for (const cf of ctx.cfiles) {
          for (const id of descendantsOfType(cf.post.root, "identifier")) {
            const list = index.get(id.text);
            if (list) list.push({ node: id, view: cf.post });
            else index.set(id.text, [{ node: id, view: cf.post }]);
          }
        }
      }
      return index.get(name) ?? [];
    };
    // Boot code: `__init`; not `__exit` (run at unload) nor `__ref` (run-time code that may call init code).
    const isInit = (view: CView, node: SyntaxNode) => view.enclosingFunction(node)?.annotations.some((a) => BOOT_ONLY_ANNOTATIONS.has(a)) ?? false;

    for (const f of ctx.facts.world.functions) {
      const fn = f.view.describeFunction(f.node);
      if (!fn.name || !fn.headVisible || !wholeAdded(f.view, f.node) || /\.h$/.test(f.cfile.file.newPath ?? "")) continue;
      if (fn.annotations.some((a) => INIT_FUNCTION_ANNOTATIONS.has(a))) continue;
      const own = f.node.childForFieldName("declarator");
      const uses = refsOf(fn.name).filter((r) => !(own && r.node.startIndex >= own.startIndex && r.node.endIndex <= own.endIndex && r.view === f.view));
      // Prototypes (`int foo(void);`) are not uses.
      const real = uses.filter((r) => !r.node.parent || r.node.parent.type !== "function_declarator");
      // A function the pre-image already had is not new (asked last: it parses the pre-images).
      if (real.length === 0 || ctx.changes.definedBefore(fn.name)) continue;
      const isStatic = /^static\b/.test(f.node.text);
      const confidence = isStatic ? undefined : "medium";
      const boot = real.map((r) => bootRegistration(r.node)).find((b) => b);
      if (boot && real.every((r) => bootRegistration(r.node) || (r.node.parent?.type === "call_expression" && isInit(r.view, r.node)))) {
        ctx.report({ view: f.view, node: own ?? f.node, messageId: "initcall", data: { fn: fn.name, how: boot }, confidence });
        continue;
      }
      const calls = real.filter((r) => r.node.parent?.type === "call_expression" && r.node.parent.childForFieldName("function")?.id === r.node.id);
      if (calls.length !== real.length || !calls.every((r) => isInit(r.view, r.node))) continue;
      const caller = calls[0].view.enclosingFunction(calls[0].node)?.name ?? "?";
      ctx.report({ view: f.view, node: own ?? f.node, messageId: "initOnly", data: { fn: fn.name, caller }, related: [{ node: calls[0].node, view: calls[0].view, message: `called from '${caller}()' here` }], confidence });
    }

    for (const [name, g] of ctx.facts.world.globals) {
      if (g.lock || !g.node.parent || g.node.parent.type !== "translation_unit") continue;
      const text = g.node.text;
      // Annotations are blanked for the parser: read them in the rows as written.
      let raw = "";
      for (let r = g.node.startPosition.row; r <= g.node.endPosition.row; r++) raw += `${g.view.rawRow(r)}\n`;
      if (!/^static\b/.test(text) || VARIABLE_PLACEMENT.test(raw) || !wholeAdded(g.view, g.node)) continue;
      // A table: a list head, an array, or a struct object. A pointer or a scalar set once at init is left alone.
      const decl = g.node.namedChildren.find((c) => c.type === "init_declarator" || c.type === "array_declarator" || c.type === "pointer_declarator" || c.type === "identifier");
      const declText = decl?.type === "init_declarator" ? decl.childForFieldName("declarator")?.text ?? "" : decl?.text ?? "";
      const aggregate = g.list || declText.includes("[") || (g.node.childForFieldName("type")?.type === "struct_specifier" && !declText.startsWith("*"));
      if (!aggregate || declText.startsWith("*")) continue;
      const uses = refsOf(name).filter((r) => !(r.node.startIndex >= g.node.startIndex && r.node.endIndex <= g.node.endIndex && r.view === g.view));
      const writes: { node: SyntaxNode; view: CView }[] = [];
      const reads: { node: SyntaxNode; view: CView }[] = [];
      for (const u of uses) (isWrite(u.node) ? writes : reads).push(u);
      if (writes.length === 0 || reads.length === 0) continue;
      if (!writes.every((w) => isInit(w.view, w.node))) continue;
      if (!reads.some((r) => r.view.enclosingFunction(r.node) && !isInit(r.view, r.node))) continue;
      const fn = writes[0].view.enclosingFunction(writes[0].node)?.name ?? "?";
      ctx.report({ view: g.view, node: g.node, messageId: "roAfterInit", data: { var: name, fn }, related: [{ node: writes[0].node, view: writes[0].view, message: `written in '${fn}()' here` }] });
    }
  },
});

/** Does this use of a variable write it: the root of an assignment's left side, `++`/`--`, or `&var` handed on? */
function isWrite(id: SyntaxNode): boolean {
  let n = id;
  for (let i = 0; i < 16 && n.parent; i++) {
    const p = n.parent;
    if ((p.type === "field_expression" && p.childForFieldName("argument")?.id === n.id) || (p.type === "subscript_expression" && p.childForFieldName("argument")?.id === n.id) || p.type === "parenthesized_expression") {
      n = p;
      continue;
    }
    if (p.type === "assignment_expression") return p.childForFieldName("left")?.id === n.id;
    if (p.type === "update_expression") return true;
    if (p.type === "pointer_expression" && p.child(0)?.type === "&") return true;
    return false;
  }
  return false;
}
