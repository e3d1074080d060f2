import type { Frame } from "../../perception/types.js";
import type { ActionSequence, Predictor } from "../types.js";
import { ActionTrack, type BaselineConfig } from "./action-track.js";

/** Least-squares line through the last `k` action samples of each channel, extrapolated over the horizon. */
export function linearExtrapolation(cfg: BaselineConfig, k = 5): Predictor {
  if (!Number.isInteger(k) || k < 2) throw new Error(`linear extrapolation needs k >= 2 samples, got k=${k}`);
  const track = new ActionTrack(cfg, k);
  const dt = 1 / cfg.rate;
  const name = "linear";
  return {
    name,
    reset: () => track.reset(),
    step(frame: Frame): ActionSequence {
      track.push(frame);
      const n = track.count;
      const A = track.A;
      const mean = new Float32Array(cfg.horizon * A);
      // Ticks -(n-1)..0, newest at 0; slope and value at 0 from the normal equations.
      const tm = -(n - 1) / 2;
      let stt = 0;
      for (let i = 0; i < n; i++) stt += (-i - tm) ** 2;
      for (let a = 0; a < A; a++) {
        let vm = 0;
        for (let i = 0; i < n; i++) vm += track.back(i, a);
        vm /= n;
        let stv = 0;
        for (let i = 0; i < n; i++) stv += (-i - tm) * (track.back(i, a) - vm);
        const slope = stt > 0 ? stv / stt : 0;
        const at0 = vm - slope * tm;
        for (let s = 0; s < cfg.horizon; s++) mean[s * A + a] = at0 + slope * (s + 1);
      }
      return { t0: frame.t + dt, dt, channels: cfg.actions, mean, model: name };
    },
  };
}
