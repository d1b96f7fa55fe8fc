import { ruleTester } from "../helpers/rule-tester.js";

const helper = (mark: string, extra = "") => `static int ${mark}foo_setup(void)
{
	return register_foo(&foo_ops);
}

static int __init foo_init(void)
{
	return foo_setup();
}
${extra}module_init(foo_init);
`;

const table = (mark: string, reader = "int foo_lookup(int i)\n{\n\treturn foo_table[i];\n}\n") => `static int foo_table[16]${mark};

static int __init foo_init(void)
{
	int i;

	for (i = 0; i < 16; i++)
		foo_table[i] = i * 2;
	return 0;
}

${reader}`;

const initcall = (mark: string) => `static int ${mark}foo_init(void)
{
	return register_foo(&foo_ops);
}
module_init(foo_init);
`;

ruleTester("ro-after-init", {
  valid: [
    { name: "a helper already marked __init", code: helper("__init ") },
    { name: "a helper also called after boot", code: helper("", "void foo_reset(void)\n{\n\tfoo_setup();\n}\n") },
    { name: "a helper only __exit code calls is not boot code", code: helper("").replace("static int __init foo_init", "static int __exit foo_init") },
    { name: "a helper whose address is taken", code: helper("", "static void *foo_hook = foo_setup;\n") },
    { name: "a table already __ro_after_init", code: table(" __ro_after_init") },
    { name: "a table also written after boot", code: table("", "void foo_set(int i, int v)\n{\n\tfoo_table[i] = v;\n}\n") },
    { name: "a pointer set once at init is left alone", code: "static struct kmem_cache *foo_cachep;\n\nstatic int __init foo_init(void)\n{\n\tfoo_cachep = KMEM_CACHE(foo, 0);\n\treturn 0;\n}\n\nvoid *foo_alloc(void)\n{\n\treturn kmem_cache_alloc(foo_cachep, GFP_KERNEL);\n}\n" },
    { name: "a module_init function marked __init", code: initcall("__init ") },
  ],
  invalid: [
    { name: "a helper only __init code calls", code: helper(""), errors: [{ line: 1, messageId: "initOnly" }] },
    { name: "a table written only at init and read after", code: table(""), errors: [{ line: 1, messageId: "roAfterInit" }] },
    { name: "a module_init function not marked __init", code: initcall(""), errors: [{ line: 1, messageId: "initcall" }] },
  ],
});
