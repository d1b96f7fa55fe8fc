/**
 * What a syntax node is and where it sits, asked of tree-sitter once.
 *
 * Every getter of the binding's SyntaxNode (`parent`, `namedChildren`,
 * `startIndex`, `childForFieldName(...)`) is a native call that copies the
 * node into a transfer buffer and, for a node it returns, builds the
 * JavaScript object again from one. The analyses and the rules ask the same
 * node the same things many times over: each walks the function it reads.
 * kreview never edits a tree, so the answers cannot change: here the first
 * answer to the questions asked most is kept on the node object and later
 * questions are a property read. The nodes an answer holds (a parent,
 * children) are themselves objects with memos, so a walk that goes on from
 * them asks the binding nothing twice.
 *
 * Arrays and points handed out are frozen: they are shared by every caller
 * now, and one that changed its copy would change everybody's.
 *
 * A question the binding answers is a step for the time budget
 * (src/c/budget.ts); one answered from the memo is not.
 */
import { step, stepFor } from "./budget.js";

/**
 * The getters kept: those asked of the same node again and again (counted on
 * 1,656 nvdimm messages: offsets, text, id and parent, a million times each,
 * half of them or more for a node already asked; the start offset and the id
 * are read from the node itself, below). Children by position and
 * siblings are rarely asked and go to the binding each time; a smaller memo
 * per node is less memory in a run.
 */
const GETTERS = ["endIndex", "text", "parent", "startPosition", "namedChildren"] as const;

type Getter = (typeof GETTERS)[number];

/**
 * What a node object already holds. The binding's node is the 6 words of
 * tree-sitter's TSNode, as its transfer buffer carries them: the subtree's
 * address (low word, high word), then the node's start byte, start row,
 * start column in bytes and alias. The text is UTF-16, two bytes a code
 * unit: its `startIndex` getter answers the start byte halved and its `id`
 * the address as a number, each by a native call that reads them back from
 * these words. Here they are read without one.
 */
const DIRECT = {
  startIndex(this: NodeWords): number {
    return this[2] >>> 1;
  },
  id(this: NodeWords): number {
    return this[1] * 0x1_0000_0000 + this[0];
  },
};

type NodeWords = { readonly [i: number]: number };

/** Memoized getters answered from the same words: the start point, made once and shared. */
const FROM_WORDS: Partial<Record<Getter, (this: NodeWords) => unknown>> = {
  startPosition(this: NodeWords) {
    return { row: this[3], column: this[4] >>> 1 };
  },
};

/** The names this module answers for, which the budget's clock then leaves to it. */
export const MEMOIZED: ReadonlySet<string> = new Set<string>([...GETTERS, ...Object.keys(DIRECT), "childForFieldName"]);

/** The binding's own getters, as they were before this module replaced them (for tests that compare). */
export const bindingGetters = new Map<string, (this: unknown) => unknown>();

/** One fixed shape for every node's memo, so reading it stays a plain property load. */
class Memo {
  endIndex: unknown = undefined;
  text: unknown = undefined;
  parent: unknown = undefined;
  startPosition: unknown = undefined;
  namedChildren: unknown = undefined;
  /** childForFieldName's answers: field name, answer, field name, answer (a node is asked for few fields). */
  fields: unknown[] | undefined = undefined;
}

const MEMO = Symbol("kreview.memo");
/** Stands for a null answer in a slot, where undefined means "not asked yet". */
const NONE = Symbol("kreview.none");

type Holder = { [MEMO]?: Memo };

function memoOf(node: Holder): Memo {
  let m = node[MEMO];
  if (m === undefined) {
    m = new Memo();
    node[MEMO] = m;
  }
  return m;
}

/** The getters whose answer is a fresh array or point, frozen once it is shared. */
const FROZEN = new Set<string>(["namedChildren", "startPosition"]);

/** The answer as kept: null as NONE (undefined means "not asked yet"). */
function keep(v: unknown, freeze: boolean): unknown {
  if (v === null) return NONE;
  if (freeze && typeof v === "object") Object.freeze(v);
  return v;
}

let installed = false;

/** Makes the binding's node getters and childForFieldName answer from a memo; once per thread. */
export function memoizeNodes(syntaxNode: { prototype: object }): void {
  if (installed) return;
  installed = true;
  const proto = syntaxNode.prototype;
  for (const [name, get] of Object.entries(DIRECT)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d?.get || !d.configurable) continue;
    bindingGetters.set(name, d.get);
    Object.defineProperty(proto, name, { ...d, get });
  }
  for (const name of GETTERS) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d?.get || !d.configurable) continue;
    bindingGetters.set(name, d.get);
    const words = FROM_WORDS[name];
    const g = words ?? d.get;
    const slot: Getter = name;
    const freeze = FROZEN.has(name);
    // As the budget steps for the getter (a node's children may be a whole long hunk: a look at the clock each time).
    const look = words ? () => {} : stepFor(name);
    Object.defineProperty(proto, name, {
      ...d,
      get(this: Holder) {
        const m = memoOf(this);
        let v = m[slot];
        if (v === undefined) {
          look();
          m[slot] = v = keep(g.call(this), freeze);
        }
        return v === NONE ? null : v;
      },
    });
  }
  const field = (proto as { childForFieldName(name: string): unknown }).childForFieldName;
  Object.defineProperty(proto, "childForFieldName", {
    configurable: true,
    writable: true,
    value: function childForFieldName(this: Holder, name: string) {
      const m = memoOf(this);
      const fields = (m.fields ??= []);
      for (let i = 0; i < fields.length; i += 2) {
        if (fields[i] === name) {
          const v = fields[i + 1];
          return v === NONE ? null : v;
        }
      }
      step();
      const v = keep(field.call(this, name), false);
      fields.push(name, v);
      return v === NONE ? null : v;
    },
  });
}

/**
 * Leaves the binding's cache of node objects out. For every node object it
 * makes, the binding registers a weak handle and a finalizer with V8, so
 * that while the object lives the same node is handed out as the same
 * object. Every node object then costs a native entry, and every collection
 * a pass over the handles and the finalizers: on 1,656 nvdimm messages in one
 * thread, 12% of the time and a quarter of the peak memory.
 *
 * Without it a node reached twice (from the tree's index, then as a parent)
 * may be two objects with the same answers. kreview tells nodes apart by
 * `id`, never by object (src/c/descendants.ts, the facts' maps); each object
 * keeps its own memo.
 */
export function uncacheNodes(tree: { prototype: object }): void {
  for (const name of ["_cacheNode", "_cacheNodes"]) {
    if (typeof Object.getOwnPropertyDescriptor(tree.prototype, name)?.value !== "function") continue;
    Object.defineProperty(tree.prototype, name, { configurable: true, writable: true, value: function uncached() {} });
  }
}
