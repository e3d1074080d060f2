// Whether a command stays inside the policy's envelope, read off the policy's own envelope functions: the largest
// |steer| and |d steer/dt| any reference speed allows, |accel| within the longitudinal limit, speed_cmd within
// [-maxReverseSpeed, maxSpeed]. A bound that holds at every speed, so a command outside it is out of limit
// whatever the vehicle's speed was.
import { envelopeAt } from "../../policy/envelope.js";
import type { PolicyParams } from "../../policy/params.js";

export interface CommandLike {
  readonly t: number;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface EnvelopeCheck {
  /**
   * Why `cmd` is outside the envelope (undefined when inside); `prev` is the command before it. `overridden`
   * names limits the policy reports it could not meet because a higher-priority one excluded them (the steer
   * rate yields to the steer angle when the speed, and with it the angle limit, changes abruptly): those are
   * the policy's documented priority order, not a violation.
   */
  (cmd: CommandLike, prev: CommandLike | undefined, overridden?: readonly string[]): string | undefined;
}

const EPS = 1e-9;

export function envelopeCheck(params: PolicyParams): EnvelopeCheck {
  const envs = params.referenceSpeeds.map((v) => envelopeAt(params, v));
  const steerMax = Math.max(...envs.map((e) => e.steerLim));
  const steerRateMax = Math.max(...envs.map((e) => e.steerRateLim));
  const accelMax = Math.max(...envs.map((e) => e.lonAccLim));
  return (cmd, prev, overridden = []) => {
    const v = cmd.values;
    for (const ch of params.channels) {
      const x = v[ch];
      if (typeof x !== "number" || !Number.isFinite(x)) return `${ch}=${String(x)} is not a finite number`;
    }
    const steer = v.steer_cmd as number | undefined;
    if (steer !== undefined && Math.abs(steer) > steerMax + EPS) return `|steer_cmd|=${Math.abs(steer)} > steerLim ${steerMax}`;
    const speed = v.speed_cmd as number | undefined;
    if (speed !== undefined && (speed > params.maxSpeed + EPS || speed < -params.maxReverseSpeed - EPS)) return `speed_cmd=${speed} outside [-${params.maxReverseSpeed}, ${params.maxSpeed}]`;
    const accel = v.accel_cmd as number | undefined;
    if (accel !== undefined && Math.abs(accel) > accelMax + EPS) return `|accel_cmd|=${Math.abs(accel)} > lonAccLim ${accelMax}`;
    if (prev && steer !== undefined && typeof prev.values.steer_cmd === "number" && !overridden.includes("steer_rate")) {
      const dt = Math.max(cmd.t - prev.t, params.nominalDt);
      const rate = Math.abs(steer - prev.values.steer_cmd) / dt;
      if (rate > steerRateMax * (1 + 1e-6) + EPS) return `|d steer_cmd/dt|=${rate.toFixed(4)} rad/s over ${dt.toFixed(3)} s > steerRateLim ${steerRateMax}`;
    }
    return undefined;
  };
}
