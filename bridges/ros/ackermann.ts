import { SampleCollector, field, headerStamp, rejectAll } from "./collect.js";
import type { MapOptions, MapResult, RosMessageMapper } from "./types.js";

const ACKERMANN_CHANNELS = ["speed_cmd", "steer_cmd", "accel_cmd"];

function driveSamples(c: SampleCollector, drive: unknown, prefix: string): MapResult {
  c.emit("speed_cmd", field(drive, "speed"), `${prefix}speed`);
  c.emit("steer_cmd", field(drive, "steering_angle"), `${prefix}steering_angle`);
  c.emit("accel_cmd", field(drive, "acceleration"), `${prefix}acceleration`);
  return c.result();
}

/** ackermann_msgs/AckermannDriveStamped: speed (m/s), road-wheel angle (rad, + = left), acceleration (m/s²). */
export function mapAckermannDriveStamped(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(ACKERMANN_CHANNELS, logTime, options, stamp.error);
  return driveSamples(new SampleCollector(stamp.t, options), field(msg, "drive"), "drive.");
}

/** ackermann_msgs/AckermannDrive (unstamped): timed by its log time. */
export function mapAckermannDrive(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  return driveSamples(new SampleCollector(logTime, options), msg, "");
}

export const ackermannDriveStampedMapper: RosMessageMapper = {
  type: "ackermann_msgs/AckermannDriveStamped",
  kind: "cmd",
  rank: 3,
  channels: ACKERMANN_CHANNELS,
  map: mapAckermannDriveStamped,
};

export const ackermannDriveMapper: RosMessageMapper = {
  type: "ackermann_msgs/AckermannDrive",
  kind: "cmd",
  rank: 3,
  channels: ACKERMANN_CHANNELS,
  map: mapAckermannDrive,
};
