import type { Frame } from "../../perception/types.js";
import type { FrameSeries, Block } from "../series.js";
import type { ActionSequence, Predictor } from "../types.js";
import { ActionTrack, type BaselineConfig } from "./action-track.js";

/** Per-channel AR(p) coefficients on action deltas d_t = a_t − a_{t−1}: d_t ≈ Σ_i phi[i] · d_{t−1−i}. */
export interface ArFit {
  readonly p: number;
  /** One coefficient vector (length p) per action channel. */
  readonly phi: readonly (readonly number[])[];
}

/** Solves the p×p system M x = b by Gaussian elimination with partial pivoting. */
function solve(M: Float64Array, b: Float64Array, p: number): Float64Array {
  const m = Float64Array.from(M);
  const x = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r * p + c]) > Math.abs(m[piv * p + c])) piv = r;
    for (let k = 0; k < p; k++) [m[c * p + k], m[piv * p + k]] = [m[piv * p + k], m[c * p + k]];
    [x[c], x[piv]] = [x[piv], x[c]];
    const d = m[c * p + c];
    if (Math.abs(d) < 1e-300) continue;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r * p + c] / d;
      for (let k = c; k < p; k++) m[r * p + k] -= f * m[c * p + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = 0; c < p; c++) x[c] = Math.abs(m[c * p + c]) < 1e-300 ? 0 : x[c] / m[c * p + c];
  return x;
}

/**
 * Least-squares AR(p) on the deltas of each action inside the given (training) blocks, with a tiny ridge so a
 * constant signal gives phi = 0 instead of a singular system.
 */
export function fitAr(series: readonly FrameSeries[], blocks: readonly Block[], cfgFor: (s: FrameSeries) => BaselineConfig, p = 4): ArFit {
  if (!Number.isInteger(p) || p < 1) throw new Error(`AR order must be a positive integer, got p=${p}`);
  let phi: number[][] | undefined;
  let XtX: Float64Array[] = [];
  let Xty: Float64Array[] = [];
  for (const b of blocks) {
    const s = series.find((x) => x.name === b.drive);
    if (!s) throw new Error(`block names drive "${b.drive}", which is not among the series`);
    const track = new ActionTrack(cfgFor(s), p + 2);
    const A = track.A;
    if (!phi) {
      phi = [];
      XtX = Array.from({ length: A }, () => new Float64Array(p * p));
      Xty = Array.from({ length: A }, () => new Float64Array(p));
    }
    for (let i = b.start; i < b.end; i++) {
      track.push(s.frames[i]);
      if (track.count < p + 2) continue;
      for (let a = 0; a < A; a++) {
        const d = (k: number) => track.back(k, a) - track.back(k + 1, a);
        const y = d(0);
        for (let r = 0; r < p; r++) {
          Xty[a][r] += d(r + 1) * y;
          for (let c = 0; c < p; c++) XtX[a][r * p + c] += d(r + 1) * d(c + 1);
        }
      }
    }
  }
  if (!phi) throw new Error("AR fit: no training blocks");
  for (let a = 0; a < XtX.length; a++) {
    let tr = 0;
    for (let r = 0; r < p; r++) tr += XtX[a][r * p + r];
    const ridge = 1e-9 * (tr / p) + 1e-12;
    for (let r = 0; r < p; r++) XtX[a][r * p + r] += ridge;
    phi.push(Array.from(solve(XtX[a], Xty[a], p)));
  }
  return { p, phi };
}

/**
 * Action `a`'s AR(p) roll-out from the newest samples in `track` (which holds at least p+1 ticks) over `horizon`
 * steps into `mean[s · A + a]`; `d` is p floats of scratch. Shared by the AR baseline and a head whose source is "ar".
 */
export function arInto(track: ActionTrack, a: number, phi: readonly number[], horizon: number, mean: Float32Array, d: Float64Array): void {
  const p = phi.length;
  const A = track.A;
  // Deltas newest first; ticks before the first seen one count as no change.
  for (let i = 0; i < p; i++) d[i] = i + 1 < track.count ? track.back(i, a) - track.back(i + 1, a) : 0;
  let v = track.back(0, a);
  for (let s = 0; s < horizon; s++) {
    let next = 0;
    for (let i = 0; i < p; i++) next += phi[i] * d[i];
    for (let i = p - 1; i > 0; i--) d[i] = d[i - 1];
    d[0] = next;
    v += next;
    mean[s * A + a] = v;
  }
}

/** Checks an AR fit read from lam.json: p a positive integer, one finite vector of p coefficients per action. */
export function checkArFit(fit: ArFit, actions: number): void {
  if (!Number.isInteger(fit?.p) || fit.p < 1) throw new Error(`AR fit: p=${JSON.stringify(fit?.p)} is not a positive integer`);
  if (!Array.isArray(fit.phi) || fit.phi.length !== actions) throw new Error(`AR fit has ${fit.phi?.length} channels, the model has ${actions} actions`);
  fit.phi.forEach((v, a) => {
    if (!Array.isArray(v) || v.length !== fit.p || v.some((x) => !Number.isFinite(x))) throw new Error(`AR fit: phi[${a}]=${JSON.stringify(v)} is not ${fit.p} finite numbers`);
  });
}

/** Rolls the fitted AR(p) on deltas forward from the last p+1 actions. */
export function arPredictor(cfg: BaselineConfig, fit: ArFit): Predictor {
  const { p, phi } = fit;
  if (phi.length !== cfg.actions.length) throw new Error(`AR fit has ${phi.length} channels, config has ${cfg.actions.length}`);
  const track = new ActionTrack(cfg, p + 1);
  const dt = 1 / cfg.rate;
  const name = `ar${p}`;
  const d = new Float64Array(p);
  return {
    name,
    reset: () => track.reset(),
    step(frame: Frame): ActionSequence {
      track.push(frame);
      const mean = new Float32Array(cfg.horizon * track.A);
      for (let a = 0; a < track.A; a++) arInto(track, a, phi[a], cfg.horizon, mean, d);
      return { t0: frame.t + dt, dt, channels: cfg.actions, mean, model: name };
    },
  };
}
