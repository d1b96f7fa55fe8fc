import { calleeName, defineRule, naming, unparen, type SyntaxNode, descendantsOfType } from "../src/engine/index.js";

const COMPARISON = new Set(["==", "!=", "<", ">", "<=", ">="]);
const LOGICAL = new Set(["&&", "||"]);

function operatorOf(node: SyntaxNode): string {
  return node.childForFieldName("operator")?.type ?? "";
}

/**
 * Is this expression already a truth value? "strong" when C makes it 0 or 1
 * (`!x`, a comparison, `&&`/`||`, a call of a function the patch declares
 * `bool`); "predicate" when a kernel predicate's name says it answers yes or
 * no (`of_device_is_compatible()`), which may return any non-zero value.
 */
function truthOf(node: SyntaxNode, boolFunctions: ReadonlySet<string>): "strong" | "predicate" | false {
  const n = unparen(node);
  if (n.type === "unary_expression" && operatorOf(n) === "!") return "strong";
  if (n.type === "binary_expression") {
    const op = operatorOf(n);
    return COMPARISON.has(op) || LOGICAL.has(op) ? "strong" : false;
  }
  if (n.type === "call_expression") {
    const name = calleeName(n);
    if (name === null) return false;
    if (boolFunctions.has(name)) return "strong";
    return naming.PREDICATE_NAME.test(name) ? "predicate" : false;
  }
  if (n.type === "true" || n.type === "false") return "strong";
  return false;
}

function isTruthValue(node: SyntaxNode, boolFunctions: ReadonlySet<string>): boolean {
  return truthOf(node, boolFunctions) !== false;
}

function isNegation(node: SyntaxNode): boolean {
  const n = unparen(node);
  return n.type === "unary_expression" && operatorOf(n) === "!";
}

/** Walk up through parentheses: the node whose context decides how the value is read. */
function outer(node: SyntaxNode): { node: SyntaxNode; parent: SyntaxNode | null } {
  let n = node;
  while (n.parent && n.parent.type === "parenthesized_expression") n = n.parent;
  return { node: n, parent: n.parent };
}

/** Is the value of `node` read as a truth value (a condition, an operand of !, && or ||)? */
function readAsTruth(node: SyntaxNode, inBoolFunction: boolean): boolean {
  const { node: n, parent } = outer(node);
  if (!parent) return false;
  switch (parent.type) {
    case "if_statement":
    case "while_statement":
    case "do_statement":
      return parent.childForFieldName("condition")?.id === n.id || n.type === "parenthesized_expression";
    case "for_statement":
      return parent.childForFieldName("condition")?.id === n.id;
    case "conditional_expression":
      return parent.childForFieldName("condition")?.id === n.id;
    case "unary_expression":
      return operatorOf(parent) === "!";
    case "binary_expression":
      return LOGICAL.has(operatorOf(parent));
    case "return_statement":
      return inBoolFunction;
    default:
      return false;
  }
}

/** Does evaluating this expression have side effects that `||`/`&&` would skip? */
function hasCall(node: SyntaxNode): boolean {
  if (node.type === "call_expression" || node.type === "assignment_expression" || node.type === "update_expression") return true;
  return node.namedChildren.some(hasCall);
}

export default defineRule({
  id: "bitwise-or-in-condition",
  type: "problem",
  severity: "error",
  confidence: "high",
  summary: "'|' or '&' between truth values where '||' or '&&' was meant",
  messages: {
    bitwise: "bitwise '{{op}}' between truth values in a condition: did you mean '{{logical}}'",
    bitwiseCall: "bitwise '{{op}}' between truth values in a condition: did you mean '{{logical}}' (which would skip the call on the right)",
    mixed: "bitwise '{{op}}' between a value and a truth value in a condition: did you mean '{{logical}}', or are the parentheses misplaced",
    notBindsFirst: "'!' binds before '&': this tests '(!{{operand}}) & {{mask}}', did you mean '!({{operand}} & {{mask}})'",
    turned: "the patch turns '{{logical}}' into bitwise '{{op}}' between truth values in a condition",
  },
  docs: `### What it does
Finds a bitwise \`|\` or \`&\` whose operand is already a truth value (\`!x\`, a
comparison, an \`&&\`/\`||\` expression, a call to a function the patch
declares \`bool\`) where the result is read as a truth value: the condition of
\`if\`/\`while\`/\`for\`/\`?:\`, an operand of \`!\`, \`&&\` or \`||\`, or the
return value of a \`bool\` function. Also \`!x & MASK\`, where \`!\` binds first
and the test is \`(!x) & MASK\`.

### Why is this bad?
\`|\` evaluates both sides and reads as a flag operation: the reader has to
stop and prove that both operands are 0 or 1 for the code to mean what it
says, and the next change to an operand (a pointer instead of \`!ptr\`) makes
it silently wrong. \`!flags & FOO\` is almost always a bug: it is
\`(!flags) & FOO\`, which is 0 whenever \`FOO\` is not bit 0.

### Example
\`\`\`c
if (!inode || !notifier | !pfn_ops)
	return -EINVAL;
\`\`\`
Use instead:
\`\`\`c
if (!inode || !notifier || !pfn_ops)
	return -EINVAL;
\`\`\`
Flag tests stay as they are: \`if (flags & FOO)\`, \`if ((a | b) & MASK)\`,
\`ret |= !ok;\`, \`mask = a | b;\`.

### Reviewer said
> > +	if (!inode || !notifier | !pfn_ops)
>
> Bitwise | instead of logical ||.
> — Sean Christopherson, "Re: [PATCH v5 02/13] mm: Introduce memfile_notifier", 29 Mar 2022,
> Message-ID <YkNTvFqWI5F5w+DW@google.com>

### Known problems
A deliberate \`|\` that must evaluate both calls (\`if (a() | b())\`) is
reported too; the message then says that \`||\` would skip the call, and the
suggested fix is marked maybe-incorrect. A call is a truth value when the
patch declares the function \`bool\`, or when its name is a kernel predicate's
(\`of_device_is_compatible()\`, \`is_*()\`, \`*_has_*()\`, \`list_empty()\`; a table in
\`src/c/kernel/naming.ts\`), and then only beside another truth value.
`,
  create(ctx) {
    // Functions the patch declares as returning bool, from every view of this file.
    const boolFunctions = new Set<string>();
    for (const fn of descendantsOfType(ctx.post.root, ["function_definition", "declaration"])) {
      const type = fn.childForFieldName("type");
      if (type?.text !== "bool") continue;
      for (const d of descendantsOfType(fn, "function_declarator")) {
        const id = d.childForFieldName("declarator");
        if (id?.type === "identifier") boolFunctions.add(id.text);
      }
    }
    const inBoolFunction = (node: SyntaxNode) => ctx.post.enclosingFunction(node)?.returnType === "bool";

    return {
      binary_expression(node) {
        const op = operatorOf(node);
        if (op !== "|" && op !== "&") return;
        if (!readAsTruth(node, inBoolFunction(node))) return;
        const left = node.childForFieldName("left")!;
        const right = node.childForFieldName("right")!;
        const opNode = node.childForFieldName("operator")!;
        const leftTruth = isTruthValue(left, boolFunctions);
        const rightTruth = isTruthValue(right, boolFunctions);
        const logical = op === "|" ? "||" : "&&";

        if (op === "&" && !rightTruth) {
          // `!x & MASK`: only the negation form; `a == b & MASK` is left alone.
          const l = unparen(left);
          if (left.type === "unary_expression" && operatorOf(l) === "!" && !hasCall(right)) {
            const operand = l.childForFieldName("argument")!.text;
            ctx.report({
              node: opNode,
              messageId: "notBindsFirst",
              data: { operand, mask: right.text },
              suggest: { message: "test the bit, then negate", replacement: `!(${operand} & ${right.text})`, node, applicability: "maybe-incorrect" },
            });
          }
          return;
        }
        if (!leftTruth && !rightTruth) return;
        // A predicate beside a plain value is not enough: it may be a flag test of a mask.
        if (leftTruth !== rightTruth && truthOf(leftTruth ? left : right, boolFunctions) === "predicate") return;
        if (leftTruth !== rightTruth && !isNegation(leftTruth ? left : right)) {
          // `(i >> s) & (mask != id)`: a value masked with a comparison's 0 or 1.
          ctx.report({ node: opNode, messageId: "mixed", data: { op, logical } });
          return;
        }
        const skipsCall = hasCall(right);
        // What the patch changed: the same operands were joined with the logical operator before.
        const fn = ctx.post.enclosingFunction(node);
        const before = fn ? ctx.changes.preFunction(fn) : null;
        const norm = (n: SyntaxNode) => n.text.replace(/\s+/g, "");
        const turned = !!before && descendantsOfType(before.fn.node, "binary_expression").some(
          (b) => operatorOf(b) === logical && norm(b.childForFieldName("left")!) === norm(left) && norm(b.childForFieldName("right")!) === norm(right),
        );
        ctx.report({
          node: opNode,
          messageId: turned ? "turned" : skipsCall ? "bitwiseCall" : "bitwise",
          data: { op, logical },
          suggest: {
            message: `use '${logical}'`,
            replacement: logical,
            node: opNode,
            applicability: skipsCall ? "maybe-incorrect" : "machine-applicable",
          },
        });
      },
    };
  },
});
