// `lam tune`: the baseline parameters (set 0) and every combination of the swept values (sets 1..n) run over
// the scenarios, in-process or on worker threads, then ranked (sim/tune/rank.ts) with what each set trades off
// against the baseline: per-metric mean deltas and the scenarios it newly passes or fails.
import { performance } from "node:perf_hooks";
import { rankSets, SCORE_FORMULA, SCORE_WEIGHTS, type ParamSet, type ParamSweep, type RankedSet, type SetResult, type TuneReport } from "../../sim/tune/index.js";
import type { RuntimeModel } from "../model.js";
import { runSetsOnWorkers } from "./pool.js";
import { openTuneContext, runSet, type TuneJob } from "./set.js";

export interface TuneOptions {
  readonly workers: number;
  /** The models already opened by the caller, for the in-process path (one worker). */
  readonly models?: readonly RuntimeModel[];
  readonly onResult?: (r: SetResult, done: number, total: number) => void;
}

/** Set 0 is the baseline (no overrides); set i ≥ 1 is sets[i − 1]. Results in set order. */
export async function runTuneSets(job: TuneJob, sets: readonly ParamSet[], opts: TuneOptions): Promise<SetResult[]> {
  const tasks = [{}, ...sets].map((params, index) => ({ index, params }));
  if (opts.workers > 1) return runSetsOnWorkers(job, tasks, { workers: opts.workers, onResult: opts.onResult });
  const ctx = await openTuneContext(job, opts.models);
  return tasks.map((t, i) => {
    const r = runSet(ctx, t.index, t.params);
    opts.onResult?.(r, i + 1, tasks.length);
    return r;
  });
}

export async function tune(
  job: TuneJob,
  sweeps: readonly ParamSweep[],
  sets: readonly ParamSet[],
  opts: TuneOptions & { readonly top: number },
): Promise<{ report: TuneReport; all: RankedSet[] }> {
  const t0 = performance.now();
  const results = await runTuneSets(job, sets, opts);
  const { baseline, ranking, all } = rankSets(job.scenarios, results, opts.top);
  const report: TuneReport = {
    scoring: { formula: SCORE_FORMULA, weights: SCORE_WEIGHTS },
    scenarios: job.scenarios.map((s) => s.name),
    sweeps,
    sets: sets.length,
    baseline,
    ranking,
    seed: job.seed,
    timing: { wall_s: Math.round(performance.now() - t0) / 1000, workers: opts.workers },
  };
  return { report, all };
}
