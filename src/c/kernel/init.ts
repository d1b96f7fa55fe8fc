/**
 * Boot-time code, as data: annotations that put a function or a variable in
 * the init sections (freed, or made read-only, once the kernel has booted),
 * and the macros that register a function to run once at boot. Read by the
 * ro-after-init rule through the engine.
 */

/** Annotations that already place a function in a section of its own (init, exit, or allowed to call init code). */
export const INIT_FUNCTION_ANNOTATIONS: ReadonlySet<string> = new Set(["__init", "__exit", "__ref", "__meminit", "__cpuinit", "__devinit"]);

/**
 * Annotations that make a function boot code, freed after boot. Not
 * `__ref` (a run-time function allowed to call init code: memory hotplug's
 * `add_memory_resource()`), nor `__meminit` (kept when memory hotplug is
 * built), nor `__exit`.
 */
export const BOOT_ONLY_ANNOTATIONS: ReadonlySet<string> = new Set(["__init"]);

/** Annotations (and qualifiers) that already say how a variable lives after boot. */
export const VARIABLE_PLACEMENT = /\b(const|__ro_after_init|__initdata|__initconst|__exitdata|__read_mostly|__refdata|__meminitdata|__percpu|DEFINE_PER_CPU\w*)\b/;

/** Macros that register a function to run once at boot (or module load): the function is init code. */
export const INITCALL_MACROS: ReadonlySet<string> = new Set([
  "module_init", "early_initcall", "pure_initcall", "core_initcall", "postcore_initcall", "arch_initcall",
  "subsys_initcall", "fs_initcall", "rootfs_initcall", "device_initcall", "late_initcall",
  "core_initcall_sync", "postcore_initcall_sync", "arch_initcall_sync", "subsys_initcall_sync",
  "fs_initcall_sync", "device_initcall_sync", "late_initcall_sync", "console_initcall",
]);

/** Macros that register a handler of the kernel command line, run at boot: `early_param("foo", foo_setup)`. */
export const BOOT_PARAM_MACROS: Readonly<Record<string, number>> = { early_param: 1, __setup: 1 };
