// The prior alone as a Predictor: what the network's residual is measured against (`lam sim --driver prior`).
// Its action is held over the horizon; it has no spread (the policy's spread checks do not apply to it).
import { Validity, type Frame } from "../../perception/types.js";
import type { ActionSequence, Predictor } from "../types.js";
import { headPrior, type HeadPrior } from "./head.js";
import type { PriorSpec } from "./spec.js";

export class PriorPredictor implements Predictor {
  readonly name = "prior";
  private readonly prior: HeadPrior;
  private readonly actionIdx: number[];
  private readonly last: Float32Array;
  private readonly dt: number;

  constructor(
    spec: PriorSpec,
    frameChannels: readonly string[],
    private readonly actions: readonly string[],
    private readonly horizon = 1,
  ) {
    this.prior = headPrior(spec, frameChannels, actions);
    this.actionIdx = actions.map((a) => {
      const i = frameChannels.indexOf(a);
      if (i < 0) throw new Error(`prior predictor: action "${a}" is not in the frames (${frameChannels.join(", ")})`);
      return i;
    });
    this.last = new Float32Array(actions.length);
    this.dt = spec.dt;
  }

  reset(): void {}

  step(frame: Frame): ActionSequence {
    this.actionIdx.forEach((j, a) => {
      const v = frame.values[j];
      this.last[a] = frame.valid[j] !== Validity.Missing && Number.isFinite(v) ? v : 0;
    });
    this.prior(frame, this.last, this.last);
    const A = this.actions.length;
    const mean = new Float32Array(this.horizon * A);
    for (let k = 0; k < this.horizon; k++) mean.set(this.last, k * A);
    return { t0: frame.t + this.dt, dt: this.dt, channels: this.actions, mean, model: this.name };
  }
}
