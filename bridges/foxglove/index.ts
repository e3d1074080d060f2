// Foxglove live view: startFoxgloveServer → open ws://host:port in Foxglove to watch frames, predictions, commands.
export * from "./server.js";
export * from "./messages.js";
export * from "./schemas.js";
export type { ActionSink, SampleSource, BridgeStats, NodeStatus, BridgeRejectReason } from "../codec/live.js";
export { BridgeInputError } from "../codec/live.js";
export * from "./replay-recorder.js";
