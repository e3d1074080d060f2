export * from "./record.js";
export * from "./windows.js";
export * from "./imitate.js";
