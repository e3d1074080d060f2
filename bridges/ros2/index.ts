export * from "./qos.js";
export * from "./node.js";
export * from "./rclnodejs-node.js";
export * from "./msg-defs.js";
export * from "./messages.js";
export * from "./source.js";
export * from "./sink.js";
export * from "./bridge.js";
