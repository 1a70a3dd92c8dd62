import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real CLIs, servers and databases: generous per-test limits, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: files run in parallel forks, tests inside a file in order.
    pool: "forks",
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
