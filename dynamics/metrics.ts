/*
 * Displacement errors of predicted action sequences.
 *
 * Per action channel c, in physical units:
 *   ADE_c = mean over windows of (mean over the horizon steps of |pred − true|)
 *   FDE_c = mean over windows of |pred − true| at the last step.
 * Overall ADE / FDE = mean over channels of ADE_c / σ_c (FDE_c / σ_c), so channels of different units weigh alike;
 * the overall figures are dimensionless. σ_c is chosen by the caller: `evaluate` uses the std of each action over
 * every frame of the evaluated drives (the data's own, whatever model is scored), so two models evaluated on the same
 * drives are comparable. Every baseline in one report is scored with the same σ.
 *
 * Scoring a shorter horizon than the model's: `steps` ≤ horizon takes ADE over the first `steps` steps and FDE at
 * step `steps` (predictions and truths keep their full horizon layout).
 */

export interface ChannelError {
  readonly ade: number;
  readonly fde: number;
}

export interface ErrorSummary {
  readonly ade: number;
  readonly fde: number;
  readonly per_channel: Record<string, ChannelError>;
}

export class ErrorAccumulator {
  private readonly sumAde: Float64Array;
  private readonly sumFde: Float64Array;
  n = 0;

  constructor(
    readonly actions: readonly string[],
    readonly horizon: number,
    /** σ_c per action, for the overall figures. */
    readonly scale: readonly number[],
    /** Steps scored, 1..horizon (default: all). */
    readonly steps: number = horizon,
  ) {
    if (scale.length !== actions.length) throw new Error(`metrics: ${scale.length} scales for ${actions.length} actions`);
    if (!(Number.isInteger(steps) && steps >= 1 && steps <= horizon)) throw new Error(`metrics: ${steps} steps scored of a ${horizon}-step horizon`);
    this.sumAde = new Float64Array(actions.length);
    this.sumFde = new Float64Array(actions.length);
  }

  /** One window: `pred` and `truth` are horizon × A, row-major by step. */
  add(pred: ArrayLike<number>, truth: ArrayLike<number>, truthOffset = 0): void {
    const A = this.actions.length;
    const h = this.steps;
    for (let a = 0; a < A; a++) {
      let s = 0;
      for (let k = 0; k < h; k++) s += Math.abs(pred[k * A + a] - truth[truthOffset + k * A + a]);
      this.sumAde[a] += s / h;
      this.sumFde[a] += Math.abs(pred[(h - 1) * A + a] - truth[truthOffset + (h - 1) * A + a]);
    }
    this.n++;
  }

  summary(): ErrorSummary {
    const per: Record<string, ChannelError> = {};
    let ade = 0;
    let fde = 0;
    this.actions.forEach((c, a) => {
      const ca = this.n ? this.sumAde[a] / this.n : NaN;
      const cf = this.n ? this.sumFde[a] / this.n : NaN;
      per[c] = { ade: ca, fde: cf };
      ade += ca / this.scale[a];
      fde += cf / this.scale[a];
    });
    return { ade: ade / this.actions.length, fde: fde / this.actions.length, per_channel: per };
  }
}

/** Per action: the model's ADE over the best baseline's on that action (null where that baseline is exact). */
export function perChannelRatios(
  model: ErrorSummary,
  baselines: Readonly<Record<string, ErrorSummary>>,
): Record<string, { ratio: number | null; best_baseline: string }> {
  const out: Record<string, { ratio: number | null; best_baseline: string }> = {};
  for (const [c, m] of Object.entries(model.per_channel)) {
    let best = "";
    for (const [name, b] of Object.entries(baselines)) if (!best || b.per_channel[c].ade < baselines[best].per_channel[c].ade) best = name;
    const b = best ? baselines[best].per_channel[c].ade : NaN;
    out[c] = { ratio: b > 0 ? m.ade / b : null, best_baseline: best };
  }
  return out;
}
