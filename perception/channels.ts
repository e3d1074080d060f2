import type { FrameChannel, Interpolation } from "./types.js";

/** What lam knows about a canonical channel: unit, physical range, and how to resample it. */
export interface ChannelInfo {
  readonly name: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly interp: Interpolation;
  /** Default staleness limit (s) for this kind of signal. */
  readonly staleAfter: number;
  readonly description: string;
  /**
   * A driver input or switch (pedal, button, gear, cruise, a command): it steps when the person acts, so
   * the outlier filter never judges it as a noisy sensor.
   */
  readonly discrete?: boolean;
}

// Ranges are physical plausibility bounds for any road vehicle or small robot, not comfort limits:
// a value outside them is a sensor or decoding fault.
const table: readonly ChannelInfo[] = [
  { name: "speed", unit: "m/s", min: -20, max: 90, interp: "linear", staleAfter: 0.5, description: "longitudinal speed" },
  { name: "accel", unit: "m/s^2", min: -30, max: 30, interp: "linear", staleAfter: 0.5, description: "longitudinal acceleration, + = speeding up" },
  { name: "lat_accel", unit: "m/s^2", min: -30, max: 30, interp: "linear", staleAfter: 0.5, description: "lateral acceleration, + = left" },
  { name: "vert_accel", unit: "m/s^2", min: -50, max: 50, interp: "linear", staleAfter: 0.5, description: "vertical acceleration, + = up (gravity included)" },
  { name: "yaw_rate", unit: "rad/s", min: -10, max: 10, interp: "linear", staleAfter: 0.5, description: "yaw rate, + = counter-clockwise (left)" },
  { name: "roll_rate", unit: "rad/s", min: -10, max: 10, interp: "linear", staleAfter: 0.5, description: "roll rate" },
  { name: "pitch_rate", unit: "rad/s", min: -10, max: 10, interp: "linear", staleAfter: 0.5, description: "pitch rate" },
  { name: "steer", unit: "rad", min: -1.2, max: 1.2, interp: "linear", staleAfter: 0.5, description: "road-wheel steering angle, + = left" },
  { name: "steer_rate", unit: "rad/s", min: -10, max: 10, interp: "linear", staleAfter: 0.5, description: "road-wheel steering rate" },
  { name: "throttle", unit: "1", min: 0, max: 1, interp: "linear", staleAfter: 0.5, description: "accelerator pedal 0..1", discrete: true },
  { name: "brake", unit: "1", min: 0, max: 1, interp: "hold", staleAfter: 0.5, description: "brake 0..1", discrete: true },
  { name: "x", unit: "m", min: -1e7, max: 1e7, interp: "linear", staleAfter: 1.0, description: "position east / map x" },
  { name: "y", unit: "m", min: -1e7, max: 1e7, interp: "linear", staleAfter: 1.0, description: "position north / map y" },
  { name: "heading", unit: "rad", min: -Math.PI - 1e-6, max: Math.PI + 1e-6, interp: "hold", staleAfter: 1.0, description: "yaw angle, wrapped to [-pi, pi]" },
  { name: "lat", unit: "deg", min: -90, max: 90, interp: "linear", staleAfter: 2.0, description: "GNSS latitude" },
  { name: "lon", unit: "deg", min: -180, max: 180, interp: "linear", staleAfter: 2.0, description: "GNSS longitude" },
  { name: "alt", unit: "m", min: -500, max: 9000, interp: "linear", staleAfter: 2.0, description: "GNSS altitude" },
  { name: "gnss_speed", unit: "m/s", min: 0, max: 90, interp: "linear", staleAfter: 2.0, description: "GNSS ground speed" },
  { name: "gear", unit: "1", min: -1, max: 20, interp: "hold", staleAfter: 1.0, description: "selected gear (-1 reverse, 0 neutral/park, 1.. forward)", discrete: true },
  { name: "cruise_active", unit: "1", min: 0, max: 1, interp: "hold", staleAfter: 1.0, description: "adaptive cruise engaged", discrete: true },
  { name: "steer_cmd", unit: "rad", min: -1.2, max: 1.2, interp: "hold", staleAfter: 0.5, description: "commanded road-wheel angle", discrete: true },
  { name: "accel_cmd", unit: "m/s^2", min: -15, max: 15, interp: "hold", staleAfter: 0.5, description: "commanded longitudinal acceleration", discrete: true },
  { name: "speed_cmd", unit: "m/s", min: -20, max: 90, interp: "hold", staleAfter: 0.5, description: "commanded speed", discrete: true },
  { name: "yaw_rate_cmd", unit: "rad/s", min: -10, max: 10, interp: "hold", staleAfter: 0.5, description: "commanded yaw rate (differential-drive robots)", discrete: true },
  // Scene channels (perception/scene.ts computes them): a planner's output, which steps when it replans or an object
  // appears, so never judged as a noisy sensor. path_curv@<T>s: T seconds of path ahead at the current speed.
  { name: "path_offset", unit: "m", min: -100, max: 100, interp: "linear", staleAfter: 0.5, description: "signed distance from the planned path, + = vehicle left of it", discrete: true },
  { name: "path_heading", unit: "rad", min: -Math.PI - 1e-6, max: Math.PI + 1e-6, interp: "hold", staleAfter: 0.5, description: "vehicle heading minus the path's heading, + = pointing left of it", discrete: true },
  { name: "path_curv", unit: "1/m", min: -10, max: 10, interp: "hold", staleAfter: 0.5, description: "path curvature (+ = left) at preview path_curv@<T>s: T·max(v, 1 m/s) ahead", discrete: true },
  { name: "target_speed", unit: "m/s", min: 0, max: 90, interp: "hold", staleAfter: 0.5, description: "planned speed at the vehicle's position on the path", discrete: true },
  { name: "lead_gap", unit: "m", min: -20, max: 1000, interp: "hold", staleAfter: 0.5, description: "bumper gap along the path to the nearest object on it (the range when none)", discrete: true },
  { name: "lead_speed", unit: "m/s", min: -20, max: 90, interp: "hold", staleAfter: 0.5, description: "speed of the nearest object on the path (own speed when none)", discrete: true },
  { name: "lead_present", unit: "1", min: 0, max: 1, interp: "hold", staleAfter: 0.5, description: "1 when an object is on the path within range, else 0", discrete: true },
];

export const CHANNELS: ReadonlyMap<string, ChannelInfo> = new Map(table.map((c) => [c.name, c]));

/**
 * The canonical part of a channel name. A qualifier after "@" names a second source of the same quantity
 * (e.g. "yaw_rate@odom" beside the IMU's "yaw_rate"): same unit and range, kept apart in a Drive.
 */
export function baseChannel(name: string): string {
  const at = name.indexOf("@");
  return at < 0 ? name : name.slice(0, at);
}

/** The channel's info, or an error naming the channel and listing the known ones. */
export function channelInfo(name: string): ChannelInfo {
  const info = CHANNELS.get(baseChannel(name));
  if (!info) throw new Error(`unknown channel "${name}" (known: ${[...CHANNELS.keys()].join(", ")})`);
  return info;
}

export function isKnownChannel(name: string): boolean {
  return CHANNELS.has(baseChannel(name));
}

/** A FrameSpec entry with the channel's default resampling and staleness. */
export function frameChannel(name: string, overrides: Partial<Omit<FrameChannel, "name">> = {}): FrameChannel {
  const info = channelInfo(name);
  return { name, interp: overrides.interp ?? info.interp, staleAfter: overrides.staleAfter ?? info.staleAfter };
}
