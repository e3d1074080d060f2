// The composition root: the same Decider runs the live node, the open-loop replay and the closed-loop simulator.
export { main } from "./main.js";
export type { CliIO, CliCommand } from "./io.js";
export { UsageError } from "./io.js";
export { Decider, type DeciderOptions, type TickResult } from "../pipeline/decider.js";
export { Perceiver, type PerceiverOptions } from "./perceiver.js";
export { PipelineDriver } from "./pipeline-driver.js";
export { openModel, openPolicy, type RuntimeModel } from "./model.js";
export { defaultModelDir, dirStore, packageRoot } from "./model-dir.js";
export { frameSpecFor, loadSeries } from "./drive-frames.js";
export { startLiveNode } from "./live/index.js";
export { shardOf } from "./shard.js";
