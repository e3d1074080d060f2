// The head's rule-based prior (see spec.ts): built once per frame layout, evaluated on the newest frame.
import { Validity, type Frame } from "../../perception/types.js";
import { priorAction } from "./pursuit-idm.js";
import type { PriorSpec } from "./spec.js";


/** Writes the prior's action per action channel into `out`; `last` holds the last observed actions (same order). */
export type HeadPrior = (frame: Frame, last: ArrayLike<number>, out: Float32Array) => void;

/** The prior over frames with these channels, predicting these actions (steer_cmd with accel_cmd or speed_cmd). */
export function headPrior(p: PriorSpec, frameChannels: readonly string[], actions: readonly string[]): HeadPrior {
  const idx = new Map(frameChannels.map((c, i) => [c, i]));
  const known = ["steer_cmd", "accel_cmd", "speed_cmd"];
  for (const a of actions) if (!known.includes(a)) throw new Error(`prior ${p.kind} cannot predict "${a}" (it predicts ${known.join(", ")})`);
  if (actions.includes("speed_cmd") && p.speedCmdGain === undefined) throw new Error(`prior ${p.kind} predicts speed_cmd only with speedCmdGain set`);
  const aSteer = actions.indexOf("steer_cmd");
  const aAccel = actions.indexOf("accel_cmd");
  const aSpeed = actions.indexOf("speed_cmd");
  return (frame, last, out) => {
    const get = (ch: string): number | undefined => {
      const i = idx.get(ch);
      if (i === undefined || frame.valid[i] === Validity.Missing) return undefined;
      const v = frame.values[i];
      return Number.isFinite(v) ? v : undefined;
    };
    const v = Math.max(get("speed") ?? 0, 0);
    const lastSteer = aSteer >= 0 ? last[aSteer] : 0;
    const lastAccel = aAccel >= 0 ? last[aAccel] : aSpeed >= 0 ? (last[aSpeed] - v) * p.speedCmdGain! : 0;
    const r = priorAction(p, get, lastSteer, lastAccel);
    if (aSteer >= 0) out[aSteer] = r.steer;
    if (aAccel >= 0) out[aAccel] = r.accel;
    if (aSpeed >= 0) out[aSpeed] = Math.max(0, v + r.accel / p.speedCmdGain!);
  };
}
