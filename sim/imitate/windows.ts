// Recorded episodes → training windows for dynamics/train.ts: inputs are the last `history` frames (front-padded),
// the head context is the prior's action on the newest frame and the actions held since the episode began (as the
// predictor, reset at each episode's start, computes it), and the targets are the reference's actions over the
// horizon, row 0 being the action for the newest frame's tick (what the policy acts on).
import { channelIndex, encodeWindow, headContext, heldBefore, holdActions, STD_EPS, type HeadSpec } from "../../dynamics/codec.js";
import { allocWindows, type Windows } from "../../dynamics/dataset.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { headPrior } from "../../dynamics/prior/head.js";
import type { Normalisation } from "../../perception/types.js";
import { NormalisationSums, type StdFloor } from "../../perception/normalise.js";
import { windowEnds } from "../../perception/history.js";
import type { Episode } from "./record.js";

/** The imitation learner's features keep a std of at least 1e-3 (the models it shipped were made so). */
export const IMITATION_STD_FLOOR: StdFloor = { min: 1e-3, below: "min" };

/** Feature statistics over the episodes' frames (perception's one normalisation; std floored at 1e-3, a channel never observed gets mean 0). */
export function featureNorm(episodes: readonly Episode[], channels: readonly string[], features: readonly string[]): Normalisation {
  const idx = channelIndex(channels, features);
  const sums = new NormalisationSums(features);
  for (const e of episodes) for (const fr of e.frames) sums.add(fr, idx);
  return sums.result(IMITATION_STD_FLOOR, "zero");
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
  const held = new Float64Array(A);
  for (const e of episodes) {
    held.fill(NaN);
    e.frames.forEach((fr, k) => {
      holdActions(fr, aIdx, held);
      headContext(fr, aIdx, tmp, ctx, prior, held);
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
    // Row 0 of the targets is the newest frame's own tick: windows end (exclusive) at k + 1, the horizon from k.
    for (const k1 of windowEnds(0, e.frames.length, 1, h - 1, stride)) {
      const k = k1 - 1;
      let ok = true;
      for (let i = 0; i < h * A && ok; i++) ok = Number.isFinite(e.labels[k * A + i]);
      if (ok) ends.push([ei, k]);
      else skipped++;
    }
  });
  const w = allocWindows(ends.length, spec);
  const { x, last, y, length, drive, end } = w;
  const ctx = new Float32Array(A);
  const held = new Float64Array(A);
  ends.forEach(([ei, k], i) => {
    const e = episodes[ei];
    const L = Math.min(k + 1, H);
    encodeWindow(e.frames, k + 1, L, H, fIdx, norm, x, i * H * F);
    last.set(headContext(e.frames[k], aIdx, head, ctx, prior, heldBefore(e.frames, 0, k + 1, aIdx, held)), i * A);
    for (let j = 0; j < h * A; j++) y[i * h * A + j] = e.labels[k * A + j];
    length[i] = L;
    drive[i] = ei;
    end[i] = k;
  });
  return { ...w, skipped };
}
