// MQTT bridge (DESIGN.md "MQTT topics (stable)"): connectMqtt → one link; mqttSampleSource / mqttActionSink on it,
// or openMqttBridge for both; mqttMonitor reads a node's output back; startEmbeddedBroker for `lam run` without --mqtt.
export * from "./topics.js";
export * from "./backoff.js";
export * from "./options.js";
export * from "./link.js";
export * from "./inbound.js";
export * from "./handlers.js";
export * from "./source.js";
export * from "./sink.js";
export * from "./monitor.js";
export * from "./bridge.js";
export * from "./embedded-broker.js";
export type { ActionSink, SampleSource, BridgeStats, NodeStatus, BridgeRejectReason } from "../codec/live.js";
export { BridgeInputError } from "../codec/live.js";
export { SampleGate, type SampleGateOptions } from "../codec/sample-gate.js";
