// Tuning sweeps (DESIGN.md puts them in sim/): the sweep's data, the scoring rule, the ranking and its report page.
// Running the sets (models, worker threads) is runtime/tune/'s.
export * from "./sweep.js";
export * from "./score.js";
export * from "./rank.js";
export { renderTuneHtml } from "./html.js";
