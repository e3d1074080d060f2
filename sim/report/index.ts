export * from "./json.js";
export * from "./html.js";
export * from "./svg.js";
export * from "./ahead.js";
export * from "./horizon.js";
export * from "./eval.js";
