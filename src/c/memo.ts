/**
 * What a syntax node is and where it sits, asked of tree-sitter once.
 *
 * Every getter of the binding's SyntaxNode (`parent`, `namedChildren`,
 * `startIndex`, `childForFieldName(...)`) is a native call that copies the
 * node into a transfer buffer and, for a node it returns, builds the
 * JavaScript object again from one. The analyses and the rules ask the same
 * node the same things many times over: each walks the function it reads.
 * kreview never edits a tree, so the answers cannot change: here the first
 * answer to the questions asked most is kept on the node object (the
 * binding hands out one object per node while it is referenced) and later
 * questions are a property read.
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
 * half of them or more for a node already asked). Children by position and
 * siblings are rarely asked and go to the binding each time; a smaller memo
 * per node is less memory in a run.
 */
const GETTERS = ["startIndex", "endIndex", "text", "id", "parent", "startPosition", "namedChildren"] as const;

type Getter = (typeof GETTERS)[number];

/** The names this module answers for, which the budget's clock then leaves to it. */
export const MEMOIZED: ReadonlySet<string> = new Set<string>([...GETTERS, "childForFieldName"]);

/** One fixed shape for every node's memo, so reading it stays a plain property load. */
class Memo {
  startIndex: unknown = undefined;
  endIndex: unknown = undefined;
  text: unknown = undefined;
  id: unknown = undefined;
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
  for (const name of GETTERS) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d?.get || !d.configurable) continue;
    const g = d.get;
    const slot: Getter = name;
    const freeze = FROZEN.has(name);
    // As the budget steps for the getter (a node's children may be a whole long hunk: a look at the clock each time).
    const look = stepFor(name);
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
