import type { Frame } from "../../perception/types.js";
import type { ActionSequence, Predictor } from "../types.js";
import { ActionTrack, type BaselineConfig } from "./action-track.js";

/** Repeats the last observed action over the whole horizon: the baseline every model must beat. */
export function holdLast(cfg: BaselineConfig): Predictor {
  const track = new ActionTrack(cfg, 1);
  const dt = 1 / cfg.rate;
  return {
    name: "hold_last",
    reset: () => track.reset(),
    step(frame: Frame): ActionSequence {
      track.push(frame);
      const mean = new Float32Array(cfg.horizon * track.A);
      for (let k = 0; k < cfg.horizon; k++) for (let a = 0; a < track.A; a++) mean[k * track.A + a] = track.back(0, a);
      return { t0: frame.t + dt, dt, channels: cfg.actions, mean, model: "hold_last" };
    },
  };
}
