/*
 * Scores a model and the baselines on the same held-out windows (full history H, targets all observed).
 * The model runs batched through tfjs; baselines run as streaming Predictors from the start of each block, so at
 * every window they have seen at least the same H frames the model sees.
 */
import * as tf from "@tensorflow/tfjs";
import { arPredictor } from "./baselines/ar.js";
import { holdLast } from "./baselines/hold-last.js";
import { LINEAR_K, linearExtrapolation } from "./baselines/linear.js";
import { needsSourceTrack, SourceTrack } from "./baselines/head-source.js";
import type { BaselineConfig } from "./baselines/action-track.js";
import { cutWindows, fitNormalisation, wholeDrive, type Block, type FrameSeries, type Windows } from "./dataset.js";
import { ErrorAccumulator, perChannelRatios } from "./metrics.js";
import { decodeHead } from "./codec.js";
import type { EvalReport, LamJson, LoadedModel } from "./lam-json.js";
import type { Predictor } from "./types.js";

export { LINEAR_K };

/** The baselines a model is compared with: hold-last, linear extrapolation, and its training-fitted AR(p) if recorded. */
export function standardBaselines(meta: LamJson, frameChannels: readonly string[]): Predictor[] {
  const cfg: BaselineConfig = {
    frameChannels,
    actions: meta.spec.actions,
    rate: meta.spec.rate,
    horizon: meta.spec.horizon,
    fallback: meta.head.fallback,
  };
  const out = [holdLast(cfg), linearExtrapolation(cfg, LINEAR_K)];
  if (meta.baselines?.ar) out.push(arPredictor(cfg, meta.baselines.ar));
  return out;
}

/** Raw head outputs for every window, batched. */
export function predictWindows(model: tf.LayersModel, w: Windows, batchSize = 512): Float32Array {
  const out = new Float32Array(w.n * w.horizon * w.A * 2);
  for (let s = 0; s < w.n; s += batchSize) {
    const B = Math.min(batchSize, w.n - s);
    const raw = tf.tidy(() => {
      const x = tf.tensor3d(w.x.subarray(s * w.T * w.F, (s + B) * w.T * w.F), [B, w.T, w.F]);
      return (model.predict(x) as tf.Tensor).dataSync();
    });
    out.set(raw, s * w.horizon * w.A * 2);
  }
  return out;
}

export interface EvaluateOptions {
  /** Steps of the horizon scored, 1..spec.horizon (default: all): `lam eval --horizon S`. */
  readonly steps?: number;
}

/**
 * Per action, the std over every frame of `series` (whole drives, not only the scored blocks): the data's own
 * scale for the overall figures, the same whatever model is scored on these drives.
 */
export function dataScale(series: readonly FrameSeries[], actions: readonly string[]): number[] {
  return [...fitNormalisation(series, series.filter((s) => s.frames.length > 0).map((s) => wholeDrive(s)), actions).std];
}

export function evaluate(
  loaded: LoadedModel,
  series: readonly FrameSeries[],
  blocks: readonly Block[],
  data: EvalReport["data"],
  options: EvaluateOptions = {},
): EvalReport {
  const { meta, model } = loaded;
  const { spec, head } = meta;
  const A = spec.actions.length;
  const h = spec.horizon;
  const steps = options.steps ?? h;
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= h)) {
    throw new Error(`cannot score ${steps} steps: the model predicts ${h} (${h / spec.rate} s at ${spec.rate} Hz)`);
  }
  const w = cutWindows(series, blocks, spec, meta.normalisation.features, head);
  if (w.n === 0) throw new Error(`no evaluation windows: the held-out data has no stretch of ${spec.history + spec.horizon} frames with observed actions`);
  const scale = dataScale(series, spec.actions);

  // Window index by (drive, first target frame), for the streaming baselines.
  const at = new Map<number, number>();
  const key = (d: number, e: number) => d * 1e9 + e;
  for (let i = 0; i < w.n; i++) at.set(key(w.drive[i], w.end[i]), i);
  // A head answering some actions with the linear/AR baseline: those means streamed from each block's start, as
  // the real-time predictor streams them from its reset.
  const base = needsSourceTrack(head) ? new Float32Array(w.n * h * A) : undefined;
  const accs = new Map<string, ErrorAccumulator>();
  for (const b of blocks) {
    const d = series.findIndex((s) => s.name === b.drive);
    const s = series[d];
    if (base) {
      const src = new SourceTrack(s.channels, spec.actions, spec.rate, h, head);
      const buf = new Float32Array(h * A);
      for (let e = b.start; e < b.end; e++) {
        src.step(s.frames[e], buf);
        const i = at.get(key(d, e + 1));
        if (i !== undefined) base.set(buf, i * h * A);
      }
    }
    for (const p of standardBaselines(meta, s.channels)) {
      let acc = accs.get(p.name);
      if (!acc) accs.set(p.name, (acc = new ErrorAccumulator(spec.actions, h, scale, steps)));
      p.reset();
      for (let e = b.start; e < b.end; e++) {
        const seq = p.step(s.frames[e]);
        const i = at.get(key(d, e + 1));
        if (i !== undefined) acc.add(seq.mean, w.y, i * h * A);
      }
    }
  }
  const modelErr = new ErrorAccumulator(spec.actions, h, scale, steps);
  const raw = predictWindows(model, w);
  const per = h * A * 2;
  for (let i = 0; i < w.n; i++) {
    const bw = base?.subarray(i * h * A, (i + 1) * h * A);
    const d = decodeHead(raw.subarray(i * per, (i + 1) * per), w.last.subarray(i * A, (i + 1) * A), head, h, undefined, bw);
    modelErr.add(d.mean, w.y, i * h * A);
  }
  const baselines: Record<string, ReturnType<ErrorAccumulator["summary"]>> = {};
  let best = "";
  for (const [name, acc] of accs) {
    if (acc.n !== w.n) throw new Error(`baseline ${name} scored ${acc.n} of ${w.n} windows`);
    baselines[name] = acc.summary();
    if (!best || baselines[name].ade < baselines[best].ade) best = name;
  }
  const m = modelErr.summary();
  return {
    model: m,
    baselines,
    windows: w.n,
    ratio_to_best_baseline: m.ade / baselines[best].ade,
    best_baseline: best,
    data,
    per_channel_ratio: perChannelRatios(m, baselines),
    horizon: { steps, seconds: steps / spec.rate },
    scale: { source: "data_std", per_channel: Object.fromEntries(spec.actions.map((a, i) => [a, scale[i]])) },
  };
}
