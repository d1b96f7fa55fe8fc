/**
 * Which list each list change and walk of a patch is about.
 *
 * A list is named by where its head lives, through canonical paths
 * (./identity.ts):
 * - a file-scope head (`static LIST_HEAD(foo_list)`): `foo_list`;
 * - a head inside a struct: `memfile_notifier_list::head`, the same list in
 *   every function that reaches a `struct memfile_notifier_list`, whatever
 *   the variable is called;
 * - a head on the stack (`LIST_HEAD(tmp)`, `struct list_head tmp;`), or in an
 *   object the function owns alone: private.
 *
 * A call that names only the entry (`list_del(&e->node)`) is tied to the
 * list the entry is on: in the function, the list it is walked from
 * (`list_for_each_entry(e, head, node)`), taken from (`list_first_entry()`),
 * or last added or moved to; else, across the patch, the one list that
 * entries of that type and member are ever put on. When entries of one
 * member go on several lists (pending, then done), or the function moved
 * entries onto a private list, the list is unknown rather than guessed.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CFile, CView, EnclosingFunction } from "../c/view.js";
import { callArgs, calleeName, rootVar, unparen } from "../c/syntax.js";
import { LIST_CALLS, type ListCall } from "../c/kernel/lists.js";
import { ownerOf, pathText, type Identities, type Path } from "./identity.js";
import { isIteratorMacro } from "./flow.js";
import { descendantsOfType } from "../c/descendants.js";

export interface ListRef {
  /** `foo_list`, `struct_name::member`, or a key local to one function when the owner's type is unknown. */
  key: string;
  /** How to name it to a person (`backing_store_list`, `list->head`). */
  display: string;
  /** A file-scope list. */
  global: boolean;
  /** A list nobody else can reach: on the stack, or in a struct on the stack. */
  private: boolean;
  /** For a head inside a struct: the canonical path of the object holding it (null when the list was found through its entries' type). */
  owner: Path | null;
  /** For a head inside a struct: the member it is. */
  member: string | null;
  /** For a head inside a struct: the struct's name, when known. */
  struct: string | null;
  /** The head's canonical path. */
  path: Path | null;
}

export interface ListUse {
  op: "mutation" | "walk";
  name: string;
  call: SyntaxNode;
  cfile: CFile;
  view: CView;
  fn: EnclosingFunction | null;
  /** The list, when known. */
  list: ListRef | null;
  /** How the list was found: named by the call, or through the entry. */
  via: "head" | "entry-local" | "entry-type" | null;
  /** The entry's canonical path (`e->node`), when the call names one. */
  entry: Path | null;
  /** `struct.member` of the entries, when known. */
  entryKey: string | null;
  api: ListCall;
}

/** Calls that take an entry off a list head: `e = list_first_entry(head, type, member)`. */
const FIRST_ENTRY = /^(list_first_entry|list_last_entry|list_first_entry_or_null|list_last_entry_or_null|list_entry|hlist_entry_safe|list_next_entry|list_prev_entry)$/;

export interface ListEnv {
  idsOf(fn: SyntaxNode, view: CView): Identities;
}

export class ListModel {
  readonly uses: ListUse[] = [];
  /** entry key (`foo.node`) → the distinct lists its entries are put on or walked from. */
  private readonly listsOfEntry = new Map<string, Map<string, ListRef>>();
  private readonly byList = new Map<string, ListUse[]>();
  /** Per function: where each entry variable is put on a list or taken from one, in source order. */
  private readonly bindings = new Map<number, Map<string, { index: number; list: ListRef | null }[]>>();

  constructor(
    readonly cfiles: readonly CFile[],
    private readonly env: ListEnv,
    side: "post" | "pre" = "post",
  ) {
    const pending: ListUse[] = [];
    for (const cf of cfiles) {
      const view = side === "post" ? cf.post : cf.pre;
      if (!view) continue;
      for (const call of descendantsOfType(view.root, "call_expression")) {
        const name = calleeName(call);
        const api = name ? LIST_CALLS[name] : undefined;
        if (!api || !name) continue;
        const fn = view.enclosingFunction(call);
        const ids = fn ? env.idsOf(fn.node, view) : null;
        const a = callArgs(call);
        const list = api.head >= 0 && ids ? this.listRef(a[api.head], ids, fn!.node) : null;
        const entry = ids && api.entry >= 0 ? this.entryPath(api, a, ids) : null;
        const entryKey = ids ? this.entryKeyOf(api, a, ids) : null;
        const use: ListUse = { op: api.op, name, call, cfile: cf, view, fn, list, via: list ? "head" : null, entry, entryKey, api };
        if (list && entryKey && !list.private) {
          const m = this.listsOfEntry.get(entryKey) ?? new Map<string, ListRef>();
          m.set(list.key, list);
          this.listsOfEntry.set(entryKey, m);
        }
        pending.push(use);
      }
    }
    for (const u of pending) {
      if (!u.list && u.fn) this.tieEntry(u);
      this.uses.push(u);
      if (u.list) {
        const same = this.byList.get(u.list.key);
        if (same) same.push(u);
        else this.byList.set(u.list.key, [u]);
      }
    }
  }

  /** Uses of the same list as `list`. */
  usesOf(list: ListRef): ListUse[] {
    return this.byList.get(list.key) ?? [];
  }

  /** The list an entry-only call is about: found in the function first, then by the entry's type. */
  private tieEntry(u: ListUse) {
    const ids = this.env.idsOf(u.fn!.node, u.view);
    const a = callArgs(u.call);
    const entryExpr = a[u.api.entry];
    const entryVar = rootVar(entryExpr);
    if (entryVar) {
      const local = this.localBinding(u, entryVar, ids);
      if (local !== undefined) {
        u.list = local;
        u.via = local ? "entry-local" : null;
        return;
      }
    }
    // A function that keeps a list of its own may have moved the entry there.
    if (hasLocalList(ids)) return;
    if (!u.entryKey) return;
    const lists = this.listsOfEntry.get(u.entryKey);
    if (lists && lists.size === 1) {
      // The same list, but whose object holds it is not known here: only its type is.
      const ref = [...lists.values()][0];
      u.list = { ...ref, owner: null, path: null, display: ref.struct && ref.member ? `${ref.struct}::${ref.member}` : ref.display };
      u.via = "entry-type";
    }
  }

  /**
   * What the function itself says about the list `entryVar` is on before the
   * call: the walk around it, the head it was taken from, the last add or
   * move. Undefined when the function says nothing; null when it says the
   * entry is on a list we cannot name.
   */
  private localBinding(u: ListUse, entryVar: string, ids: Identities): ListRef | null | undefined {
    const fn = u.fn!.node;
    const at = u.call.startIndex;
    // The walk the call sits in, innermost first.
    for (let n: SyntaxNode | null = u.call.parent; n && n.id !== fn.id; n = n.parent) {
      const walk = walkOf(n);
      if (!walk) continue;
      const wa = callArgs(walk);
      const api = LIST_CALLS[calleeName(walk)!];
      if (api?.op === "walk" && wa[api.entry]?.text === entryVar) return api.head >= 0 ? this.listRef(wa[api.head], ids, fn) : null;
    }
    // The last statement before the call that put the entry on a list or took it off one.
    const events = this.bindingsOf(fn, ids).get(entryVar);
    let best: { index: number; list: ListRef | null } | null = null;
    if (events) {
      // Binary search for the last event before the call.
      let lo = 0;
      let hi = events.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (events[mid].index < at) {
          best = events[mid];
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    return best ? best.list : undefined;
  }

  /** Once per function: each entry variable's adds, moves and takes, by position. */
  private bindingsOf(fn: SyntaxNode, ids: Identities) {
    let m = this.bindings.get(fn.id);
    if (m) return m;
    m = new Map();
    for (const call of descendantsOfType(fn, "call_expression")) {
      const name = calleeName(call);
      if (!name) continue;
      const api = LIST_CALLS[name];
      const a = callArgs(call);
      let v: string | null = null;
      let list: ListRef | null = null;
      if (api?.op === "mutation" && api.head >= 0 && api.entry >= 0) {
        v = rootVar(a[api.entry]);
        if (v) list = this.listRef(a[api.head], ids, fn);
      } else if (FIRST_ENTRY.test(name)) {
        v = assignedTo(call);
        if (v) {
          const head = unparen(a[0] ?? call);
          // list_entry(head->next, ...) reads the head's first entry.
          const h = head.type === "field_expression" && /^(next|prev|first)$/.test(head.childForFieldName("field")?.text ?? "") ? head.childForFieldName("argument")! : head;
          list = this.listRef(h, ids, fn);
        }
      }
      if (!v) continue;
      const events = m.get(v) ?? [];
      events.push({ index: call.startIndex, list });
      m.set(v, events);
    }
    for (const events of m.values()) events.sort((x, y) => x.index - y.index);
    this.bindings.set(fn.id, m);
    return m;
  }

  listRef(head: SyntaxNode | undefined, ids: Identities, fn: SyntaxNode): ListRef | null {
    if (!head) return null;
    const p = ids.path(head);
    if (!p) return null;
    const display = unparen(head).text.replace(/\s+/g, "").replace(/^&/, "").replace(/^\((.*)\)$/, "$1");
    if (p.steps.length === 0) {
      const d = ids.decls.get(p.root);
      if (d?.listHead) return { key: `local:${fn.id}:${p.root}`, display, global: false, private: true, owner: null, member: null, struct: null, path: p };
      if (d) return null; // a pointer to a head the caller passed: whose list is not known here
      if (!ids.isGlobalName(p.root)) return null; // maybe a parameter above the hunk
      return { key: p.root, display, global: true, private: false, owner: null, member: null, struct: null, path: p };
    }
    const owner = ownerOf(p)!;
    const member = p.steps[p.steps.length - 1].member;
    const struct = ids.typeOfPath(owner);
    const ownerDecl = owner.steps.length === 0 ? ids.decls.get(owner.root) : undefined;
    const onStack = !!ownerDecl && ownerDecl.kind === "local" && !ownerDecl.pointer && !ids.isAlias(owner.root);
    const key = onStack ? `local:${fn.id}:${pathText(p)}` : struct ? `${struct}::${member}` : `?:${fn.id}:${pathText(p)}`;
    return { key, display, global: false, private: onStack, owner, member, struct, path: p };
  }

  private entryPath(api: ListCall, a: SyntaxNode[], ids: Identities): Path | null {
    if (api.op === "walk") return null;
    return ids.path(a[api.entry]);
  }

  private entryKeyOf(api: ListCall, a: SyntaxNode[], ids: Identities): string | null {
    if (api.op === "walk") {
      if (api.entry < 0 || api.member === undefined) return null;
      const pos = a[api.entry];
      const member = a[api.member];
      if (pos?.type !== "identifier" || !member) return null;
      const d = ids.decls.get(pos.text);
      return d?.type ? `${d.type}.${member.text}` : null;
    }
    if (api.entry < 0) return null;
    const p = ids.path(a[api.entry]);
    if (!p || p.steps.length === 0) return null;
    const owner = ownerOf(p)!;
    const t = ids.typeOfPath(owner);
    return t ? `${t}.${p.steps[p.steps.length - 1].member}` : null;
  }
}


/** The iterator call of a walk statement, when `n` is the block or the loop it governs. */
function walkOf(n: SyntaxNode): SyntaxNode | null {
  let prev = n.previousNamedSibling;
  while (prev?.type === "comment") prev = prev.previousNamedSibling;
  return prev && isIteratorMacro(prev) ? prev.namedChildren[0] : null;
}

/** `e = list_first_entry(...)` or `struct x *e = list_first_entry(...)`: the variable assigned. */
function assignedTo(call: SyntaxNode): string | null {
  const p = call.parent;
  if (p?.type === "assignment_expression") {
    const l = p.childForFieldName("left");
    return l?.type === "identifier" ? l.text : null;
  }
  if (p?.type === "init_declarator") {
    let d = p.childForFieldName("declarator");
    while (d && d.type !== "identifier") d = d.childForFieldName("declarator");
    return d?.text ?? null;
  }
  return null;
}

function hasLocalList(ids: Identities): boolean {
  for (const d of ids.decls.values()) if (d.listHead) return true;
  return false;
}
