// The live node: a wall clock (or a scheduler) + sources + the pipeline core + sinks (node.ts), the source clock
// that anchors the samples' time (clock.ts), the command pacer (pacer.ts), its stats and their status lines.
export { startLiveNode, LIVE_WINDOW_S, type LiveModel, type LiveNode, type LiveNodeOptions, type LiveTiming, type TickResult, type FrameSink } from "./node.js";
export { SourceClock, type ClockVerdict, type SourceClockOptions } from "./clock.js";
export { CommandPacer, type PaceVerdict, type PacerOptions } from "./pacer.js";
export { addRejections, byReason, statusCounts, TickTimes, TICK_WINDOW, type LiveStats } from "./stats.js";
export { statusLine, summaryLines } from "./status-line.js";
