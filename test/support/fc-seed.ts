import fc from "fast-check";

// One seed for every fast-check property in a run, so a run is reproducible and a failure can be replayed.
// LAM_FC_SEED unset: the fixed DEFAULT_SEED (CI and a plain `npm test` never flake on a new random draw).
// LAM_FC_SEED=<integer>: that seed (replays a failure fast-check printed as `{ seed: …, path: … }`).
// LAM_FC_SEED=random: a fresh seed, printed (scripts/property-seeds.sh explores with these).
// A property that passes its own `seed` (a regression case) keeps it: explicit parameters beat the global ones.

export const DEFAULT_SEED = 20261130;

/** The seed LAM_FC_SEED asks for; throws naming the value when it is neither an integer nor "random". */
export function seedFromEnv(raw: string | undefined, random: () => number = () => (Math.random() * 2 ** 32) | 0): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_SEED;
  if (raw.trim() === "random") return random();
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`LAM_FC_SEED=${JSON.stringify(raw)}: expected an integer or "random"`);
  return n | 0;
}

export const FC_SEED = seedFromEnv(process.env.LAM_FC_SEED);
/** Set by scripts/property-seeds.mjs: fixed-seed regression replays add nothing to a search over fresh seeds. */
export const EXPLORING = process.env.LAM_FC_EXPLORE === "1";

/**
 * LAM_FC_RUNS_SCALE (default 1) scales every property's number of runs: mutation testing (vitest.stryker.config.ts)
 * runs the suites once per mutant and uses a fraction. Suites with an explicit numRuns pass it through runs().
 */
export const RUNS_SCALE = (() => {
  const raw = process.env.LAM_FC_RUNS_SCALE;
  const x = raw === undefined || raw === "" ? 1 : Number(raw);
  if (!(x > 0 && x <= 1)) throw new Error(`LAM_FC_RUNS_SCALE=${JSON.stringify(raw)}: expected a number in (0, 1]`);
  return x;
})();
export const runs = (n: number): number => Math.max(1, Math.round(n * RUNS_SCALE));

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED, numRuns: runs(100) });
if (process.env.LAM_FC_SEED !== undefined) console.log(`fast-check seed ${FC_SEED} (LAM_FC_SEED=${process.env.LAM_FC_SEED})`);

/** A regression case: the failing run fast-check reported (seed, and path when known), replayed on every run. */
export interface FailedSeed {
  readonly seed: number;
  readonly path?: string;
  /** Where it came from (issue, date), so it is not deleted as noise. */
  readonly note: string;
}

/** Parameters that replay one recorded failure of a property that was run with `numRuns`. */
export function replay<T>(failed: FailedSeed, numRuns: number): fc.Parameters<T> {
  return failed.path === undefined ? { seed: failed.seed, numRuns } : { seed: failed.seed, path: failed.path, numRuns, endOnFailure: true };
}
