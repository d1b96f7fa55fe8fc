/**
 * What a syntax node is and where it sits, asked of tree-sitter once.
 *
 * Every getter of the binding's SyntaxNode (`parent`, `namedChildren`,
 * `startIndex`, `childForFieldName(...)`) is a native call that copies the
 * node into a transfer buffer and, for a node it returns, builds the
 * JavaScript object again from one. The analyses and the rules ask the same
 * node the same things many times over: each walks the function it reads.
 * kreview never edits a tree, so the answers cannot change: here the first
 * answer is kept on the node object (the binding hands out one object per
 * node while it is referenced) and later questions are a property read.
 *
 * Arrays and points handed out are frozen: they are shared by every caller
 * now, and one that changed its copy would change everybody's.
 *
 * A question the binding answers is a step for the time budget
 * (src/c/budget.ts); one answered from the memo is not.
 */
import { step } from "./budget.js";

/** A getter and the slot of the memo that keeps its answer. */
const GETTERS = [
  "parent", "children", "namedChildren", "childCount", "namedChildCount",
  "firstChild", "lastChild", "firstNamedChild", "lastNamedChild",
  "nextSibling", "previousSibling", "nextNamedSibling", "previousNamedSibling",
  "startIndex", "endIndex", "startPosition", "endPosition", "text", "id", "type",
] as const;

type Getter = (typeof GETTERS)[number];

/** The names this module answers for, which the budget's clock then leaves to it. */
export const MEMOIZED: ReadonlySet<string> = new Set<string>([...GETTERS, "childForFieldName"]);

/** One fixed shape for every node's memo, so reading it stays a plain property load. */
class Memo {
  parent: unknown = undefined;
  children: unknown = undefined;
  namedChildren: unknown = undefined;
  childCount: unknown = undefined;
  namedChildCount: unknown = undefined;
  firstChild: unknown = undefined;
  lastChild: unknown = undefined;
  firstNamedChild: unknown = undefined;
  lastNamedChild: unknown = undefined;
  nextSibling: unknown = undefined;
  previousSibling: unknown = undefined;
  nextNamedSibling: unknown = undefined;
  previousNamedSibling: unknown = undefined;
  startIndex: unknown = undefined;
  endIndex: unknown = undefined;
  startPosition: unknown = undefined;
  endPosition: unknown = undefined;
  text: unknown = undefined;
  id: unknown = undefined;
  type: unknown = undefined;
  /** childForFieldName's answers, by field name. */
  fields: Map<string, unknown> | undefined = undefined;
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
const FROZEN = new Set<string>(["children", "namedChildren", "startPosition", "endPosition"]);

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
    Object.defineProperty(proto, name, {
      ...d,
      get(this: Holder) {
        const m = memoOf(this);
        let v = m[slot];
        if (v === undefined) {
          step();
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
      const fields = (m.fields ??= new Map());
      let v = fields.get(name);
      if (v === undefined) {
        step();
        fields.set(name, (v = keep(field.call(this, name), false)));
      }
      return v === NONE ? null : v;
    },
  });
}
