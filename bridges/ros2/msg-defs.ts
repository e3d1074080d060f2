import { ros2Definition, ROS2_DEFINED_TYPES } from "../ros/definitions.js";
import { PATH_SCENE_DEFINITIONS } from "../ros/path-scene.js";

// Field lists of the types lam publishes that bridges/ros/definitions.ts (the types lam reads) does not
// hold. Those of lam_msgs are the text of bridges/ros2/lam_msgs/msg/*.msg, the Autoware ones that of
// bridges/ros2/msg/ (Apache-2.0, autowarefoundation/autoware_msgs): tests check both stay equal.

/** lam_msgs/msg/ActionSequence (bridges/ros2/lam_msgs/msg/ActionSequence.msg). */
export const ACTION_SEQUENCE_MSG = [
  "# A predicted action sequence: mean and std are horizon x channels, row-major by step.",
  "std_msgs/Header header  # stamp = t0, the time of the first predicted step",
  "float64 dt              # seconds between steps",
  "string model            # which model or baseline produced it",
  "string[] channels       # action channels, e.g. steer_cmd (rad), accel_cmd (m/s^2)",
  "uint32 horizon",
  "float32[] mean",
  "float32[] std           # spread: standard deviation per step and channel; empty when the model gives none",
].join("\n");

/** lam_msgs/msg/NodeStatus (bridges/ros2/lam_msgs/msg/NodeStatus.msg). */
export const NODE_STATUS_MSG = [
  "# The lam node's status (the same fields as its MQTT status), published transient-local.",
  "uint8 STARTING = 0",
  "uint8 ONLINE = 1",
  "uint8 DEGRADED = 2",
  "uint8 OFFLINE = 3",
  "std_msgs/Header header  # stamp = when the status was made",
  "uint8 state",
  "string detail           # why degraded or offline, when known",
  "string model            # model folder or name",
].join("\n");

const OWN: Readonly<Record<string, string>> = {
  ...PATH_SCENE_DEFINITIONS,
  "std_msgs/String": "string data",
  "std_msgs/MultiArrayDimension": "string label\nuint32 size\nuint32 stride",
  "std_msgs/MultiArrayLayout": "MultiArrayDimension[] dim\nuint32 data_offset",
  "std_msgs/Float32MultiArray": "MultiArrayLayout layout\nfloat32[] data",
  "lam_msgs/ActionSequence": ACTION_SEQUENCE_MSG,
  "lam_msgs/NodeStatus": NODE_STATUS_MSG,
  "geometry_msgs/PoseStamped": "std_msgs/Header header\nPose pose",
  "nav_msgs/Path": "std_msgs/Header header\ngeometry_msgs/PoseStamped[] poses",
  "diagnostic_msgs/KeyValue": "string key\nstring value",
  "diagnostic_msgs/DiagnosticStatus": [
    "byte OK=0",
    "byte WARN=1",
    "byte ERROR=2",
    "byte STALE=3",
    "byte level",
    "string name",
    "string message",
    "string hardware_id",
    "KeyValue[] values",
  ].join("\n"),
  "diagnostic_msgs/DiagnosticArray": "std_msgs/Header header\nDiagnosticStatus[] status",
  "autoware_control_msgs/Lateral": [
    "builtin_interfaces/Time stamp",
    "builtin_interfaces/Time control_time",
    "float32 steering_tire_angle",
    "float32 steering_tire_rotation_rate",
    "bool is_defined_steering_tire_rotation_rate",
  ].join("\n"),
  "autoware_control_msgs/Longitudinal": [
    "builtin_interfaces/Time stamp",
    "builtin_interfaces/Time control_time",
    "float32 velocity",
    "float32 acceleration",
    "float32 jerk",
    "bool is_defined_acceleration",
    "bool is_defined_jerk",
  ].join("\n"),
  "autoware_control_msgs/Control": "builtin_interfaces/Time stamp\nbuiltin_interfaces/Time control_time\nLateral lateral\nLongitudinal longitudinal",
};

/** The full ros2msg definition of any type the live bridge reads or writes, in either ROS spelling. */
export function definitionOf(type: string): string {
  return ros2Definition(type.replace("/msg/", "/"), OWN);
}

/** The field list alone of a type lam publishes (no dependencies), for comparing with .msg files. */
export function ownFields(type: string): string | undefined {
  return OWN[type.replace("/msg/", "/")];
}

export const ROS2_BRIDGE_TYPES: readonly string[] = [...ROS2_DEFINED_TYPES, ...Object.keys(OWN)];
