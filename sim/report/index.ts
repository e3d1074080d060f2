export * from "./json.js";
export * from "./html.js";
export * from "./svg.js";
