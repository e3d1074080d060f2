import { SampleCollector, describe, field, headerStamp, rejectAll } from "./collect.js";
import { conjugate, multiply, rotate } from "./quaternion.js";
import type { MapOptions, MapResult, Quaternion, RosMessageMapper } from "./types.js";

const RATES = ["roll_rate", "pitch_rate", "yaw_rate"] as const;
const ACCELS = ["accel", "lat_accel", "vert_accel"] as const;
const IMU_CHANNELS = [...RATES, ...ACCELS];

/** Standard gravity (m/s²), as REP-145 IMUs report it at rest (+g on the up axis). */
export const GRAVITY = 9.80665;

/**
 * sensor_msgs/Imu: body rates about x/y/z → roll/pitch/yaw rate, specific force along x/y/z →
 * accel/lat_accel/vert_accel (REP-103: x forward, y left, z up, so + = left / counter-clockwise), each
 * turned into the vehicle frame by the mount (static TF base_link → IMU frame) when one is given.
 *
 * Where the IMU reports an orientation (REP-145: relative to a gravity-aligned frame), gravity is removed
 * from accel and lat_accel: on a slope, or with an IMU not mounted level, gravity otherwise shows up as
 * a longitudinal/lateral acceleration (the Husky's y-up IMU read lat_accel ≈ 9.8 m/s² at walking pace).
 * vert_accel keeps gravity, as the channel is defined. Only the orientation's tilt is used, so an IMU
 * whose heading is in its own (e.g. magnetic) frame is fine.
 */
export function mapImu(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(IMU_CHANNELS, logTime, options, stamp.error);
  const c = new SampleCollector(stamp.t, options);
  vector(c, msg, "angular_velocity", RATES, options.mount, undefined);
  const gravity = options.gravity === "keep" ? undefined : gravityInBase(msg, options.mount);
  vector(c, msg, "linear_acceleration", ACCELS, options.mount, gravity);
  return c.result();
}

/**
 * Gravity's specific force (+g up) in the vehicle frame, from the IMU's orientation: R_base⁻¹·(0,0,g) with
 * R_base = R_imu·R_mount⁻¹. Undefined where the message gives no usable orientation (covariance[0] = -1,
 * a zero or non-unit quaternion, non-finite parts).
 */
export function gravityInBase(msg: unknown, mount: Quaternion | undefined): [number, number, number] | undefined {
  const cov = field(msg, "orientation_covariance") as ArrayLike<unknown> | undefined;
  if (cov !== undefined && cov !== null && cov[0] === -1) return undefined;
  const o = field(msg, "orientation");
  const parts = [field(o, "x"), field(o, "y"), field(o, "z"), field(o, "w")];
  if (!parts.every((p): p is number => typeof p === "number" && Number.isFinite(p))) return undefined;
  const [x, y, z, w] = parts;
  const n = Math.hypot(x, y, z, w);
  // REP-145 asks for a unit quaternion; far from one it is not an orientation (e.g. all zeros = "not set").
  if (!(Math.abs(n - 1) < 0.1)) return undefined;
  const imu = { x: x / n, y: y / n, z: z / n, w: w / n };
  const base = mount ? multiply(imu, conjugate(mount)) : imu;
  return rotate(conjugate(base), [0, 0, GRAVITY]);
}

function vector(
  c: SampleCollector,
  msg: unknown,
  name: string,
  channels: readonly [string, string, string],
  mount: Quaternion | undefined,
  gravity: [number, number, number] | undefined,
): void {
  // REP-145: covariance[0] = -1 marks the whole vector as not provided by this IMU; that is not an error.
  const cov = field(msg, `${name}_covariance`) as ArrayLike<unknown> | undefined;
  if (cov !== undefined && cov !== null && cov[0] === -1) return;
  const v = field(msg, name);
  const xyz = [field(v, "x"), field(v, "y"), field(v, "z")];
  if (!mount && !gravity) {
    channels.forEach((ch, i) => c.emit(ch, xyz[i], `${name}.${"xyz"[i]}`));
    return;
  }
  // A rotation mixes the components: one bad component spoils all three.
  const bad = xyz.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) {
    const x = xyz[bad];
    const reason = typeof x === "number" ? "nonfinite" : "wrong_type";
    for (const ch of channels) c.reject(ch, reason, `${name}.${"xyz"[bad]} is ${describe(x)} (the mount rotation needs all of x, y, z)`);
    return;
  }
  const r = mount ? rotate(mount, xyz as [number, number, number]) : (xyz as [number, number, number]);
  const label = `${name}${mount ? " (mounted)" : ""}${gravity ? " (gravity removed)" : ""}`;
  // Gravity comes off the horizontal axes only: vert_accel is specific force, gravity included, by definition.
  if (gravity) {
    r[0] -= gravity[0];
    r[1] -= gravity[1];
  }
  channels.forEach((ch, i) => c.emit(ch, r[i], `${label}.${"xyz"[i]}`));
}

export const imuMapper: RosMessageMapper = {
  type: "sensor_msgs/Imu",
  kind: "imu",
  rank: 0,
  channels: IMU_CHANNELS,
  map: mapImu,
};
