import type { Frame } from "../perception/types.js";

/** A predicted action sequence: `mean` (and `std`) are horizon × channels, row-major by step. */
export interface ActionSequence {
  /** Time of the first predicted step (s, source clock). */
  readonly t0: number;
  /** Step between predicted rows (s). */
  readonly dt: number;
  readonly channels: readonly string[];
  readonly mean: Float32Array;
  readonly std?: Float32Array;
  /** Which model or baseline produced it. */
  readonly model: string;
}

/**
 * Anything that predicts the next action sequence from a stream of frames: the LSTM, the baselines.
 * `step` is called once per tick with the newest frame; state between ticks is the predictor's own.
 */
export interface Predictor {
  readonly name: string;
  /** Forget all history (new drive, new agent, after a gap). */
  reset(): void;
  step(frame: Frame): ActionSequence;
}
