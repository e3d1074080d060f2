// What one run records: plain JSON-able data, so reports can be built from a simulated run or from a replayed
// drive (where road-relative fields are null).
import type { CommandMode } from "../policy/types.js";
import type { FaultCounts } from "./faults.js";

/** One limit acting on one channel: the value asked for, the value sent, and the limit's edge. */
export interface LimitIntervention {
  readonly limit: string;
  readonly channel: string;
  readonly requested: number;
  readonly applied: number;
  readonly bound: number;
}

export interface TickRecord {
  readonly t: number;
  // Ego state at t (rear axle).
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly speed: number;
  /** Body acceleration (m/s²). */
  readonly accel: number;
  readonly lat_accel: number;
  readonly yaw_rate: number;
  readonly steer: number;
  /** Road-relative: arc length, and lateral offset from the route's target (m). Null without a road. */
  readonly s: number | null;
  readonly lateral_offset: number | null;
  /** Speed the reference aimed at (m/s), null without one. */
  readonly ref_speed: number | null;
  /** TTC to the nearest agent in ego's path (s); null when none is closing. */
  readonly ttc: number | null;
  /** The driver's command as given (non-finite values appear as null). */
  readonly command: Readonly<Record<string, number | null>>;
  /** What the vehicle executed from t until the next tick (always finite). */
  readonly executed: Readonly<Record<string, number>>;
  readonly reference: Readonly<Record<string, number>>;
  readonly mode: CommandMode;
  /** Limits that acted: the driver's own (Command.limits) and the vehicle's (prefixed "vehicle."). */
  readonly limits: readonly string[];
  /** How the policy's limits changed the command (its `why`), where recorded (replays); empty when none acted. */
  readonly interventions?: readonly LimitIntervention[];
  readonly fallback: string | null;
  /**
   * First predicted step by channel, and its std (spread), if the driver predicted; `ahead` (replays and sims): the value
   * predicted for k ticks after this one, by k then channel, for the leads reports plot (sim/report/ahead.ts).
   */
  readonly prediction: {
    readonly first: Readonly<Record<string, number>>;
    readonly spread: Readonly<Record<string, number>> | null;
    readonly ahead?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  } | null;
  /** Mean |predicted − executed| over this prediction's horizon and at its last step; null if it ran past the end. */
  readonly prediction_error: { readonly ade: number; readonly fde: number } | null;
  /** Wall-clock (ms) of the driver's tick; only ever reported under `timing`. */
  readonly tick_ms: number | null;
}

/** Pass/fail thresholds after the scenario's overrides. */
export interface PassCriteria {
  readonly min_ttc_s: number;
  readonly max_lat_accel: number;
  readonly max_lon_accel: number;
  readonly min_lon_accel: number;
  readonly max_lon_jerk: number;
  readonly max_yaw_rate: number;
  readonly max_lane_deviation_m: number | null;
  readonly min_progress: number | null;
}

export interface ScenarioRun {
  readonly name: string;
  readonly description: string;
  readonly rate: number;
  readonly duration: number;
  readonly seed: number;
  readonly vehicle: string;
  readonly actions: readonly string[];
  readonly ticks: readonly TickRecord[];
  /** One per agent hit (first contact). */
  readonly collisions: readonly { readonly t: number; readonly agent: number }[];
  /** Distance an ideal driver covers (m), null without a road. */
  readonly expected_distance: number | null;
  readonly criteria: PassCriteria;
  readonly fault_counts: Readonly<Record<string, FaultCounts>>;
  /** Per-channel samples produced by the simulated sensors (before faults). */
  readonly sensor_samples: Readonly<Record<string, number>>;
  /** Deadline for one driver tick (ms), for `timing.deadline_misses`. */
  readonly deadline_ms: number;
  /** Road outline for plots: reference line (downsampled) and lane geometry. */
  readonly road: { readonly lane_width: number; readonly lanes: number; readonly x: readonly number[]; readonly y: readonly number[] } | null;
}
