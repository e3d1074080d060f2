// Observing a live node in production: Prometheus metrics, a health answer, and the HTTP server for both.
export * from "./metrics.js";
export * from "./health.js";
export * from "./server.js";
