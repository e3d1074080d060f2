/*
 * Displacement errors of predicted action sequences.
 *
 * Per action channel c, in physical units:
 *   ADE_c = mean over windows of (mean over the horizon steps of |pred − true|)
 *   FDE_c = mean over windows of |pred − true| at the last step.
 * Overall ADE / FDE = mean over channels of ADE_c / σ_c (FDE_c / σ_c), σ_c = the action's std in the model's
 * training data (lam.json normalisation.actions), so channels of different units weigh alike; the overall figures are
 * dimensionless (units of training std). Every baseline in one report is scored with the same σ.
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
  ) {
    if (scale.length !== actions.length) throw new Error(`metrics: ${scale.length} scales for ${actions.length} actions`);
    this.sumAde = new Float64Array(actions.length);
    this.sumFde = new Float64Array(actions.length);
  }

  /** One window: `pred` and `truth` are horizon × A, row-major by step. */
  add(pred: ArrayLike<number>, truth: ArrayLike<number>, truthOffset = 0): void {
    const A = this.actions.length;
    const h = this.horizon;
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
