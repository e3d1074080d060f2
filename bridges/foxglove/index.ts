export * from "./server.js";
export * from "./messages.js";
export * from "./schemas.js";
