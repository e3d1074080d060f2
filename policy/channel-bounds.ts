import type { Bound } from "./bounds.js";
import type { Envelope } from "./envelope.js";
import type { ActionChannel, PolicyParams } from "./params.js";

// Below this v² the lateral limits stop depending on steering (Autoware's floor too).
export const MIN_V_SQ = 1e-3;
/** accel_cmd may at most close the gap to maxSpeed within this time (s): the limit pulls before it is hit. */
export const MAX_SPEED_TAU = 1;
// tan() wraps at ±pi/2; a previous angle is kept just inside so the lateral-jerk interval stays monotone.
const STEER_DOMAIN = Math.PI / 2 - 1e-9;

/** What the bounds of one tick depend on, besides the envelope. */
export interface TickContext {
  readonly env: Envelope;
  readonly params: PolicyParams;
  /** Effective dt for rate limits (s, 0..maxDt). */
  readonly dt: number;
  /** Measured speed (m/s, signed) the lateral and max-speed limits use. */
  readonly speed: number;
  /** Measured road-wheel angle, when known. */
  readonly steer: number | null;
  /** Stop mode: the speed command only moves toward zero. */
  readonly stopping?: boolean;
}

export function clampSteerDomain(x: number): number {
  return Math.max(-STEER_DOMAIN, Math.min(STEER_DOMAIN, x));
}

function steerBounds(c: TickContext, prev: number): Bound[] {
  const { env, params, dt } = c;
  const vSq = Math.max(c.speed * c.speed, MIN_V_SQ);
  const latMax = Math.atan((env.latAccLim * params.wheelbase) / vSq);
  const p = clampSteerDomain(prev);
  // Lateral jerk at the measured speed: |Δ(v²·tanδ/L)| <= J·dt  ⇔  |Δ tanδ| <= J·dt·L/v².
  const k = (env.latJerkLim * dt * params.wheelbase) / vSq;
  const tp = Math.tan(p);
  const out: Bound[] = [
    { limit: "steer_angle", lo: -env.steerLim, hi: env.steerLim },
    { limit: "lat_accel", lo: -latMax, hi: latMax },
  ];
  if (c.steer !== null) out.push({ limit: "actual_steer_diff", lo: c.steer - env.actualSteerDiffLim, hi: c.steer + env.actualSteerDiffLim });
  out.push({ limit: "steer_rate", lo: p - env.steerRateLim * dt, hi: p + env.steerRateLim * dt });
  out.push({ limit: "lat_jerk", lo: Math.atan(tp - k), hi: Math.atan(tp + k) });
  return out;
}

function accelBounds(c: TickContext, prev: number): Bound[] {
  const { env, dt } = c;
  return [
    { limit: "lon_accel", lo: -env.lonAccLim, hi: env.lonAccLim },
    { limit: "max_speed", lo: -Infinity, hi: (c.params.maxSpeed - c.speed) / MAX_SPEED_TAU },
    { limit: "lon_jerk", lo: prev - env.lonJerkLim * dt, hi: prev + env.lonJerkLim * dt },
  ];
}

function speedBounds(c: TickContext, prev: number, prevRate: number): Bound[] {
  const { env, dt } = c;
  // While stopping, the speed envelope closes on the last command: a jerk-limited ramp that cannot ease off in time
  // would otherwise overshoot zero into reverse and climb back.
  const max = c.stopping
    ? { limit: "max_speed" as const, lo: Math.max(-c.params.maxReverseSpeed, Math.min(0, prev)), hi: Math.min(c.params.maxSpeed, Math.max(0, prev)) }
    : { limit: "max_speed" as const, lo: -c.params.maxReverseSpeed, hi: c.params.maxSpeed };
  return [
    max,
    { limit: "lon_accel", lo: prev - env.lonAccLim * dt, hi: prev + env.lonAccLim * dt },
    { limit: "lon_jerk", lo: prev + (prevRate - env.lonJerkLim * dt) * dt, hi: prev + (prevRate + env.lonJerkLim * dt) * dt },
  ];
}

/**
 * The limits on one action channel this tick, highest priority first: position limits (angle, lateral
 * acceleration, speed) beat the measured-steer limit, which beats rate and jerk limits. So when they cannot all
 * hold (the speed rose and shrank the lateral limit faster than the steering may move) the command stays safe
 * and the rate limit is reported as overridden.
 */
export function channelBounds(ch: ActionChannel, c: TickContext, prev: number, prevRate: number): Bound[] {
  switch (ch) {
    case "steer_cmd":
      return steerBounds(c, prev);
    case "accel_cmd":
      return accelBounds(c, prev);
    case "speed_cmd":
      return speedBounds(c, prev, prevRate);
  }
}
