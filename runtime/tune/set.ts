// One parameter set run across the tuning scenarios: the unit of work a tune worker (or the main thread, with
// one worker) does. Everything a set's result depends on is in the TuneJob and the overrides, so where it runs
// cannot change it.
import { performance } from "node:perf_hooks";
import type { Scenario } from "../../scenarios/index.js";
import { buildReport } from "../../sim/index.js";
import type { ParamSet, SetResult } from "../../sim/tune/index.js";
import type { PolicyParams } from "../../policy/index.js";
import { openPolicy, type RuntimeModel } from "../model.js";
import { openBundledModels, openModelFor, planScenarios, runPlanned, type SimSetup } from "../sim-run.js";

/** What every worker needs to run any set: plain data, sent once as workerData. */
export interface TuneJob {
  readonly scenarios: readonly Scenario[];
  /** Model folder (undefined = the bundled models, each scenario driven by the one that predicts its actions). */
  readonly modelDir?: string;
  /** --policy FILE|preset (undefined = by the scenario's vehicle). */
  readonly policy?: string;
  readonly seed: number;
}

/** A job with its models and base policy opened: built once per worker. */
export interface TuneContext {
  readonly job: TuneJob;
  readonly models: readonly RuntimeModel[];
  readonly policy: PolicyParams | null;
}

/** The models a job runs: the given folder, or the bundled ones its scenarios need (as `lam sim` picks them). */
export async function openTuneModels(job: Pick<TuneJob, "scenarios" | "modelDir">): Promise<RuntimeModel[]> {
  return job.modelDir === undefined ? openBundledModels(job.scenarios) : [await openModelFor(job.modelDir)];
}

export async function openTuneContext(job: TuneJob, models?: readonly RuntimeModel[]): Promise<TuneContext> {
  const ms = models ?? (await openTuneModels(job));
  // --policy names a file or preset: which model is asked does not matter then.
  const policy = job.policy === undefined ? null : await openPolicy({ actions: [] }, job.policy);
  return { job, models: ms, policy };
}

export function setupFor(ctx: TuneContext, overrides: ParamSet): SimSetup {
  return { driver: "model", model: ctx.models[0] ?? null, models: ctx.models, policy: ctx.policy, overrides };
}

/** Runs one set over every scenario (compatibility was checked before any set ran). */
export function runSet(ctx: TuneContext, index: number, params: ParamSet): SetResult {
  const t0 = performance.now();
  const setup = setupFor(ctx, params);
  const runs = runPlanned(planScenarios(ctx.job.scenarios, setup), setup, { seed: ctx.job.seed, now: () => performance.now() });
  // Only the results travel back: the tick records of every set would dwarf them.
  const { scenarios } = buildReport(runs);
  return { index, params, scenarios, timing: { wall_ms: Math.round((performance.now() - t0) * 10) / 10 } };
}
