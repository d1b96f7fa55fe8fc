/**
 * Functions the patch calls but does not show, read from the kernel tree.
 *
 * A reviewer who sees `dwc2_force_mode(hsotg, true)` under a spinlock opens
 * `drivers/usb/dwc2/core.c` and finds the `usleep_range()` two calls down.
 * With a tree, kreview does the same, within bounds: it looks for a
 * definition in the files the patch touches and in the files the Makefile of
 * their directory builds into the same module (`dwc2-y := core.o drd.o`),
 * never across the whole tree. A file is searched as text first and parsed
 * only when it defines the name.
 *
 * No I/O here: files come through the TreeSource the CLI hands over.
 */
import { parseC, type SyntaxNode, type Tree } from "./parser.js";
import { functionName } from "./view.js";
import type { TreeSource } from "./whole.js";

/** How many files of the tree one patch may have read for callees. */
const MAX_FILES = 16;

export interface CalleeDefinition {
  /** The function_definition node (in a tree of its own file). */
  node: SyntaxNode;
  /** The tree path of the file that defines it. */
  file: string;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

export class TreeCallees {
  private readonly texts = new Map<string, string | null>();
  private readonly trees = new Map<string, Tree>();
  private readonly dirs = new Map<string, string[]>();
  private readonly found = new Map<string, CalleeDefinition | null>();
  private readonly names = new Map<string, Set<string>>();

  constructor(
    private readonly tree: TreeSource,
    /** The C files the patch changes (tree paths). */
    private readonly patchFiles: readonly string[],
  ) {}

  /** The definition of `name` in a file of the patch's modules, searched from `near` outwards; null when none is found. */
  definition(name: string, near: string): CalleeDefinition | null {
    const key = `${near}\0${name}`;
    const hit = this.found.get(key);
    if (hit !== undefined) return hit;
    if (!/^[A-Za-z_]\w*$/.test(name)) return null;
    let out: CalleeDefinition | null = null;
    for (const file of this.candidates(near)) {
      const text = this.text(file);
      if (!text || !this.declared(file, text).has(name)) continue;
      let t = this.trees.get(file);
      if (!t) this.trees.set(file, (t = parseC(text)));
      const def = t.rootNode.namedChildren.find((n) => n.type === "function_definition" && functionName(n) === name);
      if (def) {
        out = { node: def, file };
        break;
      }
    }
    this.found.set(key, out);
    return out;
  }

  /** Names that a line of the file, starting at its first column, declares or defines as functions: a cheap index. */
  private declared(file: string, text: string): Set<string> {
    let names = this.names.get(file);
    if (!names) {
      names = new Set();
      for (const m of text.matchAll(/^(?:[A-Za-z_][^;=()\n]*?[\t *])?([A-Za-z_]\w*)[ \t]*\(/gm)) names.add(m[1]);
      this.names.set(file, names);
    }
    return names;
  }

  /** The file itself, the other files of the patch in its directory, then what its directory's Makefile builds. */
  private candidates(near: string): string[] {
    const dir = dirOf(near);
    const out = [near, ...this.patchFiles.filter((f) => f !== near && dirOf(f) === dir && f.endsWith(".c"))];
    for (const f of this.module(dir)) if (!out.includes(f)) out.push(f);
    return out;
  }

  private module(dir: string): string[] {
    let files = this.dirs.get(dir);
    if (files) return files;
    files = [];
    const make = this.text(dir ? `${dir}/Makefile` : "Makefile");
    if (make) {
      for (const m of make.matchAll(/\b([A-Za-z0-9_-]+)\.o\b/g)) {
        const f = dir ? `${dir}/${m[1]}.c` : `${m[1]}.c`;
        if (!files.includes(f)) files.push(f);
      }
    }
    this.dirs.set(dir, files);
    return files;
  }

  private text(file: string): string | null {
    if (this.texts.has(file)) return this.texts.get(file)!;
    if (this.texts.size >= MAX_FILES) return null;
    const r = this.tree.read(file);
    const text = r && "text" in r ? r.text : null;
    this.texts.set(file, text);
    return text;
  }
}
