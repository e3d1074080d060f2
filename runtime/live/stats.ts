import type { BridgeStats, StatusCounts } from "../../pipeline/ports.js";
export { TickTimes, TICK_WINDOW } from "../../pipeline/tally.js";
import type { RejectCounts } from "../../perception/types.js";
import type { Command, CommandMode } from "../../policy/types.js";

/**
 * What a live node has done so far: the object `lam run --json` prints, so keys follow the CLI's JSON
 * contract (snake_case; everything read off the wall clock sits under `timing`).
 */
export interface LiveStats {
  readonly model: string;
  /** Node state as last published. */
  readonly state: "starting" | "online" | "degraded" | "offline";
  readonly samples: {
    /** Samples the sources delivered (already past the bridges' checks). */
    readonly in: number;
    /** Samples on channels the model's frames do not hold (x, y, ...): not an error, just not used. */
    readonly unused: number;
  };
  /** Dropped samples by reason: what the bridges refused on the wire, and what perception refused after. */
  readonly rejected: {
    readonly bridges: Readonly<Record<string, number>>;
    readonly perception: RejectCounts;
    /** Perception's rejections by channel, then reason: which sensor is the trouble. */
    readonly perception_by_channel: Readonly<Record<string, RejectCounts>>;
    readonly total: number;
  };
  readonly frames: number;
  readonly predictions: number;
  /** Ticks on which the predictor threw (the policy fell back). */
  readonly predictor_errors: number;
  /** Predictions with a non-finite value: not published (the policy faults on them too). */
  readonly nonfinite_predictions: number;
  readonly commands: Readonly<Record<CommandMode, number>> & { readonly total: number };
  /** Commands with a non-finite value: never published. Always 0 unless the policy has a bug. */
  readonly nonfinite_commands: number;
  /** Commands a limit acted on, and how often each limit acted. */
  readonly limit_events: number;
  readonly limits: Readonly<Record<string, number>>;
  /** Exceptions the node caught in its own tick (a decider or sink bug), counted instead of crashing. */
  readonly internal_errors: number;
  /** Sink calls that threw (sinks should count their own failures; these did not). */
  readonly sink_errors: number;
  /** Times the source clock was re-anchored (a simulator restart, a ROS time reset). */
  readonly clock_resets: number;
  /** Ticks whose command was not sent: fired too late (a stalled loop) or too soon after the last one. */
  readonly unsent: { readonly late: number; readonly paced: number };
  /** The fault that began the current fallback episode; null in model mode. */
  readonly fallback_reason: string | null;
  readonly mode: CommandMode | null;
  readonly last_command: Command | null;
  readonly sources: readonly BridgeStats[];
  readonly sinks: readonly BridgeStats[];
  readonly timing: {
    /** Predict + policy per tick (ms), over the last TICK_WINDOW ticks. */
    readonly p50_tick_ms: number | null;
    readonly p99_tick_ms: number | null;
    readonly max_tick_ms: number | null;
    readonly deadline_misses: number;
    readonly uptime_s: number;
  };
}

/** Adds one BridgeStats' rejections into `into`, by reason. */
export function addRejections(into: Record<string, number>, rejected: Readonly<Record<string, number | undefined>>): void {
  for (const [reason, n] of Object.entries(rejected)) if (n) into[reason] = (into[reason] ?? 0) + n;
}

/** Sums a perception tally's per-channel counts by reason. */
export function byReason(perChannel: Readonly<Record<string, RejectCounts>>): RejectCounts {
  const out: Record<string, number> = {};
  for (const counts of Object.values(perChannel)) addRejections(out, counts);
  return out as RejectCounts;
}

/** What the status topic carries: the counts a monitor needs without `--json` or the process's stderr. */
export function statusCounts(s: LiveStats): StatusCounts {
  const rejected: Record<string, number> = { ...s.rejected.bridges };
  addRejections(rejected, s.rejected.perception);
  for (const sink of s.sinks) addRejections(rejected, sink.rejected);
  return {
    frames: s.frames,
    commands: { model: s.commands.model, fallback: s.commands.fallback, stop: s.commands.stop },
    unsent: s.unsent,
    rejected,
    deadline_misses: s.timing.deadline_misses,
    clock_resets: s.clock_resets,
    fallback_reason: s.fallback_reason,
  };
}
