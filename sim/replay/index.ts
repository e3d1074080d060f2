// Open-loop replay of recorded drives through the pipeline (engine.ts), the predictor's score against what the
// driver did (score.ts), the replay report and page (report.ts), shard merging (merge.ts) and the runs file (runs.ts).
export * from "./engine.js";
export * from "./score.js";
export * from "./report.js";
export * from "./merge.js";
export * from "./runs.js";
