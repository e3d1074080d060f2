import { SampleCollector, field, headerStamp, rejectAll } from "./collect.js";
import { yawOf } from "./quaternion.js";
import type { MapOptions, MapResult, RosMessageMapper } from "./types.js";

const ODOM_CHANNELS = ["speed", "yaw_rate", "x", "y", "heading"];

/**
 * nav_msgs/Odometry: twist (in child_frame_id, the vehicle frame) → speed and yaw_rate; pose (in the odom
 * frame) → x, y and heading (yaw of the orientation quaternion).
 */
export function mapOdometry(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(ODOM_CHANNELS, logTime, options, stamp.error);
  const c = new SampleCollector(stamp.t, options);
  const twist = field(msg, "twist", "twist");
  c.emit("speed", field(twist, "linear", "x"), "twist.twist.linear.x");
  c.emit("yaw_rate", field(twist, "angular", "z"), "twist.twist.angular.z");
  const pose = field(msg, "pose", "pose");
  c.emit("x", field(pose, "position", "x"), "pose.pose.position.x");
  c.emit("y", field(pose, "position", "y"), "pose.pose.position.y");
  const q = field(pose, "orientation") as Record<string, unknown> | undefined;
  const parts = [q?.x, q?.y, q?.z, q?.w];
  const bad = parts.findIndex((p) => typeof p !== "number");
  if (bad >= 0) {
    c.emit("heading", parts[bad], `pose.pose.orientation.${"xyzw"[bad]}`);
  } else {
    const [x, y, z, w] = parts as number[];
    const norm2 = x * x + y * y + z * z + w * w;
    // An all-zero quaternion is what a publisher that never set the orientation sends: no heading, not 0 rad.
    if (norm2 < 1e-12) c.reject("heading", "malformed", "pose.pose.orientation is the zero quaternion");
    else c.emit("heading", yawOf({ x, y, z, w }), "yaw(pose.pose.orientation)");
  }
  return c.result();
}

export const odometryMapper: RosMessageMapper = {
  type: "nav_msgs/Odometry",
  kind: "odom",
  rank: 1,
  channels: ODOM_CHANNELS,
  map: mapOdometry,
};
