export * from "./types.js";
export * from "./spec.js";
