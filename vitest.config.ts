import os from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The end-to-end tests wait on child processes: one test file per core, not one fewer.
    maxWorkers: os.availableParallelism(),
    // The default report, plus one plain closing line ("N passed, N failed") that CI reads.
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
