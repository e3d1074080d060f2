// ROS 2 bridge: a Ros2Node (rclnodejs, loaded only under a sourced ROS 2), a sample source over the bridges/ros
// mappers, an action sink (Ackermann/Twist/Autoware Control commands, Float32MultiArray or lam_msgs predictions,
// String or lam_msgs status), diagnostics, ROS arguments and the node's declared parameters.
export * from "./qos.js";
export * from "./node.js";
export * from "./rclnodejs-node.js";
export * from "./msg-defs.js";
export * from "./messages.js";
export * from "./commands.js";
export * from "./diagnostics.js";
export * from "./ros-args.js";
export * from "./settings.js";
export * from "./source.js";
export * from "./sink.js";
export * from "./bridge.js";
export type { ActionSink, SampleSource, BridgeStats, NodeStatus, BridgeRejectReason } from "../codec/live.js";
export { BridgeInputError } from "../codec/live.js";
