import type { Frame } from "../../perception/types.js";
import type { ActionSequence, Predictor } from "../types.js";
import { ActionTrack, type BaselineConfig } from "./action-track.js";

/** Number of past samples the linear baseline fits (lam eval's "linear"). */
export const LINEAR_K = 5;

/**
 * Action `a`'s least-squares line through its last min(count, k) samples in `track`, extrapolated over `horizon`
 * steps into `mean[s · A + a]`. Shared by the linear baseline and a model head whose source is "linear".
 */
export function linearInto(track: ActionTrack, a: number, k: number, horizon: number, mean: Float32Array): void {
  const n = Math.min(track.count, k);
  const A = track.A;
  // Ticks -(n-1)..0, newest at 0; slope and value at 0 from the normal equations.
  const tm = -(n - 1) / 2;
  let stt = 0;
  for (let i = 0; i < n; i++) stt += (-i - tm) ** 2;
  let vm = 0;
  for (let i = 0; i < n; i++) vm += track.back(i, a);
  vm /= n;
  let stv = 0;
  for (let i = 0; i < n; i++) stv += (-i - tm) * (track.back(i, a) - vm);
  const slope = stt > 0 ? stv / stt : 0;
  const at0 = vm - slope * tm;
  for (let s = 0; s < horizon; s++) mean[s * A + a] = at0 + slope * (s + 1);
}

/** Least-squares line through the last `k` action samples of each channel, extrapolated over the horizon. */
export function linearExtrapolation(cfg: BaselineConfig, k = LINEAR_K): Predictor {
  if (!Number.isInteger(k) || k < 2) throw new Error(`linear extrapolation needs k >= 2 samples, got k=${k}`);
  const track = new ActionTrack(cfg, k);
  const dt = 1 / cfg.rate;
  const name = "linear";
  return {
    name,
    reset: () => track.reset(),
    step(frame: Frame): ActionSequence {
      track.push(frame);
      const mean = new Float32Array(cfg.horizon * track.A);
      for (let a = 0; a < track.A; a++) linearInto(track, a, k, cfg.horizon, mean);
      return { t0: frame.t + dt, dt, channels: cfg.actions, mean, model: name };
    },
  };
}
