/**
 * The configuration file, `.kreview.json` (docs/configuration.md), and the
 * `--severity` option.
 *
 * Where: the nearest `.kreview.json` from the working directory up to the
 * file-system root; when there is none, `~/.kreview.json`. Only one file is
 * read: they do not merge, so a project's file is the whole story for that
 * tree (as checkpatch reads the first `.checkpatch.conf` it finds).
 *
 * How it meets the command line: as checkpatch prepends `.checkpatch.conf` to
 * its arguments, file settings come first and the command line after: lists
 * (`ignore`, `only`) are concatenated, `severity` maps merged with the command
 * line winning per rule, scalars (`strict`, `maxWarnings`, `format`,
 * `baseline`) replaced.
 *
 * Rule ids are read as on the command line (any case, `_` for `-`: ruleKey)
 * and kept in kebab case.
 *
 * Every mistake in the file is an error naming `file:line:column`, because a
 * setting silently dropped is a rule silently off. JSON.parse says where it
 * failed only for some errors (and never where a valid key is wrong), so the
 * file is read with jsonc-parser (VS Code's), which keeps the offset of every
 * key and value, in strict mode: no comments, no trailing commas, as any
 * other JSON reader (jq, an editor's JSON mode) would take the file. What is
 * ours is the wording of its errors.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InvalidArgumentError } from "commander";
import { createScanner, ParseErrorCode, parseTree, SyntaxKind, visit, type Node as JsonNode, type ParseOptions } from "jsonc-parser";
import { ruleKey, type Severity } from "../engine/index.js";

export const CONFIG_NAME = ".kreview.json";

/** The settings a file may hold; every member is optional. */
export interface ConfigSettings {
  ignore?: string[];
  only?: string[];
  strict?: boolean;
  severity?: Record<string, Severity>;
  maxWarnings?: number;
  format?: string;
  /** A baseline file (absolute: a file's `baseline` is relative to the file's directory); false: none (`--no-baseline`). */
  baseline?: string | false;
}

export interface LoadedConfig {
  /** Absolute path of the file read. */
  file: string;
  settings: ConfigSettings;
}

/** A configuration that cannot be used; `message` starts with the file (and its position). */
export class ConfigError extends Error {}

const LEVELS: readonly Severity[] = ["error", "warning", "check"];

// ---- finding and reading the file ----

export interface LoadOptions {
  /** Where the search upward starts (the CLI's working directory). */
  cwd: string;
  /** The fallback's directory; os.homedir() (which honours $HOME) when left out. */
  home?: string;
  /** Known rule ids: a file naming another is an error. */
  rules: readonly string[];
  /** Accepted `format` values. */
  formats: readonly string[];
}

/** The configuration in force for `cwd`, or null when there is no file. Throws ConfigError. */
export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig | null> {
  const file = await findConfigFile(opts.cwd, opts.home ?? os.homedir());
  if (file === null) return null;
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${describeReadError(e)}`);
  }
  return { file, settings: parseConfig(text, file, opts) };
}

/** The nearest `.kreview.json` from `cwd` up to the root, else the one in `home`, else null. */
export async function findConfigFile(cwd: string, home: string): Promise<string | null> {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, CONFIG_NAME);
    if (await isFile(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (home === "") return null;
  const fallback = path.join(path.resolve(home), CONFIG_NAME);
  return (await isFile(fallback)) ? fallback : null;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false; // absent or unreachable: not a configuration to use
  }
}

function describeReadError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EACCES") return "permission denied";
  return e instanceof Error ? e.message : String(e);
}

// ---- checking what the file says ----

/** Parses and checks a configuration text. Throws ConfigError naming `file:line:col`. */
export function parseConfig(text: string, file: string, opts: Pick<LoadOptions, "rules" | "formats">): ConfigSettings {
  let root: JNode;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConfigError(`${file}:${lineCol(text, e.offset)}: invalid JSON: ${e.reason}`);
    throw e;
  }
  const fail: Fail = (at, what) => {
    throw new ConfigError(`${file}:${lineCol(text, at)}: ${what}`);
  };
  if (root.kind !== "object") return fail(root.at, `the configuration must be a JSON object, not ${describeValue(root)}`);

  const known = new Set(opts.rules);
  const settings: ConfigSettings = {};
  const seen = new Set<string>();
  for (const { key, keyAt, value } of root.entries) {
    if (seen.has(key)) fail(keyAt, `"${clip(key)}" is given twice`);
    seen.add(key);
    switch (key) {
      case "ignore":
      case "only":
        settings[key] = ruleIds(value, key, known, fail);
        break;
      case "strict":
        if (value.kind !== "boolean") fail(value.at, `"strict" must be true or false, not ${describeValue(value)}`);
        settings.strict = value.value as boolean;
        break;
      case "severity":
        settings.severity = severities(value, known, fail);
        break;
      case "maxWarnings":
        if (value.kind !== "number" || !Number.isInteger(value.value) || (value.value as number) < 0) {
          fail(value.at, `"maxWarnings" must be a whole number, 0 or more, not ${describeValue(value)}`);
        }
        settings.maxWarnings = value.value as number;
        break;
      case "format":
        if (value.kind !== "string" || !opts.formats.includes(value.value as string)) {
          fail(value.at, `"format" must be one of ${opts.formats.join(", ")}, not ${describeValue(value)}`);
        }
        settings.format = value.value as string;
        break;
      case "baseline":
        if (value.kind !== "string" || value.value === "") fail(value.at, `"baseline" must be the path of a baseline file, not ${describeValue(value)}`);
        settings.baseline = path.resolve(path.dirname(path.resolve(file)), value.value as string);
        break;
      default:
        fail(keyAt, `unknown key "${clip(key)}" (known: ignore, only, strict, severity, maxWarnings, format, baseline)`);
    }
  }
  return settings;
}

type Fail = (at: number, what: string) => never;

function ruleIds(node: JNode, key: string, known: Set<string>, fail: Fail): string[] {
  if (node.kind !== "array") return fail(node.at, `"${key}" must be an array of rule ids, not ${describeValue(node)}`);
  return node.items.map((item) => {
    if (item.kind !== "string") return fail(item.at, `"${key}" must hold rule ids (strings), not ${describeValue(item)}`);
    const id = ruleKey(item.value as string);
    if (!known.has(id)) fail(item.at, `unknown rule '${clip(item.value as string)}' in "${key}" (see 'kreview rules')`);
    return id;
  });
}

function severities(node: JNode, known: Set<string>, fail: Fail): Record<string, Severity> {
  if (node.kind !== "object") return fail(node.at, `"severity" must be an object of rule ids to levels, not ${describeValue(node)}`);
  const out: Record<string, Severity> = {};
  for (const { key, keyAt, value } of node.entries) {
    const id = ruleKey(key);
    if (!known.has(id)) fail(keyAt, `unknown rule '${clip(key)}' in "severity" (see 'kreview rules')`);
    if (id in out) fail(keyAt, `"${clip(key)}" is given twice in "severity"`);
    if (value.kind !== "string" || !LEVELS.includes(value.value as Severity)) {
      fail(value.at, `the level of '${clip(key)}' must be "error", "warning" or "check", not ${describeValue(value)}`);
    }
    out[id] = value.value as Severity;
  }
  return out;
}

/** Longest piece of the file an error message quotes: a megabyte value must not be echoed whole to stderr. */
const QUOTE_MAX = 60;

/** A quoted piece of the file, cut to QUOTE_MAX characters with a mark that it was cut. */
export function clip(text: string): string {
  return text.length <= QUOTE_MAX ? text : `${text.slice(0, QUOTE_MAX - 3)}... (${text.length} characters)`;
}

/** How an error names a value: scalars as written (a string is the likely typo), containers by kind. */
function describeValue(node: JNode): string {
  switch (node.kind) {
    case "string":
      return clip(JSON.stringify(node.value));
    case "number":
      return String(node.value);
    case "boolean":
      return String(node.value);
    case "null":
      return "null";
    case "array":
      return "an array";
    case "object":
      return "an object";
  }
}

// ---- merging with the command line ----

/** The settings the command line gave; `format` only when the user typed it (not commander's default). */
export type CliSettings = ConfigSettings;

/** File first, command line after (see the module comment). */
export function mergeSettings(file: ConfigSettings, cli: CliSettings): ConfigSettings {
  const list = (a?: string[], b?: string[]) => (a || b ? [...(a ?? []), ...(b ?? [])] : undefined);
  const severity = file.severity || cli.severity ? { ...file.severity, ...cli.severity } : undefined;
  return {
    ignore: list(file.ignore, cli.ignore),
    only: list(file.only, cli.only),
    strict: cli.strict ?? file.strict,
    severity,
    maxWarnings: cli.maxWarnings ?? file.maxWarnings,
    format: cli.format ?? file.format,
    baseline: cli.baseline ?? file.baseline,
  };
}

// ---- the --severity option ----

/**
 * commander's argument parser for `--severity RULE=LEVEL[,RULE=LEVEL...]`,
 * repeatable; a later setting of the same rule wins. Rule ids are checked by
 * createLinter, which knows the rules.
 */
export function parseSeverityArg(value: string, previous: Record<string, Severity> = {}): Record<string, Severity> {
  const out = { ...previous };
  for (const item of value.split(",").map((s) => s.trim())) {
    if (item === "") continue;
    const m = /^([^=\s]+)=(\S+)$/.exec(item);
    if (!m) throw new InvalidArgumentError(`takes RULE=LEVEL (e.g. bitwise-or-in-condition=warning), not '${item}'`);
    const level = m[2] as Severity;
    if (!LEVELS.includes(level)) throw new InvalidArgumentError(`'${m[2]}' is not a level: use error, warning or check`);
    out[m[1]!] = level;
  }
  return out;
}

// ---- reading JSON, with the position of everything ----

type JNode =
  | { kind: "object"; at: number; entries: { key: string; keyAt: number; value: JNode }[] }
  | { kind: "array"; at: number; items: JNode[] }
  | { kind: "string" | "number" | "boolean" | "null"; at: number; value: unknown };

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** `line:col` (1-based; a tab is one column) of an offset into `text`. */
export function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

/** Strict JSON: what JSON.parse accepts. */
const STRICT: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** Deeper than this, a configuration is not one: said as an error, before a recursive parser could overflow the stack. */
const MAX_DEPTH = 32;

/** RFC 8259 JSON, strictly, with a leading BOM tolerated; offsets are into `text` as given. */
function parseJson(text: string): JNode {
  const bom = text.startsWith("\uFEFF") ? 1 : 0; // editors on some systems write one
  const body = bom ? text.slice(1) : text;
  try {
    // jsonc-parser recurses once per level: the depth is checked first, with its (iterative) scanner.
    const tooDeep = depthCut(body);
    firstError(tooDeep === null ? body : body.slice(0, tooDeep), tooDeep ?? Infinity);
    if (tooDeep !== null) throw new JsonSyntaxError(tooDeep, `nested more than ${MAX_DEPTH} levels deep (a configuration needs two)`);
    return toJNode(parseTree(body, [], STRICT)!, bom);
  } catch (e) {
    if (e instanceof JsonSyntaxError && bom) throw new JsonSyntaxError(e.offset + bom, e.reason);
    throw e;
  }
}

/** The offset of the first '{' or '[' nested deeper than MAX_DEPTH, or null. */
function depthCut(text: string): number | null {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let t = scanner.scan(); t !== SyntaxKind.EOF; t = scanner.scan()) {
    if (t === SyntaxKind.OpenBraceToken || t === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_DEPTH) return scanner.getTokenOffset();
    } else if (t === SyntaxKind.CloseBraceToken || t === SyntaxKind.CloseBracketToken) depth--;
  }
  return null;
}

/** What the parser was waiting for in each open object or array, to say what went wrong in those terms. */
interface Open {
  kind: "object" | "array";
  expect: "key" | "colon" | "value" | "comma";
  key: string;
}

/**
 * Reads `text` with jsonc-parser and throws the first error as a
 * JsonSyntaxError in kreview's words; errors at or past `cut` (where the text
 * was cut short) are not errors of the file.
 */
function firstError(text: string, cut: number): void {
  const stack: Open[] = [];
  // jsonc-parser closes an object or array before it says the closer is missing: that error is about this one.
  let closed: Open | undefined;
  let done = false; // the top-level value is complete
  const top = () => stack[stack.length - 1];
  const valueDone = () => {
    const t = top();
    if (t) t.expect = "comma";
    else done = true;
  };
  visit(
    text,
    {
      onObjectBegin: () => void stack.push({ kind: "object", expect: "key", key: "" }),
      onArrayBegin: () => void stack.push({ kind: "array", expect: "value", key: "" }),
      onObjectEnd: () => {
        closed = stack.pop();
        valueDone();
      },
      onArrayEnd: () => {
        closed = stack.pop();
        valueDone();
      },
      onObjectProperty: (key) => {
        const t = top()!;
        t.expect = "colon";
        t.key = key;
      },
      onSeparator: (c) => {
        const t = top();
        if (t) t.expect = c === ":" ? "value" : t.kind === "object" ? "key" : "value";
      },
      onLiteralValue: valueDone,
      onError: (code, offset, length) => {
        if (offset >= cut) return;
        const missingCloser = code === ParseErrorCode.CloseBraceExpected || code === ParseErrorCode.CloseBracketExpected;
        const [at, reason] = explain(text, code, offset, length, missingCloser ? closed : top(), !missingCloser && done && stack.length === 0);
        throw new JsonSyntaxError(at, reason);
      },
    },
    STRICT,
  );
}

/** jsonc-parser's error, as a position and a reason a person can act on. */
function explain(text: string, code: ParseErrorCode, offset: number, length: number, open: Open | undefined, afterEnd: boolean): [number, string] {
  const found = describeAt(text, offset);
  const closer = open?.kind === "object" ? "}" : "]";
  /** What was expected where the text went wrong, and what is there instead. */
  const unexpected = (): [number, string] => {
    if (afterEnd) return [offset, `unexpected ${found} after the end of the configuration`];
    if (open?.expect === "key") return [offset, `expected a key in double quotes, found ${found}`];
    if (open?.expect === "comma") return [offset, `expected ',' or '${closer}', found ${found}`];
    if (text[offset] === "-") return [offset, "invalid number"];
    return [offset, `unexpected ${found}`];
  };
  switch (code) {
    case ParseErrorCode.PropertyNameExpected:
    case ParseErrorCode.ValueExpected: {
      const comma = trailingComma(text, offset);
      if (comma !== null) return [comma, `trailing comma before '${text[offset]}' (JSON allows none)`];
      return unexpected();
    }
    case ParseErrorCode.ColonExpected:
      return [offset, `expected ':' after the key "${clip(open?.key ?? "")}", found ${found}`];
    case ParseErrorCode.CommaExpected:
    case ParseErrorCode.CloseBraceExpected:
    case ParseErrorCode.CloseBracketExpected:
      if (open?.expect !== "comma" && offset >= text.length) return [offset, "unexpected end of file"];
      return [offset, `expected ',' or '${closer}', found ${found}`];
    case ParseErrorCode.UnexpectedEndOfString: {
      const end = offset + length;
      if (text[end] === "\n" || text[end] === "\r") return [end, "line break inside a string: missing '\"'?"];
      return [offset, "string not closed: missing '\"'"];
    }
    case ParseErrorCode.InvalidCharacter: {
      let i = offset + 1;
      while (i < text.length && text[i]! >= " ") i++;
      return [i, `control character ${JSON.stringify(text[i] ?? "")} inside a string`];
    }
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidUnicode: {
      const bad = /\\(?!["\\/bfnrt]|u[0-9a-fA-F]{4})/g;
      bad.lastIndex = offset;
      const m = bad.exec(text);
      return [m ? m.index : offset, "invalid escape in a string"];
    }
    case ParseErrorCode.InvalidNumberFormat:
    case ParseErrorCode.UnexpectedEndOfNumber:
      return [offset, "invalid number"];
    default:
      // InvalidSymbol, InvalidCommentToken, EndOfFileExpected
      return unexpected();
  }
}

/** The offset of the ',' just before the closer at `offset` (blanks between), or null. */
function trailingComma(text: string, offset: number): number | null {
  if (text[offset] !== "]" && text[offset] !== "}") return null;
  let i = offset - 1;
  while (i >= 0 && " \t\n\r".includes(text[i]!)) i--;
  return text[i] === "," ? i : null;
}

/** The character at an offset, in words, with a hint for the usual non-JSON habits. */
function describeAt(text: string, pos: number): string {
  const c = text[pos];
  if (c === undefined) return "end of file";
  if (c === "'") return `"'" (JSON strings take double quotes)`;
  if (c === "/") return `'/' (JSON has no comments)`;
  const word = /[A-Za-z_$][\w$]*/y;
  word.lastIndex = pos;
  const m = word.exec(text);
  if (m) return `'${clip(m[0])}'`;
  return c < " " ? `character ${JSON.stringify(c)}` : `'${c}'`;
}

/** jsonc-parser's tree (of a text with no error) as the checks above read it, offsets moved by `shift`. */
function toJNode(node: JsonNode, shift: number): JNode {
  const at = node.offset + shift;
  switch (node.type) {
    case "object":
      return {
        kind: "object",
        at,
        entries: (node.children ?? []).map((p) => {
          const [key, value] = p.children!;
          return { key: key!.value as string, keyAt: key!.offset + shift, value: toJNode(value!, shift) };
        }),
      };
    case "array":
      return { kind: "array", at, items: (node.children ?? []).map((c) => toJNode(c, shift)) };
    case "string":
    case "number":
    case "boolean":
    case "null":
      return { kind: node.type, at, value: node.value };
    default:
      throw new Error(`unexpected JSON node '${node.type}'`);
  }
}
