import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Seeds every fast-check property (LAM_FC_SEED; see test/support/fc-seed.ts).
    setupFiles: ["test/support/fc-seed.ts"],
  },
});
