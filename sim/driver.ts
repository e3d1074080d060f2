import type { Sample } from "../perception/types.js";
import type { Command } from "../policy/types.js";
import type { ActionSequence } from "../dynamics/types.js";

/** What a driver sees each control tick: the samples delivered since the last tick, and the reference action. */
export interface DriverInput {
  readonly t: number;
  readonly samples: readonly Sample[];
  /** The reference controller's action by action channel (perfect knowledge), for blending or comparison. */
  readonly reference: Readonly<Record<string, number>>;
}

export interface DriverOutput {
  readonly command: Command;
  readonly prediction?: ActionSequence;
  readonly fallbackReason?: string;
  /** Wall-clock compute time of this tick, measured by the driver (ms); goes under `timing` only. */
  readonly tickMs?: number;
}

/** Anything that drives the simulated vehicle: the reference controller, or the runtime pipeline. */
export interface Driver {
  reset(): void;
  tick(input: DriverInput): DriverOutput;
}
