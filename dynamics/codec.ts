/*
 * The LSTM action model's codec: the window convention, frame encoding and head decoding, in one place so that
 * training, the tfjs reference forward pass and the fast real-time kernel agree exactly. Pure: nothing here (nor in
 * what it imports) loads tfjs, so the real-time predictor runs without it (test/dynamics/codec-imports.test.ts).
 * The tfjs graph that these numbers feed is built by model.ts.
 *
 * For the real-time kernel (read this first):
 * - Input [batch, T, F], T free (the model.json input shape is [null, F]). A window of L <= spec.history frames is
 *   FRONT-PADDED to T with rows of PAD_VALUE in every feature. The Masking layer masks those rows and tfjs's LSTM
 *   leaves its state untouched on masked steps (checked on the cpu and wasm backends: a padded window gives the same
 *   output, bit for bit, as the bare L-frame window), so `predict(padded)` equals running the LSTMs from zero state
 *   over the L real frames only. The kernel can therefore skip padding and start from h = c = 0.
 * - Each real frame is encoded by `encodeFrame`: z = (x - mean) / std per feature, Missing / NaN → 0, then clamped to
 *   ±FEATURE_CLAMP (a corrupt value that slipped through cannot saturate the net nor ever equal PAD_VALUE).
 * - Layers (model.ts) are named "mask", "lstm_0".."lstm_{n-1}", "head". LSTM weights are Keras layout: kernel [F, 4U],
 *   recurrent kernel [U, 4U], bias [4U], gate order (i, f, c, o), activation tanh, recurrentActivation sigmoid.
 * - The head is a linear Dense on the last LSTM's final hidden state; its raw output [horizon × A × 2] is decoded by
 *   `decodeHead` (below) with the context from `headContext(lastFrame, …, held)`. Do not re-implement either.
 */
import type { Frame, Normalisation } from "../perception/types.js";
import { normaliseInto, usable } from "../perception/normalise.js";
import { writeWindow } from "../perception/history.js";
import type { ModelSpec } from "./spec.js";
import { checkPrior, type PriorSpec } from "./prior/spec.js";
import type { HeadPrior } from "./prior/head.js";
import { checkArFit, type ArFit } from "./baselines/ar.js";
import type { HeadBaseline } from "./baselines/head-source.js";
import { checkResidualOver } from "./baselines/residual.js";
import { channelIndex } from "./channel-index.js";

/** Value of every feature in a padding row; masked by the model's first layer. */
export const PAD_VALUE = -1e4;
/** Normalised features are clamped to this magnitude. */
export const FEATURE_CLAMP = 20;
/** Floor of the predicted spread, in normalised units; keeps the NLL finite. */
export const STD_EPS = 1e-3;

/**
 * What the head predicts. "residual-hold": for step k and action a, raw[k, a, 0] is the change from the last observed
 * action in units of `scale[a]`, raw[k, a, 1] the spread: mean = last + raw0 · scale, std = (softplus(raw1) + eps) · scale.
 * A zero head therefore *is* the hold-last baseline; the net only learns what hold-last gets wrong.
 */
export interface HeadSpec {
  readonly kind: "residual-hold";
  /** Physical scale of each action's change (training std of future − last), one per action. */
  readonly scale: readonly number[];
  /** Fallback for an action whose last value is Missing: its training mean. */
  readonly fallback: readonly number[];
  readonly eps: number;
  /**
   * The residual's distribution in training (absent = "gaussian"). "laplace": raw1 gives the Laplace scale b, whose
   * location is the median — the estimate that minimises the absolute error ADE scores; decodeHead still reports a
   * standard deviation (√2 · b) so consumers read `std` alike for both.
   */
  readonly dist?: HeadDist;
  /**
   * Per action, where the predicted mean comes from (absent = all "model"). "hold_last": the net's residual is ignored
   * and the mean is the last observed action — chosen at training time for an action where the net did not beat
   * hold-last on the validation blocks. "linear" / "ar": the mean is that baseline's (dynamics/baselines, the same
   * numbers lam eval scores it with), chosen where it beat the net and the other baselines on validation, so no
   * action is answered worse than the best baseline was on validation. The spread is the net's either way.
   */
  readonly source?: readonly HeadSource[];
  /**
   * Per action, the baseline the net's residual is over (absent = "hold_last" on every action): mean = baseline
   * forecast + raw0 · scale, where the forecast is the streaming baseline's own (SourceTrack: "linear" extrapolation
   * or the "ar" fit rolled forward), and `scale` the training std of future − forecast. A zero head *is* that
   * baseline. Chosen per action on validation (lam train --residual-over best); not combined with a prior.
   */
  readonly residual_over?: readonly HeadBaseline[];
  /** The AR(p) fit an "ar" source or residual rolls forward (a copy of lam.json baselines.ar); required then. */
  readonly ar?: ArFit;
  /**
   * A rule-based prior over the scene channels (dynamics/prior): when present, the residual is over the prior's action
   * for the newest frame instead of the last observed action (headContext with the predictor's `headPrior`).
   */
  readonly prior?: PriorSpec;
}

export type HeadDist = "gaussian" | "laplace";
export type HeadSource = "model" | "hold_last" | "linear" | "ar";
export const HEAD_SOURCES: readonly HeadSource[] = ["model", "hold_last", "linear", "ar"];

/** Checks the optional head fields (lam.json from elsewhere); the error names the key and value. */
export function checkHead(head: HeadSpec, actions: number): void {
  if (head.prior !== undefined) checkPrior(head.prior);
  if (head.dist !== undefined && head.dist !== "gaussian" && head.dist !== "laplace") {
    throw new Error(`head.dist=${JSON.stringify(head.dist)} is not "gaussian" or "laplace"`);
  }
  if (head.source !== undefined) {
    if (!Array.isArray(head.source) || head.source.length !== actions) throw new Error(`head.source must list ${actions} sources, one per action`);
    head.source.forEach((s, a) => {
      if (!HEAD_SOURCES.includes(s)) throw new Error(`head.source[${a}]=${JSON.stringify(s)} is not one of ${HEAD_SOURCES.join(", ")}`);
    });
    if (head.source.includes("ar") && head.ar === undefined) throw new Error('head.source answers an action with "ar" but head.ar (the AR fit) is missing');
  }
  if (head.residual_over !== undefined) {
    checkResidualOver(head.residual_over, actions, head.ar !== undefined);
    if (head.prior !== undefined && head.residual_over.some((o) => o !== "hold_last")) {
      throw new Error(`head.residual_over=${JSON.stringify(head.residual_over)} and head.prior: the residual is over the prior's action, not over a baseline`);
    }
  }
  if (head.ar !== undefined) checkArFit(head.ar, actions);
}

export function checkSpec(spec: ModelSpec): void {
  const bad = (k: string, v: unknown) => new Error(`invalid ModelSpec: ${k}=${JSON.stringify(v)}`);
  if (spec.features.length === 0) throw bad("features", spec.features);
  if (spec.actions.length === 0) throw bad("actions", spec.actions);
  for (const k of ["history", "horizon", "layers", "units"] as const) {
    if (!Number.isInteger(spec[k]) || spec[k] < 1) throw bad(k, spec[k]);
  }
  if (!(spec.rate > 0) || !Number.isFinite(spec.rate)) throw bad("rate", spec.rate);
  if (spec.history < 2) throw bad("history", spec.history);
}

/** Where each named channel sits in a frame; an error names a channel the frames do not carry. */
// A leaf module, so that baselines can use it without importing the model (and the model the baselines).
export { channelIndex };

/** Encodes one frame's features into `out[offset .. offset+F)`: normalised (perception's one normalisation), Missing → 0, clamped. */
export function encodeFrame(frame: Frame, featureIdx: Int32Array, norm: Normalisation, out: Float32Array, offset: number): void {
  normaliseInto(frame, featureIdx, norm, out, offset, FEATURE_CLAMP, 0);
}

/**
 * Encodes the L frames ending at `end` (exclusive) into a [T, F] block at `out[offset..]`, front-padded with
 * PAD_VALUE rows (perception's one windowing).
 */
export function encodeWindow(
  frames: readonly Frame[],
  end: number,
  L: number,
  T: number,
  featureIdx: Int32Array,
  norm: Normalisation,
  out: Float32Array,
  offset = 0,
): void {
  writeWindow(frames, end, L, T, featureIdx.length, (f, o, at) => encodeFrame(f, featureIdx, norm, o, at), out, offset, PAD_VALUE);
}

/**
 * The decoding context: the last observed action per channel (physical units), from the newest frame; where the
 * newest frame's action is Missing or non-finite, the last observed value `held[a]` (holdActions / heldBefore: NaN =
 * none observed since the stream or block began), else `head.fallback[a]`. That is ActionTrack's rule, so a head
 * answering "hold_last" (or a residual over it) is exactly the hold-last baseline, and a missing command sample
 * reads as held rather than as a jump to the training mean. With a head prior (`headPrior(head.prior, …)`, required
 * when head.prior is set) the prior's action computed from that frame and those last actions.
 */
export function headContext(
  frame: Frame,
  actionIdx: Int32Array,
  head: HeadSpec,
  out = new Float32Array(actionIdx.length),
  prior?: HeadPrior,
  held?: ArrayLike<number>,
): Float32Array {
  for (let a = 0; a < actionIdx.length; a++) {
    const j = actionIdx[a];
    if (usable(frame, j)) out[a] = frame.values[j];
    else out[a] = held !== undefined && !Number.isNaN(held[a]) ? held[a] : head.fallback[a];
  }
  // The prior reads every last action before it writes one, so it may overwrite `out` in place (never `held`).
  if (prior) prior(frame, out, out);
  return out;
}

/**
 * A stream's held actions: writes each action the frame observed into `held` and keeps the others, so that `held`
 * is the last observed value since it was filled with NaN (at the stream's reset). No allocation (per tick).
 */
export function holdActions(frame: Frame, actionIdx: Int32Array, held: Float64Array): void {
  for (let a = 0; a < actionIdx.length; a++) if (usable(frame, actionIdx[a])) held[a] = frame.values[actionIdx[a]];
}

/**
 * The held actions a stream reset at frame `start` has after frame `end − 1`: per action the last value observed in
 * frames [start, end), NaN where none was (a window's context; the baselines stream each block from its start).
 */
export function heldBefore(frames: readonly Frame[], start: number, end: number, actionIdx: Int32Array, held: Float64Array): Float64Array {
  for (let a = 0; a < actionIdx.length; a++) {
    held[a] = NaN;
    for (let k = end - 1; k >= start; k--) {
      if (usable(frames[k], actionIdx[a])) {
        held[a] = frames[k].values[actionIdx[a]];
        break;
      }
    }
  }
  return held;
}

export interface Decoded {
  /** horizon × A, row-major by step, physical units. */
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

function softplus(x: number): number {
  // Stable for large |x|.
  return x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
}

/**
 * Decodes one raw head output (horizon × A × 2, as the Dense emits it) into physical mean and std.
 * `last` is `headContext(newest frame)`; `base` (horizon × A) the baseline means of actions whose source, or whose
 * residual_over, is "linear" or "ar" (SourceTrack.step). Used by the tfjs path, the fast kernel and evaluation alike.
 */
export function decodeHead(raw: ArrayLike<number>, last: ArrayLike<number>, head: HeadSpec, horizon: number, out?: Decoded, base?: ArrayLike<number>): Decoded {
  const A = head.scale.length;
  if (raw.length !== horizon * A * 2) throw new Error(`head output has ${raw.length} values, expected horizon ${horizon} × ${A} actions × 2`);
  const mean = out?.mean ?? new Float32Array(horizon * A);
  const std = out?.std ?? new Float32Array(horizon * A);
  const spread = head.dist === "laplace" ? Math.SQRT2 : 1;
  const src = head.source;
  const over = head.residual_over;
  for (let k = 0; k < horizon; k++) {
    for (let a = 0; a < A; a++) {
      const r = (k * A + a) * 2;
      const s = src === undefined ? "model" : src[a];
      if (s === "model") {
        const o = over === undefined ? "hold_last" : over[a];
        if (o === "hold_last") mean[k * A + a] = last[a] + raw[r] * head.scale[a];
        else if (base === undefined) throw new Error(`head.residual_over[${a}]="${o}" needs the baseline's mean (a SourceTrack), none was passed`);
        else mean[k * A + a] = base[k * A + a] + raw[r] * head.scale[a];
      } else if (s === "hold_last") mean[k * A + a] = last[a];
      else if (base === undefined) throw new Error(`head.source[${a}]="${s}" needs the baseline's mean (a SourceTrack), none was passed`);
      else mean[k * A + a] = base[k * A + a];
      std[k * A + a] = (softplus(raw[r + 1]) + head.eps) * head.scale[a] * spread;
    }
  }
  return { mean, std };
}
