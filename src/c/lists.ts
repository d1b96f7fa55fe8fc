/**
 * Lists of a patch: every change and walk of a kernel list in the C files a
 * patch shows, which list each one is about, and the struct members that may
 * guard them. Shared by the rules about registries and list locking.
 *
 * A list is named by where its head lives:
 * - a file-scope head (`static LIST_HEAD(foo_list)`, or a bare identifier
 *   the function does not declare): its name, `foo_list`;
 * - a head inside a struct (`&list->head` where `list` is a
 *   `struct memfile_notifier_list *`): `memfile_notifier_list::head`.
 * A call that names only the entry (`list_del(&bs->list)`) is tied to its list
 * through the entry's type and member (`memfile_backing_store.list`), as
 * learnt from the calls that name both.
 */
import type { SyntaxNode } from "./parser.js";
import { callArgs as args } from "./syntax.js";
import type { CFile, CView, EnclosingFunction } from "./view.js";
import { LIST_CALLS, LIST_HEAD_MACROS, LIST_HEAD_TYPES, LOCK_TYPES, type ListCall } from "./kernel/lists.js";

export interface ListRef {
  /** `foo_list` or `struct_name::member`, or `?:base->member` when the struct is unknown. */
  key: string;
  /** How to name it to a person (`backing_store_list`, `list->head`). */
  display: string;
  /** A file-scope list. */
  global: boolean;
  /** For a head inside a struct: the expression holding it (`list` in `list->head`). */
  base: string | null;
  /** For a head inside a struct: the struct's name, when known. */
  struct: string | null;
}

export interface ListUse {
  op: "mutation" | "walk";
  name: string;
  call: SyntaxNode;
  cfile: CFile;
  view: CView;
  fn: EnclosingFunction | null;
  list: ListRef | null;
  /** `struct.member` of the entries, when known. */
  entryKey: string | null;
  /** The list call as the table describes it. */
  api: ListCall;
}

export interface StructInfo {
  name: string;
  lists: string[];
  locks: { name: string; type: string }[];
  node: SyntaxNode;
  view: CView;
}

const norm = (s: string) => s.replace(/\s+/g, "");

function strip(expr: SyntaxNode | undefined): SyntaxNode | undefined {
  let n = expr;
  while (n && (n.type === "pointer_expression" || n.type === "parenthesized_expression") && n.namedChildCount >= 1) {
    if (n.type === "pointer_expression" && n.child(0)?.type !== "&") break;
    n = n.namedChildren[n.namedChildCount - 1];
  }
  return n;
}

/** The innermost identifier a declarator declares. */
function declaredName(decl: SyntaxNode | null): string | null {
  let d = decl;
  while (d) {
    if (d.type === "identifier" || d.type === "field_identifier") return d.text;
    d = d.childForFieldName("declarator") ?? d.namedChildren.find((c) => c.type.endsWith("declarator") || c.type === "identifier") ?? null;
  }
  return null;
}

/** `struct foo` → `foo`, for a declaration's type. */
function structName(type: SyntaxNode | null): string | null {
  if (!type || type.type !== "struct_specifier") return null;
  return type.childForFieldName("name")?.text ?? null;
}

/** The struct type of a variable or parameter declared in a function, when it is `struct x` (or a pointer to one). */
export function structTypeOf(fn: SyntaxNode | null, name: string): string | null {
  if (!fn) return null;
  for (const d of fn.descendantsOfType(["parameter_declaration", "declaration"])) {
    const type = d.childForFieldName("type");
    const s = structName(type);
    if (!s) continue;
    for (const c of d.namedChildren) {
      if (c.id === type?.id) continue;
      const target = c.type === "init_declarator" ? c.childForFieldName("declarator") : c;
      if (declaredName(target) === name) return s;
    }
  }
  return null;
}

/** Is `name` declared in this function (a parameter, a local, or a local `LIST_HEAD(name);`)? */
function declaredIn(fn: SyntaxNode | null, name: string): boolean {
  if (!fn) return false;
  for (const c of fn.descendantsOfType("call_expression")) {
    const f = c.childForFieldName("function");
    if (f && LIST_HEAD_MACROS.has(f.text) && args(c)[0]?.text === name) return true;
  }
  for (const d of fn.descendantsOfType(["parameter_declaration", "declaration"])) {
    for (const c of d.namedChildren) {
      const target = c.type === "init_declarator" ? c.childForFieldName("declarator") : c;
      if (target && declaredName(target) === name && c.id !== d.childForFieldName("type")?.id) return true;
    }
  }
  return false;
}

/** Does the function keep a list head of its own (`LIST_HEAD(tmp);`, `struct list_head tmp;`)? */
function hasLocalList(fn: SyntaxNode | null): boolean {
  const body = fn?.childForFieldName("body");
  if (!body) return false;
  for (const c of body.descendantsOfType("call_expression")) {
    const f = c.childForFieldName("function");
    if (f && LIST_HEAD_MACROS.has(f.text)) return true;
  }
  return body.descendantsOfType("declaration").some((d) => {
    const name = structName(d.childForFieldName("type"));
    return !!name && LIST_HEAD_TYPES.has(name) && d.childForFieldName("declarator")?.type !== "pointer_declarator";
  });
}

export class ListModel {
  readonly uses: ListUse[] = [];
  readonly globals = new Map<string, SyntaxNode>();
  readonly structs = new Map<string, StructInfo>();
  private readonly entryLinks = new Map<string, ListRef>();

  constructor(readonly cfiles: readonly CFile[]) {
    for (const cf of cfiles) this.collectDeclarations(cf.post);
    const pending: ListUse[] = [];
    for (const cf of cfiles) {
      for (const call of cf.post.root.descendantsOfType("call_expression")) {
        const f = call.childForFieldName("function");
        const entry = f?.type === "identifier" ? LIST_CALLS[f.text] : undefined;
        if (!entry) continue;
        const fn = cf.post.enclosingFunction(call);
        const a = args(call);
        const list = entry.head >= 0 ? this.listRef(strip(a[entry.head]), fn?.node ?? null) : null;
        const entryKey = this.entryKeyOf(entry, a, fn?.node ?? null);
        const use: ListUse = { op: entry.op, name: f!.text, call, cfile: cf, view: cf.post, fn, list, entryKey, api: entry };
        if (list && entryKey && !this.entryLinks.has(entryKey)) this.entryLinks.set(entryKey, list);
        pending.push(use);
      }
    }
    for (const u of pending) {
      // An entry moved to a private list (list_splice_init(&shared, &tmp)) is no
      // longer on the shared one: tie entries to a list only in functions that
      // keep no list of their own.
      if (!u.list && u.entryKey && !hasLocalList(u.fn?.node ?? null)) u.list = this.entryLinks.get(u.entryKey) ?? null;
      this.uses.push(u);
    }
  }

  /** Uses of the same list as `list`. */
  usesOf(list: ListRef): ListUse[] {
    return this.uses.filter((u) => u.list?.key === list.key);
  }

  private collectDeclarations(view: CView) {
    for (const d of view.root.descendantsOfType("declaration")) {
      if (d.parent?.type !== "translation_unit") continue;
      const type = d.childForFieldName("type");
      // `static LIST_HEAD(name);` parses as a declaration of type LIST_HEAD.
      if (type && LIST_HEAD_MACROS.has(type.text)) {
        const name = declaredName(d.childForFieldName("declarator"));
        if (name) this.globals.set(name, d);
      } else if (type && LIST_HEAD_TYPES.has(structName(type) ?? "")) {
        for (const c of d.namedChildren) {
          const n = c.id === type.id ? null : declaredName(c.type === "init_declarator" ? c.childForFieldName("declarator") : c);
          if (n) this.globals.set(n, d);
        }
      }
    }
    for (const s of view.root.descendantsOfType("struct_specifier")) {
      const name = s.childForFieldName("name")?.text;
      const body = s.childForFieldName("body");
      if (!name || !body) continue;
      const info: StructInfo = { name, lists: [], locks: [], node: s, view };
      for (const field of body.namedChildren.filter((c) => c.type === "field_declaration")) {
        const type = field.childForFieldName("type");
        const typeName = structName(type) ?? type?.text ?? "";
        const member = declaredName(field.childForFieldName("declarator"));
        if (!member) continue;
        // A pointer to a list head or a lock is not one that lives in this struct.
        if (field.childForFieldName("declarator")?.type === "pointer_declarator") continue;
        if (LIST_HEAD_TYPES.has(typeName)) info.lists.push(member);
        else if (LOCK_TYPES.has(typeName)) info.locks.push({ name: member, type: typeName });
      }
      if (info.lists.length > 0 || info.locks.length > 0) this.structs.set(name, info);
    }
  }

  private listRef(head: SyntaxNode | undefined, fn: SyntaxNode | null): ListRef | null {
    if (!head) return null;
    if (head.type === "identifier") {
      const name = head.text;
      if (declaredIn(fn, name) && !this.globals.has(name)) return null; // a local list: not shared
      return { key: name, display: name, global: true, base: null, struct: null };
    }
    if (head.type === "field_expression") {
      const base = head.childForFieldName("argument");
      const member = head.childForFieldName("field")?.text;
      if (!base || !member) return null;
      const st = base.type === "identifier" ? structTypeOf(fn, base.text) : null;
      return {
        key: st ? `${st}::${member}` : `?:${norm(base.text)}->${member}`,
        display: norm(head.text),
        global: false,
        base: norm(base.text),
        struct: st,
      };
    }
    return null;
  }

  private entryKeyOf(entry: ListCall, a: SyntaxNode[], fn: SyntaxNode | null): string | null {
    if (entry.op === "walk") {
      if (entry.entry < 0 || entry.member === undefined) return null;
      const pos = a[entry.entry];
      const member = a[entry.member];
      if (pos?.type !== "identifier" || !member) return null;
      const st = structTypeOf(fn, pos.text);
      return st ? `${st}.${member.text}` : null;
    }
    if (entry.entry < 0) return null;
    const e = strip(a[entry.entry]);
    if (e?.type !== "field_expression") return null;
    const base = e.childForFieldName("argument");
    const member = e.childForFieldName("field")?.text;
    if (base?.type !== "identifier" || !member) return null;
    const st = structTypeOf(fn, base.text);
    return st ? `${st}.${member}` : null;
  }
}
