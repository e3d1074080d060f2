export * from "./action-track.js";
export * from "./hold-last.js";
export * from "./linear.js";
export * from "./ar.js";
export * from "./head-source.js";
export * from "./residual.js";
