import type { PolicyParams } from "../policy/params.js";

/** The one place a rate becomes a period: dt = 1 / rate (s), checked. */
export function periodOf(rate: number, what = "rate"): number {
  if (!(Number.isFinite(rate) && rate > 0)) throw new Error(`${what}=${rate} Hz: must be a finite number > 0`);
  return 1 / rate;
}

/** The rates one pipeline runs at: frames at the model's rate, commands at the control rate. */
export interface PipelineRate {
  /** Frames per second (ModelSpec.rate: the predictor steps once per frame). */
  readonly modelRate: number;
  /** Commands per second (Scenario.rate in the simulator; the model's rate live and in replay). */
  readonly controlRate: number;
  /** Control period (s): the policy's nominal tick, PolicyParams.nominalDt as the pipeline runs it. */
  readonly dt: number;
}

/**
 * The one owner of rate and time step. The control rate must be the model's rate or a whole multiple of it (each
 * frame then serves a whole number of control ticks); anything else is refused with both values named. The
 * policy's `nominalDt` is derived from the control rate (a preset's value is its default for a loop of unknown
 * rate); a preset whose `maxDt` is shorter than that period cannot run at that rate and is refused.
 */
export function pipelineRate(modelRate: number, controlRate: number = modelRate): PipelineRate {
  periodOf(modelRate, "model rate");
  const dt = periodOf(controlRate, "control rate");
  const ratio = controlRate / modelRate;
  if (Math.abs(ratio - Math.round(ratio)) > 1e-9 || Math.round(ratio) < 1)
    throw new Error(`control rate ${controlRate} Hz does not fit the model's rate ${modelRate} Hz: it must be the model's rate or a whole multiple of it`);
  return { modelRate, controlRate, dt };
}

/** The policy parameters as a pipeline at `rate` runs them: nominalDt = the control period. */
export function policyAtRate(policy: PolicyParams, rate: PipelineRate): PolicyParams {
  if (policy.nominalDt === rate.dt) return policy;
  if (policy.maxDt < rate.dt)
    throw new Error(`policy maxDt=${policy.maxDt} s is shorter than the control period ${rate.dt} s (${rate.controlRate} Hz): every tick would be a clock fault`);
  return { ...policy, nominalDt: rate.dt };
}
