/*
 * Scores a model and the baselines on the same held-out windows (full history H, targets all observed).
 * The model runs batched through tfjs; baselines run as streaming Predictors from the start of each block, so at
 * every window they have seen at least the same H frames the model sees.
 */
import * as tf from "@tensorflow/tfjs";
import { LINEAR_K } from "./baselines/linear.js";
import { needsSourceTrack, SourceTrack } from "./baselines/head-source.js";
import { checkBaselineScores, scoreBaselines, type BaselineScores } from "./baseline-scores.js";
import { cutWindows, type Block, type FrameSeries, type Windows } from "./dataset.js";
import { ErrorAccumulator, perChannelRatios } from "./metrics.js";
import { decodeHead } from "./codec.js";
import type { EvalReport, LoadedModel } from "./lam-json.js";

export { LINEAR_K };
export { baselineIdentity, checkBaselineScores, dataScale, scoreBaselines, standardBaselines, type BaselineMeta, type BaselineScoreOptions, type BaselineScores } from "./baseline-scores.js";

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
  /** The baselines already scored on this dataset (scoreBaselines): shared by every model compared on it. */
  readonly baselines?: BaselineScores;
  /** Each window's decoded model means (horizon × A), as scored: for reports. */
  readonly onModel?: (window: number, mean: Float32Array) => void;
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
  const shared = options.baselines;
  if (shared) checkBaselineScores(shared, meta, series, blocks, steps, w);
  const scored = shared ?? scoreBaselines(meta, series, blocks, { steps, windows: w });
  const scale = scored.scale;

  // A head answering some actions with the linear/AR baseline: those means streamed from each block's start, as
  // the real-time predictor streams them from its reset (window index by drive and first target frame).
  const base = needsSourceTrack(head) ? new Float32Array(w.n * h * A) : undefined;
  if (base) {
    const at = new Map<number, number>();
    const key = (d: number, e: number) => d * 1e9 + e;
    for (let i = 0; i < w.n; i++) at.set(key(w.drive[i], w.end[i]), i);
    for (const b of blocks) {
      const d = series.findIndex((s) => s.name === b.drive);
      const s = series[d];
      const src = new SourceTrack(s.channels, spec.actions, spec.rate, h, head);
      const buf = new Float32Array(h * A);
      for (let e = b.start; e < b.end; e++) {
        src.step(s.frames[e], buf);
        const i = at.get(key(d, e + 1));
        if (i !== undefined) base.set(buf, i * h * A);
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
    options.onModel?.(i, d.mean);
  }
  const baselines = { ...scored.summaries };
  let best = "";
  for (const name of Object.keys(baselines)) if (!best || baselines[name].ade < baselines[best].ade) best = name;
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
