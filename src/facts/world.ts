/**
 * What the declarations of a patch's C files say, across files: struct
 * members and their types, file-scope variables and locks, the locking that
 * comments at members and list heads state, the functions defined, and the
 * functions that fill an ops table (`.destroy = foo_destroy`), and the
 * callbacks registered where they run in atomic context.
 */
import type { SyntaxNode } from "../c/parser.js";
import type { CFile, CView } from "../c/view.js";
import { functionName } from "../c/view.js";
import { callArgs, calleeName } from "../c/syntax.js";
import { LIST_HEAD_MACROS, LIST_HEAD_TYPES, LOCK_TYPES } from "../c/kernel/lists.js";
import { NOT_A_LOCK, PROTECTED_BY, PROTECTS } from "../c/kernel/contracts.js";
import { TEARDOWN_REGISTRATIONS } from "../c/kernel/objects.js";
import { exportCalls } from "./exports.js";
import { ATOMIC_REGISTRATIONS, ATOMIC_SLOTS, type AtomicContext } from "../c/kernel/contexts.js";
import { declarator, pathFromText, typeName, type Path, type TypeWorld } from "./identity.js";
import { descendantsOfType } from "../c/descendants.js";

export interface Member {
  name: string;
  type: string | null;
  pointer: boolean;
  list: boolean;
  lock: boolean;
  node: SyntaxNode;
}

export interface StructInfo {
  name: string;
  members: Map<string, Member>;
  /** List heads that live in the struct (not pointers to one). */
  lists: string[];
  /** Locks that live in the struct. */
  locks: { name: string; type: string }[];
  node: SyntaxNode;
  view: CView;
}

/** A lock that a comment or annotation says protects a member or a global. */
export interface StatedGuard {
  /** The lock, as written: a member of the same struct (`lock`), a path (`dev->lock`), or a global. */
  lock: Path;
  /** The comment or annotation that says so. */
  node: SyntaxNode;
  view: CView;
  text: string;
}

/** A function registered to run in atomic context: where, and as what. */
export interface AtomicCallback extends AtomicContext {
  /** The registration call, or the ops-table entry. */
  node: SyntaxNode;
  view: CView;
  /** How it was registered, for a message: "devm_request_irq()", "'.irq_enable' of struct irq_chip". */
  how: string;
}

export interface FunctionInfo {
  name: string | null;
  node: SyntaxNode;
  cfile: CFile;
  view: CView;
}

/** Lock-defining macros at file scope: `static DEFINE_SPINLOCK(name);`. */
const LOCK_DEFINES = /^(DEFINE_SPINLOCK|DEFINE_RAW_SPINLOCK|DEFINE_RWLOCK|DEFINE_MUTEX|DECLARE_RWSEM|DEFINE_SEMAPHORE|DEFINE_SEQLOCK|DEFINE_SPINLOCK_IRQ)$/;

export class World implements TypeWorld {
  readonly structs = new Map<string, StructInfo>();
  readonly globals = new Map<string, { type: string | null; node: SyntaxNode; view: CView; list: boolean; lock: boolean }>();
  /** `struct::member` or a global name → what its comment says guards it. */
  readonly stated = new Map<string, StatedGuard>();
  readonly functions: FunctionInfo[] = [];
  private readonly byName = new Map<string, FunctionInfo[]>();
  /** Function name → the ops-table members it fills (`destroy` in `.destroy = foo_destroy`). */
  readonly opsSlots = new Map<string, string[]>();
  /** Functions registered to run at an object's teardown (`devm_add_action(dev, foo_cleanup, foo)`). */
  readonly teardownFns = new Set<string>();
  /** Function name → how it was registered to run in atomic context (an interrupt handler, a timer, an irq_chip callback). */
  readonly atomicCallbacks = new Map<string, AtomicCallback>();
  private exportedNames?: Set<string>;
  private readonly learned = new Map<string, { type: string; pointer: boolean }>();

  constructor(
    readonly cfiles: readonly CFile[],
    private readonly side: "post" | "pre",
  ) {
    for (const cf of cfiles) {
      const view = side === "post" ? cf.post : cf.pre;
      if (view) this.collect(cf, view);
    }
  }

  memberType(struct: string, member: string) {
    const m = this.structs.get(struct)?.members.get(member);
    if (m?.type) return { type: m.type, pointer: m.pointer };
    return this.learned.get(`${struct}::${member}`) ?? null;
  }

  globalType(name: string): string | null {
    return this.globals.get(name)?.type ?? null;
  }

  isGlobal(name: string): boolean {
    return this.globals.has(name);
  }

  learnMember(struct: string, member: string, type: string, pointer: boolean) {
    const k = `${struct}::${member}`;
    if (!this.structs.get(struct)?.members.get(member)?.type && !this.learned.has(k)) this.learned.set(k, { type, pointer });
  }

  /** Functions the patch exports (`EXPORT_SYMBOL_GPL(foo);`), read on first use. */
  get exported(): ReadonlySet<string> {
    if (!this.exportedNames) {
      this.exportedNames = new Set();
      for (const cf of this.cfiles) {
        const view = this.side === "post" ? cf.post : cf.pre;
        if (view) for (const e of exportCalls(view)) this.exportedNames.add(e.name);
      }
    }
    return this.exportedNames;
  }

  /** Every function of the patch with this name (in any of its C files). */
  functionsNamed(name: string): FunctionInfo[] {
    return this.byName.get(name) ?? [];
  }

  private collect(cf: CFile, view: CView) {
    const root = view.root;
    for (const top of topLevel(root)) {
      if (top.type === "function_definition") {
        const info = { name: functionName(top), node: top, cfile: cf, view };
        this.functions.push(info);
        if (info.name) {
          const list = this.byName.get(info.name);
          if (list) list.push(info);
          else this.byName.set(info.name, [info]);
        }
      } else if (top.type === "declaration") {
        this.globalDeclaration(top, view);
      } else if (top.type === "expression_statement") {
        // `static DEFINE_MUTEX(foo);` without a type can parse as a call statement.
        const call = top.namedChildren[0];
        const name = call?.type === "call_expression" ? calleeName(call) : null;
        const arg = call ? callArgs(call)[0] : undefined;
        if (name && arg?.type === "identifier" && (LOCK_DEFINES.test(name) || LIST_HEAD_MACROS.has(name))) {
          this.globals.set(arg.text, { type: LIST_HEAD_MACROS.has(name) ? "list_head" : name, node: top, view, list: LIST_HEAD_MACROS.has(name), lock: !LIST_HEAD_MACROS.has(name) });
          this.stateFromComments(arg.text, top, view);
        }
      }
    }
    // Struct definitions, by their bodies: most struct specifiers only name a type (`struct device *dev`).
    for (const body of descendantsOfType(root, "field_declaration_list")) {
      const s = body.parent;
      if (s?.type === "struct_specifier") this.struct(s, view);
    }
    // Only views that name a teardown registration are searched for one.
    const names = [...Object.keys(TEARDOWN_REGISTRATIONS), ...Object.keys(ATOMIC_REGISTRATIONS)];
    const calls = names.some((n) => view.source.includes(n)) ? descendantsOfType(root, "call_expression") : [];
    for (const call of calls) {
      const name = calleeName(call);
      if (!name) continue;
      const reg = TEARDOWN_REGISTRATIONS[name];
      const fnArg = reg ? callArgs(call)[reg.fn] : undefined;
      if (fnArg?.type === "identifier") this.teardownFns.add(fnArg.text);
      const atomic = ATOMIC_REGISTRATIONS[name];
      const cb = atomic ? functionRef(callArgs(call)[atomic.fn]) : null;
      if (atomic && cb && !this.atomicCallbacks.has(cb)) this.atomicCallbacks.set(cb, { what: atomic.what, kind: atomic.kind, node: call, view, how: `${name}()` });
    }
    for (const pair of descendantsOfType(root, "initializer_pair")) {
      const field = pair.childForFieldName("designator")?.namedChildren[0]?.text ?? pair.namedChildren[0]?.namedChildren[0]?.text;
      const value = pair.childForFieldName("value");
      const fnName = value?.type === "identifier" ? value.text : value?.type === "pointer_expression" ? value.namedChildren[0]?.text : undefined;
      if (!field || !fnName) continue;
      const slots = this.opsSlots.get(fnName) ?? [];
      slots.push(field);
      this.opsSlots.set(fnName, slots);
      const struct = initializedStruct(pair);
      const ctx = struct ? ATOMIC_SLOTS[struct] : undefined;
      if (ctx?.members.includes(field) && !this.atomicCallbacks.has(fnName)) {
        this.atomicCallbacks.set(fnName, { what: ctx.what, kind: ctx.kind, node: pair, view, how: `'.${field}' of struct ${struct}` });
      }
    }
  }

  private globalDeclaration(d: SyntaxNode, view: CView) {
    const type = d.childForFieldName("type");
    const tn = typeName(type);
    const macro = type?.text ?? "";
    for (const c of d.namedChildren) {
      if (c.id === type?.id || c.type === "comment" || c.type === "storage_class_specifier" || c.type === "type_qualifier") continue;
      const target = c.type === "init_declarator" ? c.childForFieldName("declarator") : c;
      const decl = declarator(target);
      if (!decl.name || decl.fn) continue;
      const list = LIST_HEAD_MACROS.has(macro) || (!decl.pointer && LIST_HEAD_TYPES.has(tn ?? ""));
      const lock = LOCK_DEFINES.test(macro) || (!decl.pointer && LOCK_TYPES.has(tn ?? ""));
      this.globals.set(decl.name, { type: list ? "list_head" : tn, node: d, view, list, lock });
      this.stateFromComments(decl.name, d, view);
    }
  }

  private struct(s: SyntaxNode, view: CView) {
    const name = s.childForFieldName("name")?.text;
    const body = s.childForFieldName("body");
    if (!name || !body) return;
    const info: StructInfo = this.structs.get(name) ?? { name, members: new Map(), lists: [], locks: [], node: s, view };
    const fields = body.namedChildren;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      if (field.type !== "field_declaration") continue;
      const type = field.childForFieldName("type");
      const tn = typeName(type) ?? type?.text ?? null;
      for (const c of field.namedChildren) {
        if (c.id === type?.id || c.type === "comment" || c.type === "type_qualifier") continue;
        const d = declarator(c);
        if (!d.name) continue;
        const list = !d.pointer && LIST_HEAD_TYPES.has(tn ?? "");
        const lock = !d.pointer && LOCK_TYPES.has(tn ?? "");
        info.members.set(d.name, { name: d.name, type: tn, pointer: d.pointer, list, lock, node: field });
        if (list && !info.lists.includes(d.name)) info.lists.push(d.name);
        if (lock && !info.locks.some((l) => l.name === d.name)) info.locks.push({ name: d.name, type: tn! });
        this.memberComments(name, d.name, field, fields, i, view);
      }
    }
    this.structs.set(name, info);
  }

  /** A comment on the member's line or on the lines just above it that names its lock. */
  private memberComments(struct: string, member: string, field: SyntaxNode, fields: SyntaxNode[], i: number, view: CView) {
    const key = `${struct}::${member}`;
    const next = fields[i + 1];
    if (next?.type === "comment" && next.startPosition.row === field.endPosition.row) this.stateGuard(key, next, view);
    // A comment above the member, or above the run of members (no blank line between) it starts.
    let row = field.startPosition.row;
    for (let j = i - 1; j >= 0 && !this.stated.has(key); j--) {
      const c = fields[j];
      if (c.endPosition.row < row - 1) break;
      const trailing = j > 0 && fields[j - 1].endPosition.row === c.startPosition.row;
      if (c.type === "comment" && !trailing) {
        this.stateGuard(key, c, view);
        break;
      }
      row = c.startPosition.row;
    }
    // A lock member whose comment says what it protects: `spinlock_t lock; /* protects foo_list */`.
    const decl = field.childForFieldName("type");
    if (LOCK_TYPES.has(typeName(decl) ?? decl?.text ?? "") && next?.type === "comment" && next.startPosition.row === field.endPosition.row) {
      const m = PROTECTS.exec(commentText(next));
      if (m) {
        for (const word of m[1].split(/[\s,]+|\band\b/)) {
          const w = word.replace(/[^\w]/g, "");
          if (w && !NOT_A_LOCK.has(w.toLowerCase()) && !this.stated.has(`${struct}::${w}`)) {
            this.stated.set(`${struct}::${w}`, { lock: { root: member, steps: [], rootKind: "opaque", rootType: null }, node: next, view, text: commentText(next) });
          }
        }
      }
    }
  }

  private stateFromComments(name: string, d: SyntaxNode, view: CView) {
    const next = d.nextNamedSibling;
    if (next?.type === "comment" && next.startPosition.row === d.endPosition.row) this.stateGuard(name, next, view);
    const prev = d.previousNamedSibling;
    // A comment above, unless it trails the declaration before it.
    const trailing = prev?.previousNamedSibling && prev.previousNamedSibling.endPosition.row === prev.startPosition.row;
    if (!this.stated.has(name) && prev?.type === "comment" && !trailing && prev.endPosition.row === d.startPosition.row - 1) this.stateGuard(name, prev, view);
  }

  private stateGuard(key: string, comment: SyntaxNode, view: CView) {
    const text = commentText(comment);
    for (const re of PROTECTED_BY) {
      const m = re.exec(text);
      if (!m) continue;
      const p = pathFromText(m[1]);
      if (!p || NOT_A_LOCK.has(p.root.toLowerCase())) continue;
      this.stated.set(key, { lock: p, node: comment, view, text });
      return;
    }
  }
}

const PREPROC_BLOCKS = new Set(["preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"]);

/**
 * The file-scope items of a view, inside `#if`/`#ifdef` blocks too: a hunk
 * that shows an `#ifdef` but not its `#endif` leaves every function after it
 * inside the block.
 */
export function topLevel(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (n: SyntaxNode, depth: number) => {
    for (const c of n.namedChildren) {
      if (PREPROC_BLOCKS.has(c.type) && depth < 16) walk(c, depth + 1);
      else out.push(c);
    }
  };
  walk(root, 0);
  return out;
}

/** A comment's words without its markers. */
export function commentText(c: SyntaxNode): string {
  return c.text.replace(/^\/\*+|\*+\/$|^\/\/+/g, "").replace(/\n\s*\*+/g, " ").replace(/\s+/g, " ").trim();
}

/** A function named as a value: `foo`, `&foo`, `(void *)foo`. */
function functionRef(n: SyntaxNode | undefined): string | null {
  for (let i = 0; n && i < 4; i++) {
    if (n.type === "identifier") return n.text;
    if (n.type === "pointer_expression" || n.type === "parenthesized_expression") n = n.namedChildren[0];
    else if (n.type === "cast_expression") n = n.childForFieldName("value") ?? undefined;
    else return null;
  }
  return null;
}

/** The struct type a designated initializer fills: `static const struct irq_chip chip = { .irq_mask = ... }` → `irq_chip`. */
function initializedStruct(pair: SyntaxNode): string | null {
  const list = pair.parent;
  const decl = list?.type === "initializer_list" ? list.parent : null;
  const d = decl?.type === "init_declarator" ? decl.parent : null;
  const type = d?.type === "declaration" ? d.childForFieldName("type") : null;
  return type?.type === "struct_specifier" ? type.childForFieldName("name")?.text ?? null : null;
}
