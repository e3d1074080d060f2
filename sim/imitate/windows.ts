// Recorded episodes → training windows for dynamics/train.ts: inputs are the last `history` frames (front-padded),
// the head context is the prior's action on the newest frame (as the predictor computes it), and the targets are the
// reference's actions over the horizon, row 0 being the action for the newest frame's tick (what the policy acts on).
import { channelIndex, encodeWindow, headContext, STD_EPS, type HeadSpec } from "../../dynamics/codec.js";
import type { Windows } from "../../dynamics/dataset.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { headPrior } from "../../dynamics/prior/head.js";
import { Validity, type Normalisation } from "../../perception/types.js";
import type { Episode } from "./record.js";

/** Feature statistics over the episodes' frames (Missing and non-finite values left out); std floored. */
export function featureNorm(episodes: readonly Episode[], channels: readonly string[], features: readonly string[]): Normalisation {
  const idx = channelIndex(channels, features);
  const F = features.length;
  const sum = new Float64Array(F);
  const sq = new Float64Array(F);
  const cnt = new Float64Array(F);
  for (const e of episodes) {
    for (const fr of e.frames) {
      for (let f = 0; f < F; f++) {
        const j = idx[f];
        const v = fr.values[j];
        if (fr.valid[j] === Validity.Missing || !Number.isFinite(v)) continue;
        sum[f] += v;
        sq[f] += v * v;
        cnt[f]++;
      }
    }
  }
  const mean = Array.from(sum, (s, f) => (cnt[f] ? s / cnt[f] : 0));
  const std = Array.from(sq, (s, f) => Math.max(Math.sqrt(Math.max(cnt[f] ? s / cnt[f] - mean[f] * mean[f] : 0, 0)), 1e-3));
  return { channels: [...features], mean, std };
}

/** The head for these episodes: residual over the prior, scale = per action std of (label − prior), Laplace. */
export function priorHead(episodes: readonly Episode[], channels: readonly string[], spec: ModelSpec, base: Omit<HeadSpec, "scale" | "fallback">): HeadSpec {
  const A = spec.actions.length;
  const aIdx = channelIndex(channels, spec.actions);
  const prior = base.prior ? headPrior(base.prior, channels, spec.actions) : undefined;
  const tmp: HeadSpec = { ...base, scale: new Array(A).fill(1), fallback: new Array(A).fill(0) };
  const sum = new Float64Array(A);
  const sq = new Float64Array(A);
  const lab = new Float64Array(A);
  let n = 0;
  const ctx = new Float32Array(A);
  for (const e of episodes) {
    e.frames.forEach((fr, k) => {
      headContext(fr, aIdx, tmp, ctx, prior);
      for (let a = 0; a < A; a++) {
        const y = e.labels[k * A + a];
        if (!Number.isFinite(y)) return;
      }
      for (let a = 0; a < A; a++) {
        const r = e.labels[k * A + a] - ctx[a];
        sum[a] += r;
        sq[a] += r * r;
        lab[a] += e.labels[k * A + a];
      }
      n++;
    });
  }
  if (n === 0) throw new Error("no labelled frames to size the head from");
  const scale = Array.from(sq, (s, a) => Math.max(Math.sqrt(Math.max(s / n - (sum[a] / n) ** 2, 0)), STD_EPS));
  return { ...base, scale, fallback: Array.from(lab, (s) => s / n) };
}

/** Windows ending at every `stride`-th frame whose horizon lies inside its episode. */
export function episodeWindows(episodes: readonly Episode[], channels: readonly string[], spec: ModelSpec, norm: Normalisation, head: HeadSpec, stride = 1): Windows {
  const H = spec.history;
  const h = spec.horizon;
  const A = spec.actions.length;
  const F = spec.features.length;
  const fIdx = channelIndex(channels, spec.features);
  const aIdx = channelIndex(channels, spec.actions);
  const prior = head.prior ? headPrior(head.prior, channels, spec.actions) : undefined;
  const ends: [number, number][] = [];
  let skipped = 0;
  episodes.forEach((e, ei) => {
    for (let k = 0; k + h <= e.frames.length; k += stride) {
      let ok = true;
      for (let i = 0; i < h * A && ok; i++) ok = Number.isFinite(e.labels[k * A + i]);
      if (ok) ends.push([ei, k]);
      else skipped++;
    }
  });
  const n = ends.length;
  const x = new Float32Array(n * H * F);
  const last = new Float32Array(n * A);
  const y = new Float32Array(n * h * A);
  const length = new Int32Array(n);
  const drive = new Int32Array(n);
  const end = new Int32Array(n);
  const ctx = new Float32Array(A);
  ends.forEach(([ei, k], w) => {
    const e = episodes[ei];
    const L = Math.min(k + 1, H);
    encodeWindow(e.frames, k + 1, L, H, fIdx, norm, x, w * H * F);
    last.set(headContext(e.frames[k], aIdx, head, ctx, prior), w * A);
    for (let i = 0; i < h * A; i++) y[w * h * A + i] = e.labels[k * A + i];
    length[w] = L;
    drive[w] = ei;
    end[w] = k;
  });
  return { n, T: H, F, A, horizon: h, x, last, y, length, drive, end, skipped };
}
