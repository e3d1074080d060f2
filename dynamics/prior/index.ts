// The rule-based driving prior over the scene channels, and the head hook that puts it under the network.
export * from "./spec.js";
export * from "./pursuit-idm.js";
export * from "./head.js";
export * from "./predictor.js";
