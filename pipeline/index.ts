// One tick, pure: frame -> prediction -> command, shared by the live node, replay and the simulator; the ports
// (sources, sinks, recorders) every driver attaches; the one owner of rate and time step.
export { Decider, type DeciderOptions, type TickResult } from "./decider.js";
export { PipelineCore, type CoreTick, type PipelineCoreOptions } from "./core.js";
export { commandOutcome, firstStep, TickTally, TickTimes, TICK_WINDOW, type CommandOutcome, type FirstStep } from "./tally.js";
export { periodOf, pipelineRate, policyAtRate, type PipelineRate } from "./rate.js";
export * from "./ports.js";
