/**
 * What a path in the kernel tree says about the code in it, as data: test
 * code (a user that does not justify an exported interface) and user-space
 * code (no user of an export at all).
 */

/**
 * Test code: `lib/test_*.c`, KUnit suites (`*_kunit.c`, `kunit/`),
 * selftests, `tests/` directories and `*_test.c` / `*-test.c` files, and the
 * `samples/` modules that only show an interface in use.
 */
export const TEST_CODE_PATH = /(^|\/)(lib\/test_[^/]*|[^/]*kunit[^/]*|[^/]*selftest[^/]*|tests?\/.*|[^/]*[_-]tests?\.[ch]|samples\/.*|tools\/testing\/.*)$/;

/** Code that runs in user space (the tools, the build scripts): it cannot use a kernel export. */
export const USERSPACE_PATH = /^(tools|scripts|usr)\//;

export function isTestCode(path: string): boolean {
  return TEST_CODE_PATH.test(path);
}

export function isUserspace(path: string): boolean {
  return USERSPACE_PATH.test(path) && !path.startsWith("tools/testing/");
}

/** Kernel code proper: in a directory of the tree (no kernel C file sits at its top), not tests, not user space. */
export function isKernelSource(path: string): boolean {
  return path.includes("/") && !isTestCode(path) && !isUserspace(path);
}
