// Shared by the kernel/predictor/leak tests: a model from buildModel with random, non-trivial weights, and random
// frames with Missing and NaN values mixed in.
import * as tf from "@tensorflow/tfjs";
import type { Frame, Normalisation } from "../../perception/types.js";
import { Validity } from "../../perception/types.js";
import { buildModel, STD_EPS, type HeadSpec } from "../../dynamics/model.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import type { PredictorModel } from "../../dynamics/predictor.js";
import { prng, type Prng } from "../../dynamics/prng.js";

/**
 * Overwrites every weight with uniform(-scale, scale) draws. buildModel's initial head is ±0.01, which would hide
 * kernel errors behind a near-constant output; these weights make every gate and the head matter.
 */
export function randomiseWeights(model: tf.LayersModel, rng: Prng, scale = 0.5): void {
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    tf.tidy(() => {
      layer.setWeights(ws.map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => (rng.next() * 2 - 1) * scale), w.shape)));
    });
  }
}

export const frameChannels = ["speed", "accel", "yaw_rate", "steer", "steer_cmd", "accel_cmd"] as const;

export function testSpec(over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    features: ["speed", "accel", "yaw_rate", "steer_cmd", "accel_cmd"],
    actions: ["steer_cmd", "accel_cmd"],
    rate: 20,
    history: 12,
    horizon: 6,
    layers: 2,
    units: 24,
    ...over,
  };
}

export function testModel(spec: ModelSpec, seed = 7): PredictorModel {
  const model = buildModel(spec, { seed });
  randomiseWeights(model, prng(seed));
  const F = spec.features.length;
  const featureNorm: Normalisation = {
    channels: [...spec.features],
    mean: Array.from({ length: F }, (_, i) => 0.1 * i),
    std: Array.from({ length: F }, (_, i) => 0.5 + 0.25 * i),
  };
  const head: HeadSpec = { kind: "residual-hold", scale: spec.actions.map((_, a) => 1 + a), fallback: spec.actions.map(() => 0), eps: STD_EPS };
  return { model, spec, featureNorm, head };
}

/** Random frames at the spec's rate; `holes` is the chance that a value is Missing (NaN) or a NaN marked valid. */
export function randomFrames(n: number, seed: number, holes = 0.05, t0 = 100): Frame[] {
  const rng = prng(seed);
  const W = frameChannels.length;
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const values = new Float32Array(W);
    const valid = new Uint8Array(W);
    for (let c = 0; c < W; c++) {
      const r = rng.next();
      if (r < holes / 2) {
        values[c] = NaN;
        valid[c] = Validity.Missing;
      } else if (r < holes) {
        values[c] = NaN; // corrupt: NaN although flagged valid
        valid[c] = Validity.Fresh;
      } else {
        values[c] = (rng.next() * 2 - 1) * 3;
        valid[c] = rng.next() < 0.8 ? Validity.Fresh : Validity.Held;
      }
    }
    frames.push({ t: t0 + i / 20, values, valid });
  }
  return frames;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
