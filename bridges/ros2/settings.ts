import type { RosParamValue } from "./ros-args.js";

// The node's settings as declared ROS parameters: `ros2 param list /car1/lam` shows them, `-p` and params
// files set them, and the CLI flags are their defaults.

export type Ros2CommandKind = "ackermann" | "twist" | "autoware_control";
export type Ros2PredictionKind = "float32_multi_array" | "action_sequence";
export type Ros2StatusKind = "string" | "node_status";

export interface Ros2Settings {
  readonly model: string;
  readonly policy: string;
  readonly vehicle: string;
  readonly command_type: Ros2CommandKind;
  /** Resolved: the parameter, or the command type's conventional topic. */
  readonly command_topic: string;
  readonly prediction_topic: string;
  readonly prediction_type: Ros2PredictionKind;
  readonly status_topic: string;
  readonly status_type: Ros2StatusKind;
  /** "topic=pkg/msg/Type" entries. */
  readonly input_topics: readonly string[];
  /** m; 0 = not set (Twist from a steering model needs it). */
  readonly wheelbase: number;
  readonly frame_id: string;
  /** IMU mount "roll,pitch,yaw" or "x,y,z,w" (see --imu-mount); "" = from /tf_static. */
  readonly imu_mount: string;
  /** Seconds a command's speed target looks ahead when integrating accel_cmd from the measured speed. */
  readonly accel_horizon: number;
  /** Diagnostics period, s (diagnostic_updater's default is 1). */
  readonly diagnostic_period: number;
  readonly use_sim_time: boolean;
}

export type Ros2ParamType = "bool" | "double" | "string" | "string_array";

export interface Ros2ParamSpec {
  readonly name: keyof Ros2Settings;
  readonly type: Ros2ParamType;
  readonly description: string;
  readonly default: boolean | number | string | readonly string[];
  /** Allowed string values. */
  readonly choices?: readonly string[];
  /** The node reads it once at start (changing it later has no effect). */
  readonly readOnly: boolean;
  /** A double that must be > 0 (a period, a look-ahead), not merely >= 0. */
  readonly positive?: boolean;
}

export const COMMAND_TOPICS: Readonly<Record<Ros2CommandKind, string>> = {
  ackermann: "ackermann_cmd",
  twist: "cmd_vel",
  autoware_control: "control/command/control_cmd",
};

/** The message type of each command kind. */
export const COMMAND_TYPES: Readonly<Record<Ros2CommandKind, string>> = {
  ackermann: "ackermann_msgs/msg/AckermannDriveStamped",
  twist: "geometry_msgs/msg/TwistStamped",
  autoware_control: "autoware_control_msgs/msg/Control",
};

export const PREDICTION_TYPES: Readonly<Record<Ros2PredictionKind, string>> = {
  float32_multi_array: "std_msgs/msg/Float32MultiArray",
  action_sequence: "lam_msgs/msg/ActionSequence",
};

export const STATUS_TYPES: Readonly<Record<Ros2StatusKind, string>> = {
  string: "std_msgs/msg/String",
  node_status: "lam_msgs/msg/NodeStatus",
};

/** Relative names, so `-r __ns:=/car1` puts every topic under /car1. */
export const DEFAULT_INPUT_TOPICS: readonly string[] = [
  "imu=sensor_msgs/msg/Imu",
  "odom=nav_msgs/msg/Odometry",
  "drive=ackermann_msgs/msg/AckermannDriveStamped",
];

/** The parameters, with built-in defaults; `parameterSpecs(cliDefaults)` puts the CLI flags in as defaults. */
const SPECS: readonly Ros2ParamSpec[] = [
  { name: "model", type: "string", default: "", readOnly: true, description: "model folder; empty = the bundled model" },
  { name: "policy", type: "string", default: "", readOnly: true, description: "policy JSON file or preset; empty = the preset matching the model" },
  { name: "vehicle", type: "string", default: "lam", readOnly: true, description: "vehicle id (MQTT topic level, diagnostics hardware_id)" },
  { name: "command_type", type: "string", default: "ackermann", choices: ["ackermann", "twist", "autoware_control"], readOnly: true, description: "ackermann (ackermann_msgs/AckermannDriveStamped), twist (geometry_msgs/TwistStamped), autoware_control (autoware_control_msgs/Control)" },
  { name: "command_topic", type: "string", default: "", readOnly: true, description: "empty = ackermann_cmd, cmd_vel or control/command/control_cmd by command_type" },
  { name: "prediction_topic", type: "string", default: "lam/prediction", readOnly: true, description: "predicted action sequence" },
  { name: "prediction_type", type: "string", default: "float32_multi_array", choices: ["float32_multi_array", "action_sequence"], readOnly: true, description: "std_msgs/Float32MultiArray, or lam_msgs/ActionSequence (needs lam_msgs built)" },
  { name: "status_topic", type: "string", default: "lam/status", readOnly: true, description: "node status, transient-local" },
  { name: "status_type", type: "string", default: "string", choices: ["string", "node_status"], readOnly: true, description: "std_msgs/String (JSON), or lam_msgs/NodeStatus (needs lam_msgs built)" },
  { name: "input_topics", type: "string_array", default: DEFAULT_INPUT_TOPICS, readOnly: true, description: "topic=pkg/msg/Type entries to read (Imu, Odometry, AckermannDrive[Stamped], Twist[Stamped], NavSatFix, autoware VelocityReport/SteeringReport; nav_msgs/Path or autoware Trajectory with Odometry give scene channels)" },
  { name: "wheelbase", type: "double", default: 0, readOnly: true, description: "m; needed for twist commands from a steering model (0 = not set)" },
  { name: "frame_id", type: "string", default: "base_link", readOnly: true, description: "header.frame_id of what lam publishes" },
  { name: "imu_mount", type: "string", default: "", readOnly: true, description: "IMU rotation in base_link: roll,pitch,yaw (rad or NNdeg) or x,y,z,w; empty = from /tf_static" },
  { name: "accel_horizon", type: "double", default: 0.5, readOnly: true, positive: true, description: "s; speed target = measured speed + accel_cmd * accel_horizon for accel_cmd models" },
  { name: "diagnostic_period", type: "double", default: 1, readOnly: true, positive: true, description: "s between /diagnostics messages" },
  { name: "use_sim_time", type: "bool", default: false, readOnly: false, description: "take time from /clock (declared by the client library)" },
];

export function parameterSpecs(cliDefaults: Partial<Record<keyof Ros2Settings, boolean | number | string | readonly string[]>> = {}): Ros2ParamSpec[] {
  return SPECS.map((s) => (cliDefaults[s.name] === undefined ? s : { ...s, default: cliDefaults[s.name]! }));
}

export class Ros2SettingsError extends Error {
  override readonly name = "Ros2SettingsError";
}

function typeOf(v: RosParamValue): Ros2ParamType | "integer" | "other" {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "double";
  if (typeof v === "string") return "string";
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return "string_array";
  return "other";
}

/** A value for a spec, or why it does not fit (an integer is taken for a double, as `-p wheelbase:=3` means it). */
export function checkParam(spec: Ros2ParamSpec, v: RosParamValue): RosParamValue {
  const t = typeOf(v);
  const ok = t === spec.type || (spec.type === "double" && t === "integer");
  if (!ok) throw new Ros2SettingsError(`parameter ${spec.name}=${JSON.stringify(v)}: expected ${spec.type}, got ${t}`);
  if (spec.choices && !spec.choices.includes(v as string))
    throw new Ros2SettingsError(`parameter ${spec.name}=${JSON.stringify(v)}: expected one of ${spec.choices.join(", ")}`);
  if (spec.type === "double" && !(spec.positive ? (v as number) > 0 : (v as number) >= 0))
    throw new Ros2SettingsError(`parameter ${spec.name}=${v}: expected a number ${spec.positive ? "> 0" : ">= 0"}`);
  return v;
}

/**
 * Settings from the declared parameters' values (what the client library gives back after applying the
 * overrides). Unknown overrides are not lam's: they are ignored here (rcl keeps them for other uses).
 */
export function settingsFrom(specs: readonly Ros2ParamSpec[], values: ReadonlyMap<string, RosParamValue>): Ros2Settings {
  const out: Record<string, RosParamValue> = {};
  for (const s of specs) out[s.name] = checkParam(s, values.get(s.name) ?? (s.default as RosParamValue));
  const kind = out.command_type as Ros2CommandKind;
  if (out.command_topic === "") out.command_topic = COMMAND_TOPICS[kind];
  for (const t of out.input_topics as string[]) parseInputTopic(t);
  return out as unknown as Ros2Settings;
}

/** "imu=sensor_msgs/msg/Imu" → { topic, type }; relative topic names are fine (and namespace-able). */
export function parseInputTopic(spec: string): { topic: string; type: string } {
  const eq = spec.indexOf("=");
  const topic = spec.slice(0, eq);
  const type = spec.slice(eq + 1);
  if (eq <= 0 || !/^[~/A-Za-z_][\w/~]*$/.test(topic) || !/^\w+\/(msg\/)?\w+$/.test(type))
    throw new Ros2SettingsError(`input topic ${JSON.stringify(spec)}: expected topic=package/msg/Type (e.g. imu=sensor_msgs/msg/Imu)`);
  return { topic, type };
}
