import { LIMIT_TABLES, type PolicyParams } from "./params.js";

/** The limits in force at one speed: every table of the params, interpolated. */
export interface Envelope {
  /** The (absolute) speed the tables were read at (m/s). */
  readonly speed: number;
  readonly steerLim: number;
  readonly steerRateLim: number;
  readonly lonAccLim: number;
  readonly lonJerkLim: number;
  readonly latAccLim: number;
  readonly latJerkLim: number;
  readonly actualSteerDiffLim: number;
}

/**
 * Linear interpolation of `values` over increasing `speeds`, held constant outside them
 * (Autoware vehicle_cmd_gate's interpolateFromSpeed). Only |speed| counts: the limits are the same in reverse.
 */
export function interpolateBySpeed(speeds: readonly number[], values: readonly number[], speed: number): number {
  const v = Math.abs(speed);
  const n = speeds.length;
  if (!(v > speeds[0]!)) return values[0]!; // also NaN: the low-speed end
  if (v >= speeds[n - 1]!) return values[n - 1]!;
  let i = 1;
  while (speeds[i]! < v) i++;
  const s0 = speeds[i - 1]!;
  const r = (v - s0) / (speeds[i]! - s0);
  return values[i - 1]! + r * (values[i]! - values[i - 1]!);
}

export function envelopeAt(params: PolicyParams, speed: number): Envelope {
  const out: Record<string, number> = { speed: Math.abs(speed) };
  for (const k of LIMIT_TABLES) out[k] = interpolateBySpeed(params.referenceSpeeds, params[k], speed);
  return out as unknown as Envelope;
}

/** Lateral acceleration (m/s²) of a road-wheel angle at a speed: v² · tan(steer) / wheelbase. */
export function lateralAccel(speed: number, steer: number, wheelbase: number): number {
  return (speed * speed * Math.tan(steer)) / wheelbase;
}
