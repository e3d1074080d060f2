import { SampleCollector, field, headerStamp, rejectAll } from "./collect.js";
import type { MapOptions, MapResult, RosMessageMapper } from "./types.js";

const TWIST_CHANNELS = ["speed_cmd", "yaw_rate_cmd"];

function twistSamples(c: SampleCollector, twist: unknown, prefix: string): MapResult {
  c.emit("speed_cmd", field(twist, "linear", "x"), `${prefix}linear.x`);
  c.emit("yaw_rate_cmd", field(twist, "angular", "z"), `${prefix}angular.z`);
  return c.result();
}

/** geometry_msgs/Twist as a velocity command (cmd_vel): it has no stamp, so it is timed by its log time. */
export function mapTwist(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  return twistSamples(new SampleCollector(logTime, options), msg, "");
}

/** geometry_msgs/TwistStamped as a velocity command. */
export function mapTwistStamped(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(TWIST_CHANNELS, logTime, options, stamp.error);
  return twistSamples(new SampleCollector(stamp.t, options), field(msg, "twist"), "twist.");
}

export const twistMapper: RosMessageMapper = {
  type: "geometry_msgs/Twist",
  kind: "cmd",
  rank: 3,
  channels: TWIST_CHANNELS,
  map: mapTwist,
};

export const twistStampedMapper: RosMessageMapper = {
  type: "geometry_msgs/TwistStamped",
  kind: "cmd",
  rank: 3,
  channels: TWIST_CHANNELS,
  map: mapTwistStamped,
};
