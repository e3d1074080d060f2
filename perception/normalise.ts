/*
 * The one normalisation: statistics (mean, std per channel) and z = (x − mean) / std with its inverse. Training,
 * evaluation, the imitation windows and the real-time predictor's per-tick feature encoding all go through here.
 *
 * Numerics are part of the contract: bundled models ship with statistics computed by this summation (Float64 sums of
 * x and x² in frame order, std = √max(0, E[x²] − mean²)) and are run with this division; recomputing a model's
 * statistics on its training blocks gives its lam.json values to the last bit (test/dynamics/normalisation-windows).
 */
import type { Frame, FrameSpec, Normalisation } from "./types.js";
import { Validity } from "./types.js";

/** A value that counts: not Missing and finite (a NaN that slipped past validation must not poison a statistic). */
export function usable(frame: Frame, j: number): boolean {
  return frame.valid[j] !== Validity.Missing && Number.isFinite(frame.values[j]);
}

/**
 * What a small std becomes. "unit": a std at or below `min` is a constant channel, kept at 0 by std 1 (training's
 * rule, lam.json's statistics); "min": the std is floored at `min` (the imitation learner's features).
 */
export interface StdFloor {
  readonly min: number;
  readonly below: "unit" | "min";
}

export const UNIT_STD_FLOOR: StdFloor = { min: 1e-6, below: "unit" };

/** A channel with no usable value: an error naming it, or mean 0 with the floor's std of 0. */
export type EmptyChannel = "error" | "zero";

/** Per channel sums of the usable values, added in call order (the order fixes the last bit of the result). */
export class NormalisationSums {
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  readonly count: Float64Array;

  constructor(readonly channels: readonly string[]) {
    this.sum = new Float64Array(channels.length);
    this.sq = new Float64Array(channels.length);
    this.count = new Float64Array(channels.length);
  }

  /** Adds the frame's usable values; channel c sits at `idx[c]` in the frame. */
  add(frame: Frame, idx: ArrayLike<number>): void {
    for (let c = 0; c < this.channels.length; c++) {
      if (!usable(frame, idx[c])) continue;
      const v = frame.values[idx[c]];
      this.sum[c] += v;
      this.sq[c] += v * v;
      this.count[c]++;
    }
  }

  result(floor: StdFloor = UNIT_STD_FLOOR, empty: EmptyChannel = "error"): Normalisation {
    const mean: number[] = [];
    const std: number[] = [];
    this.channels.forEach((name, c) => {
      const n = this.count[c];
      if (n === 0 && empty === "error") throw new Error(`channel "${name}" has no usable value`);
      const m = n === 0 ? 0 : this.sum[c] / n;
      const sd = n === 0 ? 0 : Math.sqrt(Math.max(0, this.sq[c] / n - m * m));
      mean.push(m);
      std.push(floorStd(sd, floor));
    });
    return { channels: [...this.channels], mean, std };
  }
}

export function floorStd(sd: number, floor: StdFloor): number {
  return floor.below === "unit" ? (sd > floor.min ? sd : 1) : Math.max(sd, floor.min);
}

/**
 * Statistics of every channel of `spec` over `frames`. A never-usable channel gets the identity (mean 0, std 1) with
 * the default floor.
 */
export function computeNormalisation(frames: Iterable<Frame>, spec: FrameSpec, floor: StdFloor = UNIT_STD_FLOOR): Normalisation {
  const sums = new NormalisationSums(spec.channels.map((c) => c.name));
  // Int32Array indices, as dataset.ts and the predictor pass: one element kind where these loops are hot.
  const idx = Int32Array.from(spec.channels, (_, c) => c);
  for (const f of frames) sums.add(f, idx);
  return sums.result(floor, "zero");
}

/** z = (x − mean) / std: a division, not a product with 1/std (models are trained and run with exactly this). */
export function zScore(x: number, mean: number, std: number): number {
  return (x - mean) / std;
}

/** The inverse of zScore. */
export function fromZScore(z: number, mean: number, std: number): number {
  return z * std + mean;
}

/**
 * Writes the z-scores of the frame's channels `idx` (statistic c for idx[c]) into `out[offset ..]`: an unusable value
 * becomes `missing`, the rest are clamped to ±clamp. The predictor's per-tick feature encoding.
 */
export function normaliseInto(frame: Frame, idx: ArrayLike<number>, norm: Normalisation, out: Float32Array, offset: number, clamp = Infinity, missing = 0): void {
  for (let f = 0; f < idx.length; f++) {
    const j = idx[f];
    const v = frame.values[j];
    let z = missing;
    if (frame.valid[j] !== Validity.Missing && Number.isFinite(v)) {
      z = zScore(v, norm.mean[f], norm.std[f]);
      if (z > clamp) z = clamp;
      else if (z < -clamp) z = -clamp;
    }
    out[offset + f] = z;
  }
}

/** Maps a Normalisation onto a FrameSpec's channel order; names the channels it lacks. */
export function normaliser(norm: Normalisation, spec: FrameSpec): (frame: Frame) => Frame {
  const stats = alignedStats(norm, spec);
  const idx = Int32Array.from(spec.channels, (_, c) => c);
  return (f) => {
    const values = new Float32Array(f.values.length);
    normaliseInto(f, idx, stats, values, 0, Infinity, NaN);
    return { t: f.t, values, valid: f.valid };
  };
}

/** The inverse of `normaliser`: physical values back from z-scores; Missing stays NaN. */
export function denormaliser(norm: Normalisation, spec: FrameSpec): (frame: Frame) => Frame {
  const { mean, std } = alignedStats(norm, spec);
  return (f) => {
    const values = new Float32Array(f.values.length);
    for (let c = 0; c < values.length; c++) values[c] = f.valid[c] === Validity.Missing ? NaN : fromZScore(f.values[c], mean[c], std[c]);
    return { t: f.t, values, valid: f.valid };
  };
}

function alignedStats(norm: Normalisation, spec: FrameSpec): Normalisation {
  const mean: number[] = [];
  const std: number[] = [];
  for (const ch of spec.channels) {
    const i = norm.channels.indexOf(ch.name);
    if (i < 0) throw new Error(`normalisation has no channel "${ch.name}" (it has: ${norm.channels.join(", ")})`);
    if (!(norm.std[i] > 0 && Number.isFinite(norm.mean[i]))) throw new Error(`normalisation of "${ch.name}": mean=${norm.mean[i]} std=${norm.std[i]} is unusable`);
    mean.push(norm.mean[i]);
    std.push(norm.std[i]);
  }
  return { channels: spec.channels.map((c) => c.name), mean, std };
}
