import { SampleCollector, field, headerStamp, rejectAll } from "./collect.js";
import type { MapOptions, MapResult, RosMessageMapper } from "./types.js";

const VELOCITY_CHANNELS = ["speed", "yaw_rate"];
const STEERING_CHANNELS = ["steer"];

/**
 * autoware_vehicle_msgs/VelocityReport (/vehicle/status/velocity_status): longitudinal_velocity (m/s) → speed,
 * heading_rate (rad/s, + = left) → yaw_rate. lateral_velocity has no canonical channel and is not read.
 */
export function mapVelocityReport(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(VELOCITY_CHANNELS, logTime, options, stamp.error);
  const c = new SampleCollector(stamp.t, options);
  c.emit("speed", field(msg, "longitudinal_velocity"), "longitudinal_velocity");
  c.emit("yaw_rate", field(msg, "heading_rate"), "heading_rate");
  return c.result();
}

/** autoware_vehicle_msgs/SteeringReport (/vehicle/status/steering_status): steering_tire_angle (rad, + = left) → steer. */
export function mapSteeringReport(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  // It has a bare builtin_interfaces/Time stamp, not a Header.
  const stamp = headerStamp({ header: { stamp: field(msg, "stamp") } }, logTime);
  if ("error" in stamp) return rejectAll(STEERING_CHANNELS, logTime, options, stamp.error.replace("header.", ""));
  const c = new SampleCollector(stamp.t, options);
  c.emit("steer", field(msg, "steering_tire_angle"), "steering_tire_angle");
  return c.result();
}

export const velocityReportMapper: RosMessageMapper = {
  type: "autoware_vehicle_msgs/VelocityReport",
  kind: "vehicle",
  rank: 1,
  channels: VELOCITY_CHANNELS,
  map: mapVelocityReport,
};

export const steeringReportMapper: RosMessageMapper = {
  type: "autoware_vehicle_msgs/SteeringReport",
  kind: "vehicle",
  rank: 1,
  channels: STEERING_CHANNELS,
  map: mapSteeringReport,
};
