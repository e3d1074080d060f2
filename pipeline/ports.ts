import type { Observable } from "rxjs";
import type { ActionSequence } from "../dynamics/types.js";
import type { Frame, Sample, RejectReason } from "../perception/types.js";
import type { Command } from "../policy/types.js";
import type { TickResult } from "./decider.js";

/**
 * Why a live bridge dropped a message: the perception reasons, plus what only a transport sees
 * (a payload over the size limit, a content type lam does not speak, a failed publish).
 */
export type BridgeRejectReason =
  | RejectReason
  | "oversized"
  | "content_type"
  | "publish_failed"
  /** A new channel (or source) beyond the per-vehicle cap: state per channel stays bounded whatever names arrive. */
  | "channel_cap"
  /** A retained sample: it was stamped whenever it was published, so it says nothing about now. */
  | "retained"
  /** A command or prediction older than the sink's age bound when it was to be sent, or while the broker stopped acknowledging. */
  | "stale";

/** A message a bridge could not use: what was wrong and where (topic, or topic@field). */
export class BridgeInputError extends Error {
  override readonly name = "BridgeInputError";
  constructor(
    readonly where: string,
    readonly reason: BridgeRejectReason,
    readonly detail: string,
  ) {
    super(`${where}: ${reason}: ${detail}`);
  }
}

export interface BridgeStats {
  /** Messages taken off the wire (good and bad). */
  readonly received: number;
  /** Samples (or messages, for sinks: publishes) that went through. */
  readonly accepted: number;
  readonly rejected: Readonly<Partial<Record<BridgeRejectReason, number>>>;
  /** The most recent error in full, for logs and `lam run` status. */
  readonly lastError?: string;
  readonly connected: boolean;
  readonly reconnects: number;
}

/** A live source of canonical samples (MQTT, ROS 2). `samples$` is hot and completes on close. */
export interface SampleSource {
  readonly samples$: Observable<Sample>;
  /** Every rejected message, as it happens (stats() has the counts). */
  readonly errors$: Observable<BridgeInputError>;
  stats(): BridgeStats;
  close(): Promise<void>;
}

/** Running totals a node publishes with its status (snake_case, as in `lam run --json`). */
export interface StatusCounts {
  readonly frames: number;
  readonly commands: Readonly<Record<"model" | "fallback" | "stop", number>>;
  /** Ticks whose command was not sent: fired late (a stalled loop) or too soon after the last one. */
  readonly unsent: { readonly late: number; readonly paced: number };
  /** Dropped samples and messages by reason, bridges and perception together. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly deadline_misses: number;
  readonly clock_resets: number;
  /** The fault that began the current fallback episode; null in model mode. */
  readonly fallback_reason: string | null;
}

/** How the node is doing, as told to the outside world (retained on MQTT, transient-local on ROS 2). */
export interface NodeStatus {
  readonly state: "starting" | "online" | "degraded" | "offline";
  /** Wall-clock seconds (Unix) when the status was made; absent in a last will, which is written at connect. */
  readonly t?: number;
  readonly detail?: string;
  readonly model?: string;
  /** The node's counts so far; the live node refreshes its status with them once a second. */
  readonly counts?: StatusCounts;
}

/** A live sink of what the node computes. Publishing never throws: failures are counted in stats(). */
export interface ActionSink {
  /** `stampMs`: when the tick that made it fired, on the node's clock (Unix ms live); a sink may refuse what is too old. */
  publishPrediction(seq: ActionSequence, stampMs?: number): void;
  publishCommand(cmd: Command, stampMs?: number): void;
  publishStatus(status: NodeStatus): void;
  stats(): BridgeStats;
  close(): Promise<void>;
}

/** A sink that also shows the frames the node decided on (the Foxglove live view). */
export interface FrameSink {
  publishFrame(frame: Frame): void;
}

/** Keeps every tick (an MCAP writer, a test): `index` counts the driver's ticks from 0. Must not throw. */
export interface TickRecorder {
  record(tick: TickResult, index: number): void;
}

/** What every driver's tick sends out (a TickResult, the simulator's DriverOutput). */
export interface TickOut {
  readonly prediction?: ActionSequence;
  readonly command: Command;
}

/**
 * A tick's prediction and command to every sink: how replay and the simulator publish what they compute (unstamped:
 * a burst faster than real time is not withheld as stale, see ActionSink). Sinks count their own failures.
 */
export function publishTick(sinks: readonly ActionSink[], tick: TickOut): void {
  for (const sink of sinks) {
    if (tick.prediction) sink.publishPrediction(tick.prediction);
    sink.publishCommand(tick.command);
  }
}
