import { defineConfig } from "vitest/config";

// Vitest for StrykerJS only (scripts/mutation.sh): the suites of the pure folders. Stryker runs them in a sandbox
// copy of the repo (.stryker-tmp/sandbox-*; mutation.sh links .stryker-tmp/shared so ../shared/data resolves).
// LAM_MUTATION_TESTS (comma-separated globs) replaces the default set.
const tests = process.env.LAM_MUTATION_TESTS?.split(",").filter(Boolean) ?? [
  "test/policy/**/*.test.ts",
  "test/perception/**/*.test.ts",
  "test/pipeline/**/*.test.ts",
  "test/dynamics/baselines-exact.test.ts",
];

export default defineConfig({
  test: {
    include: tests,
    // Left out, as each loads for seconds per run (a mutant reruns a file's beforeAll): the real drives (the outlier
    // filter has its own suite) and the one-tick integration test (a tfjs model, the live node, a real drive).
    exclude: ["**/node_modules/**", "test/perception/real-drives.test.ts", "test/pipeline/one-tick.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // No pool here: Stryker sets its own (stryker.config.json vitest.pool, threads: no process start per run).
    // One worker keeps its imports across test files: the dry run of the policy suites spent 21 s on overhead with
    // this against 66 s without (same 165 tests, same hour, load ~12). The price: some mutants survive wrongly
    // (static ones, and some whose per-test coverage lands on another file's test), none is killed wrongly, so the
    // score is a lower bound. LAM_MUTATION_ISOLATE=1 (what mutation.sh's survivor recheck sets) isolates each file.
    isolate: process.env.LAM_MUTATION_ISOLATE === "1",
    setupFiles: ["test/support/fc-seed.ts"],
    // Each mutant reruns the covering tests: a tenth of the property runs (the fixed seed keeps it deterministic).
    env: { LAM_FC_RUNS_SCALE: process.env.LAM_FC_RUNS_SCALE ?? "0.1" },
  },
});
