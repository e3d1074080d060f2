import { ros2Definition, ROS2_DEFINED_TYPES } from "../ros/definitions.js";

// Definitions of the types lam publishes that bridges/ros/definitions.ts (the types lam reads) does not
// hold, in the same ros2msg form: the type's fields, then each dependency after a "MSG:" separator.

const SEPARATOR = "=".repeat(80);

const MULTI_ARRAY_LAYOUT = [
  "MultiArrayDimension[] dim",
  "uint32 data_offset",
  SEPARATOR,
  "MSG: std_msgs/MultiArrayDimension",
  "string label",
  "uint32 size",
  "uint32 stride",
].join("\n");

/**
 * lam_msgs/msg/ActionSequence: the full prediction, for subscribers that build this package (its .msg text is
 * ACTION_SEQUENCE_MSG; put it in lam_msgs/msg/ActionSequence.msg of an ament package and colcon build).
 */
export const ACTION_SEQUENCE_MSG = [
  "# A predicted action sequence: mean (and std) are horizon x channels, row-major by step.",
  "std_msgs/Header header  # stamp = t0, the time of the first predicted step",
  "float64 dt              # seconds between steps",
  "string model            # which model or baseline produced it",
  "string[] channels       # action channels, e.g. steer_cmd (rad), accel_cmd (m/s^2)",
  "uint32 horizon",
  "float32[] mean",
  "float32[] std           # empty when the model gives none",
].join("\n");

const OWN: Readonly<Record<string, string>> = {
  "std_msgs/String": "string data",
  "std_msgs/Float32MultiArray": [
    "MultiArrayLayout layout",
    "float32[] data",
    SEPARATOR,
    "MSG: std_msgs/MultiArrayLayout",
    MULTI_ARRAY_LAYOUT,
  ].join("\n"),
  "lam_msgs/ActionSequence": [
    ACTION_SEQUENCE_MSG,
    SEPARATOR,
    "MSG: std_msgs/Header",
    "builtin_interfaces/Time stamp\nstring frame_id",
    SEPARATOR,
    "MSG: builtin_interfaces/Time",
    "int32 sec\nuint32 nanosec",
  ].join("\n"),
};

/** The full ros2msg definition of any type the live bridge reads or writes, in either ROS spelling. */
export function definitionOf(type: string): string {
  const root = type.replace("/msg/", "/");
  return OWN[root] ?? ros2Definition(root);
}

export const ROS2_BRIDGE_TYPES: readonly string[] = [...ROS2_DEFINED_TYPES, ...Object.keys(OWN)];
