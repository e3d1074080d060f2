export * from "./types.js";
export * from "./spec.js";
export * from "./model.js";
