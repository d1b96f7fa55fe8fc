/**
 * A deadline for the work done on syntax trees, so that a message that
 * would take minutes (a 200,000-line hunk) can be given up on.
 *
 * Linting is synchronous and calls into tree-sitter's native binding all the
 * time, which rules out stopping it from outside: V8's TerminateExecution
 * (vm timeouts, Worker#terminate) arriving while the binding calls back
 * into JavaScript makes node-addon-api abort the whole process. So the stop
 * is cooperative: while a deadline is set, tree-sitter's node and cursor
 * methods that step through a tree count their calls and, every so often,
 * look at the clock; past the deadline they throw OverBudget, an ordinary
 * exception, at a point where no native frame is on the stack. Parsing
 * itself is bounded by the parser's own timeout (setTimeoutMicros). Every
 * rule and shared analysis goes through those methods (or through the node
 * memo of src/c/memo.ts, which takes a step when it asks the binding), so
 * none can run on for long after the deadline; the caller
 * (src/cli/check.ts) then tells the message as given up on, whatever the
 * engine made of the exceptions.
 */
/** Thrown by tree-sitter's methods once the deadline has passed. */
export class OverBudget extends Error {
  override name = "OverBudget";
}

let deadline = Infinity;
let ticks = 0;

/** How many tree-sitter calls go by between two looks at the clock. */
const EVERY = 1024;

/** One step through a tree: every EVERY steps, a look at the clock. */
export function step(): void {
  if ((++ticks & (EVERY - 1)) === 0 && performance.now() > deadline) throw new OverBudget("over the time budget");
}

/** Calls that may walk a whole tree in one go look at the clock every time. */
const HEAVY = new Set(["descendantsOfType", "children", "namedChildren", "descendantCount", "matches", "captures"]);

/** A step that may walk a whole tree: a look at the clock each time. */
function heavyStep(): void {
  if (deadline !== Infinity && performance.now() > deadline) throw new OverBudget("over the time budget");
}

/** The step a call of the binding's method or getter `name` takes. */
export function stepFor(name: string): () => void {
  return HEAVY.has(name) ? heavyStep : step;
}

/** The binding's classes whose methods step through a tree. */
export interface SteppingClasses {
  SyntaxNode: { prototype: object };
  TreeCursor: { prototype: object };
  Query: { prototype: object };
}

/** Sets the deadline `ms` milliseconds from now (0 or Infinity: none). */
export function startBudget(ms: number): void {
  deadline = ms > 0 && Number.isFinite(ms) ? performance.now() + ms : Infinity;
  ticks = 0;
}

export function endBudget(): void {
  deadline = Infinity;
}

/** True once the deadline set has passed. */
export function overBudget(): boolean {
  return performance.now() > deadline;
}

/** Microseconds left for a parse (0: no limit), for Parser#setTimeoutMicros. */
export function parseMicrosLeft(): number {
  if (deadline === Infinity) return 0;
  return Math.max(1, Math.round((deadline - performance.now()) * 1000));
}

let instrumented = false;

/**
 * Wraps the navigation methods of tree-sitter's nodes and cursors, once per
 * thread, when the binding is loaded (src/c/native.ts). The node getters
 * kept by src/c/memo.ts are left to it: it takes a step when it asks the
 * binding, not when it answers from its memo.
 */
export function clockSteps(binding: SteppingClasses, memoized: ReadonlySet<string>): void {
  if (instrumented) return;
  instrumented = true;
  wrap(binding.SyntaxNode.prototype, new Set([...NODE_STEPS].filter((n) => !memoized.has(n))));
  wrap(binding.TreeCursor.prototype, CURSOR_STEPS);
  wrap(binding.Query.prototype, new Set(["matches", "captures"]));
}

/**
 * The node methods that move through a tree, which every analysis calls as
 * it goes. `parent` is one: tree-sitter finds a node's parent by walking
 * down from the root, so in a deeply nested expression a loop up the
 * parents is where the time goes. The getters of what a node is (type,
 * text, offsets) are not steps: called once or twice per step, they would
 * double the cost of the clock-keeping without bounding anything the steps
 * do not (the memo counts its own questions to the binding, these among them).
 */
const NODE_STEPS = new Set([
  "parent", "child", "namedChild", "childForFieldName", "childrenForFieldName", "children", "namedChildren", "childCount", "namedChildCount",
  "firstChild", "lastChild", "firstNamedChild", "lastNamedChild", "nextSibling", "previousSibling", "nextNamedSibling", "previousNamedSibling",
  "descendantsOfType", "descendantForIndex", "namedDescendantForIndex", "descendantForPosition", "namedDescendantForPosition", "descendantCount",
  "closest", "walk",
]);
const CURSOR_STEPS = new Set(["gotoFirstChild", "gotoNextSibling", "gotoParent", "gotoLastChild", "gotoPreviousSibling", "gotoDescendant", "gotoFirstChildForIndex", "currentNode"]);

function wrap(proto: object, names: Set<string>): void {
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
    if (!names.has(name) || !d.configurable) continue;
    const look = stepFor(name);
    if (typeof d.value === "function") {
      // The binding's methods take at most three arguments and treat a missing one as undefined.
      const f = d.value as (...a: unknown[]) => unknown;
      Object.defineProperty(proto, name, {
        ...d,
        value: function (this: unknown, a?: unknown, b?: unknown, c?: unknown) {
          look();
          return f.call(this, a, b, c);
        },
      });
    } else if (d.get) {
      const g = d.get;
      Object.defineProperty(proto, name, {
        ...d,
        get(this: unknown) {
          look();
          return g.call(this);
        },
      });
    }
  }
}
