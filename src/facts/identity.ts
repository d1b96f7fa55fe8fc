/**
 * Identity of lock and object expressions.
 *
 * Kernel code names one object many ways: `&conn->lock`, `work->conn->lock`
 * after `conn = work->conn;`, `(*p).lock`, `f->lock` where
 * `f = container_of(w, struct foo, work)`. A rule that compares text sees
 * three locks where there is one. Here every path expression is put in a
 * canonical form (a root and member steps, local aliases expanded, casts,
 * parentheses and `&`/`*` dropped, `container_of(&x->m, T, m)` folded back to
 * `x`), and typed where the declarations allow: `conn->lock` is member
 * `lock` of a `struct ksmbd_conn`, the key by which the same lock is
 * recognised in another function (`ksmbd_conn::lock`).
 */
import type { SyntaxNode } from "../c/parser.js";
import { callArgs, calleeName, macroArgTexts, unparen } from "../c/syntax.js";
import { CONTAINER_CALLS } from "../c/kernel/objects.js";
import { descendantsOfType } from "../c/descendants.js";

export interface Step {
  /** `->` (through a pointer) or `.` (an embedded member). */
  op: "->" | ".";
  member: string;
}

export interface Path {
  /** A variable, parameter, global, or an opaque root (`to_foo(dev)`, `container_of(work,foo)`). */
  root: string;
  steps: Step[];
  /** What the root is. */
  rootKind: "param" | "local" | "global" | "opaque";
  /** The struct the root points to (or is), when known. */
  rootType: string | null;
}

/**
 * The canonical text of a path, its key: `work->conn->lock`. Every member
 * step is written `->`, so `(*p).lock`, `p->lock` and an embedded `a.b.lock`
 * reached as `a->b.lock` compare equal.
 */
export function pathText(p: Path): string {
  return p.root + p.steps.map((s) => "->" + s.member).join("");
}

/** A path as C would write it, separators as written: for messages. */
export function pathDisplay(p: Path): string {
  return p.root + p.steps.map((s) => s.op + s.member).join("");
}

/** The path of the object that holds the last member (`work->conn` for `work->conn->lock`), or null for a bare root. */
export function ownerOf(p: Path): Path | null {
  return p.steps.length ? { ...p, steps: p.steps.slice(0, -1) } : null;
}

/** Does `p` start with `prefix` (same root, same first steps)? */
export function startsWith(p: Path, prefix: Path): boolean {
  if (p.root !== prefix.root || p.steps.length < prefix.steps.length) return false;
  return prefix.steps.every((s, i) => s.member === p.steps[i].member);
}

/** What one variable is declared as. */
export interface Decl {
  name: string;
  kind: "param" | "local";
  /** `struct foo` → `foo`; a typedef name as written; null for scalars we cannot name. */
  type: string | null;
  /** Declared as a pointer (`struct foo *f`). */
  pointer: boolean;
  /** Declared as a list head by value (`LIST_HEAD(tmp)`, `struct list_head tmp;`). */
  listHead: boolean;
  /** Parameter position, or -1. */
  index: number;
  node: SyntaxNode;
}

/** Patch-wide type knowledge: struct members and globals, fed by every C file of the patch. */
export interface TypeWorld {
  /** struct name → member → the member's struct type (or typedef name) and whether it is a pointer. */
  memberType(struct: string, member: string): { type: string; pointer: boolean } | null;
  /** A file-scope variable's type. */
  globalType(name: string): string | null;
  isGlobal(name: string): boolean;
  /** Learn a member's type from an alias (`struct bar *b = a->b;`). */
  learnMember(struct: string, member: string, type: string, pointer: boolean): void;
}

const MAX_ALIAS_DEPTH = 8;

/** `struct foo` → `foo`; `foo_t` → `foo_t`; primitive types → null. */
export function typeName(type: SyntaxNode | null): string | null {
  if (!type) return null;
  if (type.type === "struct_specifier" || type.type === "union_specifier") return type.childForFieldName("name")?.text ?? null;
  if (type.type === "type_identifier") return type.text;
  return null;
}

/** The innermost identifier a declarator declares, and whether it is a pointer. */
export function declarator(decl: SyntaxNode | null): { name: string | null; pointer: boolean; array: boolean; fn: boolean } {
  let d = decl;
  let pointer = false;
  let array = false;
  let fn = false;
  for (let i = 0; d && i < 32; i++) {
    if (d.type === "identifier" || d.type === "field_identifier") return { name: d.text, pointer, array, fn };
    if (d.type === "pointer_declarator") pointer = true;
    if (d.type === "array_declarator") array = true;
    if (d.type === "function_declarator") fn = true;
    d = d.childForFieldName("declarator") ?? d.namedChildren.find((c) => c.type.endsWith("declarator") || c.type === "identifier") ?? null;
  }
  return { name: null, pointer, array, fn };
}

/**
 * Identities within one function: its parameters and locals, and the local
 * aliases (`x = path;` assigned once) that canonical paths expand.
 */
export class Identities {
  readonly decls = new Map<string, Decl>();
  private readonly aliases = new Map<string, SyntaxNode>();
  private readonly cache = new Map<number, Path | null>();
  /** Types the declarations of aliases give whole paths (`struct foo *f = x->y;` types `x->y`). */
  private readonly hints = new Map<string, string>();

  constructor(
    readonly fn: SyntaxNode,
    private readonly world: TypeWorld,
    /** False when the patch does not show the function's parameters: a name it does not declare may be one. */
    readonly paramsKnown = true,
  ) {
    this.collect();
  }

  /**
   * Is a name that the function does not declare a file-scope variable?
   * Known when the patch declares it at file scope; assumed when the function's
   * parameters are shown (it would be declared there otherwise); unknown, so
   * not, when they are hidden (it may be one of them).
   */
  isGlobalName(name: string): boolean {
    if (this.decls.has(name)) return false;
    return this.world.isGlobal(name) || this.paramsKnown;
  }

  private collect() {
    const params = this.fn.childForFieldName("declarator");
    const plist = params ? findParams(params) : null;
    let index = 0;
    for (const p of plist?.namedChildren ?? []) {
      if (p.type !== "parameter_declaration") continue;
      const d = declarator(p.childForFieldName("declarator"));
      if (d.name) {
        this.decls.set(d.name, { name: d.name, kind: "param", type: typeName(p.childForFieldName("type")), pointer: d.pointer, listHead: false, index, node: p });
      }
      index++;
    }
    const body = this.fn.childForFieldName("body");
    if (!body) return;
    const assigns = new Map<string, SyntaxNode[]>();
    const addressTaken = new Set<string>();
    for (const n of descendantsOfType(body, ["declaration", "assignment_expression", "pointer_expression", "call_expression"])) {
      if (n.type === "declaration") {
        const type = n.childForFieldName("type");
        if (type?.text === "LIST_HEAD" || type?.text === "HLIST_HEAD") {
          // `LIST_HEAD(tmp);` parses as a declaration of type LIST_HEAD.
          const d = declarator(n.childForFieldName("declarator"));
          if (d.name) this.decls.set(d.name, { name: d.name, kind: "local", type: "list_head", pointer: false, listHead: true, index: -1, node: n });
          continue;
        }
        const tn = typeName(type);
        for (const c of n.namedChildren) {
          if (c.id === type?.id || c.type === "comment") continue;
          const target = c.type === "init_declarator" ? c.childForFieldName("declarator") : c;
          const d = declarator(target);
          if (!d.name) continue;
          const listHead = !d.pointer && (tn === "list_head" || tn === "hlist_head");
          this.decls.set(d.name, { name: d.name, kind: "local", type: tn, pointer: d.pointer, listHead, index: -1, node: n });
          if (c.type === "init_declarator") {
            const v = c.childForFieldName("value");
            if (v) push(assigns, d.name, v);
          }
        }
      } else if (n.type === "assignment_expression") {
        const left = unparen(n.childForFieldName("left")!);
        if (left.type === "identifier") {
          const right = n.childForFieldName("right");
          // Compound assignments (`x += 1`) are not aliases.
          if (right && n.childForFieldName("operator")?.text === "=") push(assigns, left.text, right);
          else push(assigns, left.text, n);
        }
      } else if (n.type === "pointer_expression" && n.child(0)?.type === "&") {
        const arg = n.childForFieldName("argument");
        if (arg?.type === "identifier") addressTaken.add(arg.text);
      } else if (n.type === "call_expression") {
        // `LIST_HEAD(tmp);` inside a body sometimes parses as a call statement.
        const name = calleeName(n);
        if ((name === "LIST_HEAD" || name === "HLIST_HEAD") && n.parent?.type === "expression_statement") {
          const a = callArgs(n)[0];
          if (a?.type === "identifier") this.decls.set(a.text, { name: a.text, kind: "local", type: "list_head", pointer: false, listHead: true, index: -1, node: n });
        }
      }
    }
    for (const [name, values] of assigns) {
      const decl = this.decls.get(name);
      if (!decl || decl.kind !== "local" || values.length !== 1 || addressTaken.has(name)) continue;
      const v = values[0];
      if (v.type === "assignment_expression" || !aliasable(v)) continue;
      this.aliases.set(name, v);
      // What the alias's declaration says of its target's type teaches the world a member type.
      if (decl.type) {
        const p = this.pathOf(v, 1);
        if (p) this.hints.set(pathText(p), decl.type);
        const owner = p && ownerOf(p);
        const ownerType = owner && this.typeOfPath(owner);
        if (p && ownerType) this.world.learnMember(ownerType, p.steps[p.steps.length - 1].member, decl.type, decl.pointer);
      }
    }
  }

  /** Is this local an alias of another path? */
  isAlias(name: string): boolean {
    return this.aliases.has(name);
  }

  /** The canonical path of an expression, or null when it is not a path (an arithmetic value, a literal). */
  path(expr: SyntaxNode | null | undefined): Path | null {
    if (!expr) return null;
    const hit = this.cache.get(expr.id);
    if (hit !== undefined) return hit;
    const p = this.pathOf(expr, 0);
    this.cache.set(expr.id, p);
    return p;
  }

  private pathOf(expr: SyntaxNode, depth: number): Path | null {
    let n: SyntaxNode = expr;
    // Peel parentheses, casts, `&` and `*` (a `*p` then `.m` is `p->m`).
    for (let i = 0; i < 64; i++) {
      if (n.type === "parenthesized_expression" && n.namedChildCount === 1) n = n.namedChildren[0];
      else if (n.type === "cast_expression" && n.childForFieldName("value")) n = n.childForFieldName("value")!;
      else if (n.type === "pointer_expression" && n.childForFieldName("argument")) n = n.childForFieldName("argument")!;
      else break;
    }
    switch (n.type) {
      case "identifier": {
        const name = n.text;
        const alias = this.aliases.get(name);
        if (alias && depth < MAX_ALIAS_DEPTH) {
          const p = this.pathOf(alias, depth + 1);
          if (p) {
            if (!p.rootType && p.steps.length === 0) p.rootType = this.decls.get(name)?.type ?? null;
            return p;
          }
        }
        const decl = this.decls.get(name);
        if (decl) return { root: name, steps: [], rootKind: decl.kind, rootType: decl.type };
        return { root: name, steps: [], rootKind: "global", rootType: this.world.globalType(name) };
      }
      case "field_expression": {
        const base = n.childForFieldName("argument");
        const field = n.childForFieldName("field")?.text;
        const op = n.child(1)?.type === "." ? "." : "->";
        if (!base || !field) return null;
        const p = this.pathOf(base, depth);
        if (!p) return null;
        return { ...p, steps: [...p.steps, { op, member: field }] };
      }
      case "subscript_expression": {
        const base = n.childForFieldName("argument");
        const p = base ? this.pathOf(base, depth) : null;
        if (!p) return null;
        const idx = n.childForFieldName("index")?.text.replace(/\s+/g, "") ?? "";
        if (p.steps.length === 0) return { ...p, root: `${p.root}[${idx}]` };
        const last = p.steps[p.steps.length - 1];
        return { ...p, steps: [...p.steps.slice(0, -1), { ...last, member: `${last.member}[${idx}]` }] };
      }
      case "call_expression": {
        const name = calleeName(n);
        const c = name ? CONTAINER_CALLS[name] : undefined;
        const a = callArgs(n);
        if (c) {
          // The pointer argument comes before the type; the type and member are read as written.
          const texts = macroArgTexts(n);
          const inner = a[c.ptr] ? this.pathOf(a[c.ptr], depth) : null;
          const type = c.type >= 0 ? structOf(texts[c.type]) : null;
          const member = c.member >= 0 ? texts[c.member]?.replace(/\s+/g, "") : undefined;
          // container_of(&f->work, struct foo, work) is f itself.
          if (inner && member && inner.steps.length && inner.steps[inner.steps.length - 1].member === member) {
            const owner = ownerOf(inner)!;
            if (!type || this.typeOfPath(owner) === type || !this.typeOfPath(owner)) return { ...owner, rootType: owner.steps.length ? owner.rootType : owner.rootType ?? type };
          }
          const root = `${name}(${inner ? pathText(inner) : texts[c.ptr]?.replace(/\s+/g, "") ?? ""}${member ? `,${member}` : ""})`;
          return { root, steps: [], rootKind: "opaque", rootType: type };
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** The struct type of the object a path names, when the declarations say. */
  typeOfPath(p: Path): string | null {
    let t = p.rootType ?? this.hints.get(p.root) ?? null;
    let text = p.root;
    for (const s of p.steps) {
      text += "->" + s.member;
      const hint = this.hints.get(text);
      if (hint) {
        t = hint;
        continue;
      }
      if (!t) return null;
      const m = this.world.memberType(t, s.member.replace(/\[.*$/, ""));
      t = m?.type ?? null;
    }
    return t;
  }

  /**
   * The key by which a member path is known in every function: `foo::lock`
   * for a member `lock` of a struct foo; the name for a global; null when the
   * owner's type is unknown.
   */
  typeKey(p: Path): string | null {
    if (p.steps.length === 0) return p.rootKind === "global" ? p.root : null;
    const owner = ownerOf(p)!;
    const t = this.typeOfPath(owner);
    return t ? `${t}::${p.steps[p.steps.length - 1].member}` : null;
  }

  /**
   * The key of a member inside the object it is embedded in: for
   * `a->cmds.ctl.mutex`, `adapter::cmds.ctl.mutex`, so that two mutexes of
   * one struct type embedded in one object (`cmds.ctl.mutex`,
   * `cmds.scsiio.mutex`) are two locks. Null when the path has no embedded
   * step after its last `->` (then the type key says it all) or the type of
   * the object is unknown.
   */
  embeddedKey(p: Path): string | null {
    let last = -1;
    for (let i = 0; i < p.steps.length; i++) if (p.steps[i].op === "->") last = i;
    if (last < 0 || last === p.steps.length - 1) return null;
    const owner: Path = { ...p, steps: p.steps.slice(0, last) };
    const t = this.typeOfPath(owner);
    return t ? `${t}::${p.steps.slice(last).map((s) => s.member).join(".")}` : null;
  }

  /** The parameter a path starts from, or null. */
  param(p: Path): Decl | null {
    const d = this.decls.get(p.root);
    return d && d.kind === "param" ? d : null;
  }
}

function push(m: Map<string, SyntaxNode[]>, k: string, v: SyntaxNode) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Expressions a local can alias: paths, casts of paths, container_of and kin. */
function aliasable(v: SyntaxNode): boolean {
  const n = unparen(v);
  switch (n.type) {
    case "identifier":
    case "field_expression":
    case "subscript_expression":
      return true;
    case "pointer_expression":
      return true;
    case "cast_expression":
      return !!n.childForFieldName("value") && aliasable(n.childForFieldName("value")!);
    case "call_expression": {
      const name = calleeName(n);
      return !!name && name in CONTAINER_CALLS;
    }
    default:
      return false;
  }
}

/** `struct foo` (a macro's type argument) → `foo`. */
function structOf(arg: string | undefined): string | null {
  if (!arg) return null;
  const m = /^(?:struct|union)\s+(\w+)$/.exec(arg.trim());
  if (m) return m[1];
  return /^\w+$/.test(arg.trim()) ? arg.trim() : null;
}

function findParams(decl: SyntaxNode): SyntaxNode | null {
  let d: SyntaxNode | null = decl;
  for (let i = 0; d && i < 16; i++) {
    if (d.type === "function_declarator") return d.childForFieldName("parameters");
    d = d.childForFieldName("declarator");
  }
  return null;
}

/** A path from text written in a comment or an annotation (`&dev->lock`, `foo_lock`). */
export function pathFromText(text: string): Path | null {
  const t = text.replace(/\s+/g, "").replace(/^&+/, "").replace(/^\((.*)\)$/, "$1");
  const m = /^([A-Za-z_]\w*)((?:(?:->|\.)[A-Za-z_]\w*)*)$/.exec(t);
  if (!m) return null;
  const steps: Step[] = [];
  for (const s of m[2].matchAll(/(->|\.)([A-Za-z_]\w*)/g)) steps.push({ op: s[1] as "->" | ".", member: s[2] });
  return { root: m[1], steps, rootKind: "opaque", rootType: null };
}
