// What the live bridges share: payload codecs (msgpack, json), wire shapes with their checks, the
// SampleSource / ActionSink interfaces, stats counters and the per-channel sample gate.
export * from "./payload-codec.js";
export * from "./live.js";
export * from "./stats.js";
export * from "./sample-wire.js";
export * from "./prediction-wire.js";
export * from "./command-wire.js";
export * from "./status-wire.js";
export { isRecord } from "./checks.js";
export * from "./sample-gate.js";
