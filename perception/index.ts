export * from "./types.js";
export * from "./channels.js";
