/**
 * How the kernel builds a source file, read from its directory's Makefile
 * (or Kbuild) and the Kconfig that declares the option it is built under.
 *
 *     obj-$(CONFIG_TYPEC_UCSI)  += typec_ucsi.o     # typec_ucsi is a module...
 *     typec_ucsi-y              := ucsi.o
 *     typec_ucsi-y              += displayport.o    # ...of ucsi.c and displayport.c
 *     config TYPEC_UCSI
 *             tristate "USB Type-C ..."             # ...that may be loadable
 *
 * A file is `builtin` when its object is on an `obj-y` line or under a
 * `bool` option, `modular` when under a `tristate` one or `obj-m`, and
 * `unknown` when the Makefile or the option cannot be found. Conditionals
 * (`ifneq`, `ifdef`) are not evaluated: an object they list is taken as
 * listed. No I/O: files come through the TreeSource.
 */
import type { TreeSource } from "./whole.js";

export interface BuildUnit {
  /** The module the file is linked into, as `dir/name` (the composite object, or the file's own object). */
  module: string;
  /** The option it is built under (`CONFIG_TYPEC_UCSI`), null for `obj-y` / `obj-m`. */
  option: string | null;
  build: "builtin" | "modular" | "unknown";
}

function dirOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1).replace(/\.[^.]*$/, "");
}

interface Assignment {
  target: string;
  /** `y`, `m`, or an option name. */
  when: string;
  objects: string[];
}

/** The assignments of a Makefile: `name-$(CONFIG_X) += a.o b.o`, continuation lines joined. */
export function makefileAssignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  const joined = text.replace(/\\\r?\n/g, " ");
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, "");
    const m = /^\s*([A-Za-z0-9_.-]+?)-(y|m|objs|\$\(CONFIG_([A-Za-z0-9_]+)\))\s*[:+]?=\s*(.*)$/.exec(line);
    if (!m) continue;
    const when = m[3] ?? (m[2] === "objs" ? "y" : m[2]);
    const objects = m[4].split(/\s+/).filter((w) => /\.o$/.test(w));
    out.push({ target: m[1], when, objects });
  }
  return out;
}

/** The type of `config NAME` in a Kconfig text: `bool`, `tristate`, or null when it is not declared there. */
export function kconfigType(text: string, name: string): "bool" | "tristate" | null {
  const re = new RegExp(`^\\s*(?:menu)?config\\s+${name}\\s*$`, "m");
  const m = re.exec(text);
  if (!m) return null;
  const after = text.slice(m.index + m[0].length).split(/\n(?=\s*(?:menu)?config\s|\s*(?:endmenu|endif|menu|choice|if|source)\b)/)[0];
  const t = /^\s*(?:def_)?(bool|tristate)\b/m.exec(after);
  return t ? (t[1] as "bool" | "tristate") : null;
}

export class Kbuild {
  private readonly makefiles = new Map<string, Assignment[] | null>();
  private readonly options = new Map<string, "bool" | "tristate" | null>();
  private readonly units = new Map<string, BuildUnit | null>();
  private readonly kconfigs = new Map<string, string | null>();

  constructor(private readonly tree: TreeSource) {}

  /** How `file` (a tree path of a `.c` file) is built; null when its Makefile does not list it. */
  unit(file: string): BuildUnit | null {
    if (this.units.has(file)) return this.units.get(file)!;
    const u = this.compute(file);
    this.units.set(file, u);
    return u;
  }

  private compute(file: string): BuildUnit | null {
    const dir = dirOf(file);
    const make = this.makefile(dir);
    if (!make) return null;
    const obj = `${baseOf(file)}.o`;
    const at = (name: string) => (dir ? `${dir}/${name}` : name);
    // a part of a composite object (`typec_ucsi-y += ucsi.o`), linked where that object is
    for (const a of make) {
      if (a.target === "obj" || a.target === "lib" || !a.objects.includes(obj)) continue;
      const top = make.find((b) => (b.target === "obj" || b.target === "lib") && b.objects.includes(`${a.target}.o`));
      if (top) return { module: at(a.target), option: this.optionOf(top.when), build: this.buildOf(top.when, dir) };
    }
    const own = make.find((a) => (a.target === "obj" || a.target === "lib") && a.objects.includes(obj));
    if (!own) return null;
    // lib-y objects are linked into lib.a: built in when anything uses them
    return { module: at(baseOf(file)), option: this.optionOf(own.when), build: own.target === "lib" ? "builtin" : this.buildOf(own.when, dir) };
  }

  private optionOf(when: string): string | null {
    return when === "y" || when === "m" ? null : `CONFIG_${when}`;
  }

  private buildOf(when: string, dir: string): BuildUnit["build"] {
    if (when === "y") return "builtin";
    if (when === "m") return "modular";
    const type = this.optionType(when, dir);
    return type === "bool" ? "builtin" : type === "tristate" ? "modular" : "unknown";
  }

  /** An option's type, from the Kconfig of the directory or of a directory above it. */
  private optionType(name: string, dir: string): "bool" | "tristate" | null {
    const key = `${dir}\0${name}`;
    if (this.options.has(key)) return this.options.get(key)!;
    let type: "bool" | "tristate" | null = null;
    for (let d: string | null = dir; d !== null && type === null; d = d === "" ? null : dirOf(d)) {
      const text = this.kconfig(d);
      if (text) type = kconfigType(text, name);
    }
    this.options.set(key, type);
    return type;
  }

  private makefile(dir: string): Assignment[] | null {
    if (this.makefiles.has(dir)) return this.makefiles.get(dir)!;
    let text: string | null = null;
    for (const name of ["Makefile", "Kbuild"]) {
      const r = this.tree.read(dir ? `${dir}/${name}` : name);
      if (r && "text" in r) text = (text ?? "") + r.text + "\n";
    }
    const out = text === null ? null : makefileAssignments(text);
    this.makefiles.set(dir, out);
    return out;
  }

  private kconfig(dir: string): string | null {
    if (this.kconfigs.has(dir)) return this.kconfigs.get(dir)!;
    const r = this.tree.read(dir ? `${dir}/Kconfig` : "Kconfig");
    const text = r && "text" in r ? r.text : null;
    this.kconfigs.set(dir, text);
    return text;
  }
}
