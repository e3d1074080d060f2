// Scene channels from a ROS planning stack: a planned path (nav_msgs/Path, or Autoware's
// autoware_planning_msgs/Trajectory with its speed profile) plus the vehicle's odometry (nav_msgs/Odometry: pose of
// base_link = rear axle, in the path's frame) → path_offset, path_heading, path_curv@<T>s, target_speed, lead_*, by
// the same function the simulator's scene sensor uses (perception/scene.ts). Pure: decoded messages in, Samples out;
// the ROS 2 bridge subscribes and calls `pathSceneSamples` on each new path or odometry message.
import { sceneFromPath, SCENE_CHANNELS, type SceneObject, type SceneOptions, type ScenePath, type ScenePose } from "../../perception/scene.js";
import type { Sample } from "../../perception/types.js";
import { yawOf } from "./quaternion.js";

/** Message definitions (ros2msg field lists) of the path types, for ros2Definition's `extra`. */
export const PATH_SCENE_DEFINITIONS: Readonly<Record<string, string>> = {
  "builtin_interfaces/Duration": "int32 sec\nuint32 nanosec",
  "geometry_msgs/PoseStamped": "std_msgs/Header header\nPose pose",
  "nav_msgs/Path": "std_msgs/Header header\ngeometry_msgs/PoseStamped[] poses",
  "autoware_planning_msgs/Trajectory": "std_msgs/Header header\nautoware_planning_msgs/TrajectoryPoint[] points",
  "autoware_planning_msgs/TrajectoryPoint": [
    "builtin_interfaces/Duration time_from_start",
    "geometry_msgs/Pose pose",
    "float32 longitudinal_velocity_mps",
    "float32 lateral_velocity_mps",
    "float32 acceleration_mps2",
    "float32 heading_rate_rps",
    "float32 front_wheel_angle_rad",
    "float32 rear_wheel_angle_rad",
  ].join("\n"),
};

export const PATH_TYPES = ["nav_msgs/Path", "autoware_planning_msgs/Trajectory"] as const;
export type PathType = (typeof PATH_TYPES)[number];

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (v !== null && typeof v === "object" ? (v as Rec) : undefined);
const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : NaN);

/** The path's points (and speeds, for a Trajectory), or an error naming the offending field. */
export function pathFromMessage(type: string, msg: unknown): ScenePath | { error: string } {
  const t = type.replace("/msg/", "/");
  const m = rec(msg);
  const list = t === "nav_msgs/Path" ? m?.poses : t === "autoware_planning_msgs/Trajectory" ? m?.points : undefined;
  if (!PATH_TYPES.includes(t as PathType)) return { error: `${type} is not a path type (${PATH_TYPES.join(", ")})` };
  if (!Array.isArray(list)) return { error: `${t}: ${t === "nav_msgs/Path" ? "poses" : "points"} is not a list` };
  const x: number[] = [];
  const y: number[] = [];
  const speed: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = rec(list[i]);
    const pose = t === "nav_msgs/Path" ? rec(rec(item?.pose)?.position) : rec(rec(item?.pose)?.position);
    const px = num(pose?.x);
    const py = num(pose?.y);
    if (!Number.isFinite(px) || !Number.isFinite(py)) return { error: `${t}: point ${i} position is (${String(pose?.x)}, ${String(pose?.y)})` };
    x.push(px);
    y.push(py);
    if (t === "autoware_planning_msgs/Trajectory") speed.push(num(item?.longitudinal_velocity_mps));
  }
  return t === "autoware_planning_msgs/Trajectory" ? { x, y, speed } : { x, y };
}

/** The vehicle pose (rear axle) and speed from nav_msgs/Odometry, with its stamp (s). */
export function poseFromOdometry(msg: unknown): { pose: ScenePose; t: number } | { error: string } {
  const m = rec(msg);
  const stamp = rec(rec(m?.header)?.stamp);
  const t = num(stamp?.sec) + num(stamp?.nanosec) * 1e-9;
  const pose = rec(rec(m?.pose)?.pose);
  const p = rec(pose?.position);
  const q = rec(pose?.orientation);
  const lin = rec(rec(rec(m?.twist)?.twist)?.linear);
  const [qx, qy, qz, qw] = [q?.x, q?.y, q?.z, q?.w].map(num);
  const out = { x: num(p?.x), y: num(p?.y), heading: yawOf({ x: qx, y: qy, z: qz, w: qw }), speed: num(lin?.x) };
  for (const [k, v] of Object.entries({ t, ...out })) if (!Number.isFinite(v)) return { error: `nav_msgs/Odometry: ${k} is not finite (${v})` };
  if (qx * qx + qy * qy + qz * qz + qw * qw < 1e-12) return { error: "nav_msgs/Odometry: pose.pose.orientation is the zero quaternion" };
  return { pose: out, t };
}

/**
 * The scene samples at the odometry's stamp: one Sample per scene channel (source "scene"), or an error naming what
 * was wrong. `objects` are the perceived objects in the same frame (none: lead_present = 0).
 */
export function pathSceneSamples(pathType: string, path: unknown, odometry: unknown, opts: SceneOptions, objects: readonly SceneObject[] = []): Sample[] | { error: string } {
  const line = pathFromMessage(pathType, path);
  if ("error" in line) return line;
  const od = poseFromOdometry(odometry);
  if ("error" in od) return od;
  let values;
  try {
    values = sceneFromPath(line, od.pose, objects, opts);
  } catch (e) {
    return { error: `${pathType}: ${e instanceof Error ? e.message : String(e)}` };
  }
  return SCENE_CHANNELS.filter((ch) => values[ch] !== undefined).map((channel) => ({ channel, t: od.t, value: values[channel], source: "scene" }));
}
