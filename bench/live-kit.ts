// What the fuzz and soak benches need of a live node. runtime/ (which loads bench/) opens the model and its policy
// and starts the node (startLiveNode); bench/ never imports runtime/, so the house stays as DESIGN.md draws it.
import type { RejectCounts } from "../perception/types.js";
import type { TickResult } from "../pipeline/decider.js";
import type { ActionSink, BridgeStats, SampleSource } from "../pipeline/ports.js";
import type { PolicyParams } from "../policy/params.js";
import type { CommandMode } from "../policy/types.js";

/** The part of the node's stats (runtime's LiveStats, `lam run --json`) the benches read. */
export interface BenchNodeStats {
  readonly state: string;
  readonly frames: number;
  readonly rejected: { readonly bridges: Readonly<Record<string, number>>; readonly perception: RejectCounts };
  readonly commands: Readonly<Record<CommandMode, number>> & { readonly total: number };
  readonly internal_errors: number;
  readonly clock_resets: number;
  readonly unsent: { readonly late: number; readonly paced: number };
  readonly fallback_reason: string | null;
  readonly mode: CommandMode | null;
  readonly sources: readonly BridgeStats[];
  readonly timing: { readonly deadline_misses: number };
}

export interface BenchLiveNode {
  stats(): BenchNodeStats;
  /** Stops ticking, then closes the node's sources and sinks. */
  stop(): Promise<void>;
}

export interface BenchNodeOptions {
  readonly sources: readonly SampleSource[];
  readonly sinks: readonly ActionSink[];
  readonly name: string;
  readonly onTick?: (tick: TickResult) => void;
}

/** An opened model and policy, ready to start live nodes on. */
export interface BenchLive {
  /** The model's frame channels: what a feeder has to send. */
  readonly features: readonly string[];
  readonly policy: PolicyParams;
  start(opts: BenchNodeOptions): BenchLiveNode;
  /** Frees the model (after the node stopped). */
  dispose(): void;
}

/** Opens the model under test (lam bench: --model DIR, else the bundled default) with its preset policy. */
export type OpenBenchLive = () => Promise<BenchLive>;
