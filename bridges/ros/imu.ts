import { SampleCollector, describe, field, headerStamp, rejectAll } from "./collect.js";
import { rotate } from "./quaternion.js";
import type { MapOptions, MapResult, Quaternion, RosMessageMapper } from "./types.js";

const RATES = ["roll_rate", "pitch_rate", "yaw_rate"] as const;
const ACCELS = ["accel", "lat_accel", "vert_accel"] as const;
const IMU_CHANNELS = [...RATES, ...ACCELS];

/**
 * sensor_msgs/Imu: body rates about x/y/z → roll/pitch/yaw rate, specific force along x/y/z →
 * accel/lat_accel/vert_accel (REP-103: x forward, y left, z up, so + = left / counter-clockwise).
 * Orientation is not mapped: many IMUs publish it in their own world frame.
 */
export function mapImu(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(IMU_CHANNELS, logTime, options, stamp.error);
  const c = new SampleCollector(stamp.t, options);
  vector(c, msg, "angular_velocity", RATES, options.mount);
  vector(c, msg, "linear_acceleration", ACCELS, options.mount);
  return c.result();
}

function vector(
  c: SampleCollector,
  msg: unknown,
  name: string,
  channels: readonly [string, string, string],
  mount: Quaternion | undefined,
): void {
  // REP-145: covariance[0] = -1 marks the whole vector as not provided by this IMU; that is not an error.
  const cov = field(msg, `${name}_covariance`) as ArrayLike<unknown> | undefined;
  if (cov !== undefined && cov !== null && cov[0] === -1) return;
  const v = field(msg, name);
  const xyz = [field(v, "x"), field(v, "y"), field(v, "z")];
  if (!mount) {
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
  const r = rotate(mount, xyz as [number, number, number]);
  channels.forEach((ch, i) => c.emit(ch, r[i], `${name} (mounted).${"xyz"[i]}`));
}

export const imuMapper: RosMessageMapper = {
  type: "sensor_msgs/Imu",
  kind: "imu",
  rank: 0,
  channels: IMU_CHANNELS,
  map: mapImu,
};
