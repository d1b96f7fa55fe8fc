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
 * line winning per rule, scalars (`strict`, `maxWarnings`, `format`) replaced.
 *
 * Every mistake in the file is an error naming `file:line:column`, because a
 * setting silently dropped is a rule silently off. JSON.parse says where it
 * failed only for some errors (and never where a valid key is wrong), so the
 * file is read by a small parser that keeps the position of every key and
 * value; decoding strings and numbers is still left to JSON.parse.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InvalidArgumentError } from "commander";
import type { Severity } from "../engine/index.js";

export const CONFIG_NAME = ".kreview.json";

/** The settings a file may hold; every member is optional. */
export interface ConfigSettings {
  ignore?: string[];
  only?: string[];
  strict?: boolean;
  severity?: Record<string, Severity>;
  maxWarnings?: number;
  format?: string;
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
      default:
        fail(keyAt, `unknown key "${clip(key)}" (known: ignore, only, strict, severity, maxWarnings, format)`);
    }
  }
  return settings;
}

type Fail = (at: number, what: string) => never;

function ruleIds(node: JNode, key: string, known: Set<string>, fail: Fail): string[] {
  if (node.kind !== "array") return fail(node.at, `"${key}" must be an array of rule ids, not ${describeValue(node)}`);
  return node.items.map((item) => {
    if (item.kind !== "string") return fail(item.at, `"${key}" must hold rule ids (strings), not ${describeValue(item)}`);
    const id = item.value as string;
    if (!known.has(id)) fail(item.at, `unknown rule '${clip(id)}' in "${key}" (see 'kreview rules')`);
    return id;
  });
}

function severities(node: JNode, known: Set<string>, fail: Fail): Record<string, Severity> {
  if (node.kind !== "object") return fail(node.at, `"severity" must be an object of rule ids to levels, not ${describeValue(node)}`);
  const out: Record<string, Severity> = {};
  for (const { key, keyAt, value } of node.entries) {
    if (!known.has(key)) fail(keyAt, `unknown rule '${clip(key)}' in "severity" (see 'kreview rules')`);
    if (key in out) fail(keyAt, `"${clip(key)}" is given twice in "severity"`);
    if (value.kind !== "string" || !LEVELS.includes(value.value as Severity)) {
      fail(value.at, `the level of '${clip(key)}' must be "error", "warning" or "check", not ${describeValue(value)}`);
    }
    out[key] = value.value as Severity;
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

// ---- a JSON reader that remembers where things are ----

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

/** RFC 8259 JSON, strictly (as JSON.parse accepts it), with a leading BOM tolerated. */
function parseJson(text: string): JNode {
  const r = new JsonReader(text);
  if (text.startsWith("\uFEFF")) r.pos = 1; // editors on some systems write one
  r.space();
  const value = r.value();
  r.space();
  if (r.pos < text.length) r.fail(`unexpected ${r.describe()} after the end of the configuration`);
  return value;
}

/** Deeper than this, a configuration is not one: said as an error, before the parser's recursion could overflow the stack. */
const MAX_DEPTH = 32;

class JsonReader {
  pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  fail(reason: string, at = this.pos): never {
    throw new JsonSyntaxError(at, reason);
  }

  /** The character at the position, in words, with a hint for the usual non-JSON habits. */
  describe(): string {
    const c = this.text[this.pos];
    if (c === undefined) return "end of file";
    if (c === "'") return `"'" (JSON strings take double quotes)`;
    if (c === "/") return `'/' (JSON has no comments)`;
    const word = /[A-Za-z_$][\w$]*/y;
    word.lastIndex = this.pos;
    const m = word.exec(this.text);
    if (m) return `'${clip(m[0])}'`;
    return c < " " ? `character ${JSON.stringify(c)}` : `'${c}'`;
  }

  space(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos]!)) this.pos++;
  }

  value(): JNode {
    const c = this.text[this.pos];
    if (c === "{" || c === "[") {
      if (this.depth >= MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep (a configuration needs two)`);
      this.depth++;
      const node = c === "{" ? this.object() : this.array();
      this.depth--;
      return node;
    }
    if (c === '"') return { kind: "string", at: this.pos, value: this.string() };
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos) && !/[\w$]/.test(this.text[this.pos + word.length] ?? "")) {
        const at = this.pos;
        this.pos += word.length;
        return { kind: value === null ? "null" : "boolean", at, value };
      }
    }
    return this.fail(`unexpected ${this.describe()}`);
  }

  private object(): JNode {
    const node: JNode = { kind: "object", at: this.pos, entries: [] };
    this.pos++;
    this.space();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return node;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail(`expected a key in double quotes, found ${this.describe()}`);
      const keyAt = this.pos;
      const key = this.string();
      this.space();
      if (this.text[this.pos] !== ":") this.fail(`expected ':' after the key "${clip(key)}", found ${this.describe()}`);
      this.pos++;
      this.space();
      node.entries.push({ key, keyAt, value: this.value() });
      this.space();
      const c = this.text[this.pos];
      if (c !== "," && c !== "}") this.fail(`expected ',' or '}', found ${this.describe()}`);
      this.pos++;
      if (c === "}") return node;
      this.noTrailingComma("}");
    }
  }

  private array(): JNode {
    const node: JNode = { kind: "array", at: this.pos, items: [] };
    this.pos++;
    this.space();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return node;
    }
    for (;;) {
      this.space();
      node.items.push(this.value());
      this.space();
      const c = this.text[this.pos];
      if (c !== "," && c !== "]") this.fail(`expected ',' or ']', found ${this.describe()}`);
      this.pos++;
      if (c === "]") return node;
      this.noTrailingComma("]");
    }
  }

  /** After a ',': the commonest JSON mistake gets its own message, at the comma. */
  private noTrailingComma(close: string): void {
    const comma = this.pos - 1;
    this.space();
    if (this.text[this.pos] === close) this.fail(`trailing comma before '${close}' (JSON allows none)`, comma);
  }

  /** A string token: checked here for a position, decoded by JSON.parse. */
  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined) this.fail("string not closed: missing '\"'", start);
      if (c === '"') break;
      if (c === "\n" || c === "\r") this.fail("line break inside a string: missing '\"'?", i);
      if (c < " ") this.fail(`control character ${JSON.stringify(c)} inside a string`, i);
      if (c === "\\") {
        const esc = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
        esc.lastIndex = i;
        if (!esc.test(this.text)) this.fail("invalid escape in a string", i);
        i = esc.lastIndex;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private number(): JNode {
    const num = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    num.lastIndex = this.pos;
    const m = num.exec(this.text);
    if (!m) return this.fail("invalid number");
    const at = this.pos;
    this.pos = num.lastIndex;
    return { kind: "number", at, value: JSON.parse(m[0]) as number };
  }
}
