// Scenario metrics (names as DESIGN.md) and pass/fail. Comfort follows nuPlan's ego_is_comfortable:
// the state is resampled to 10 Hz; longitudinal and lateral acceleration are the recorded body accelerations
// smoothed by Savitzky–Golay (window 8 samples = 0.8 s, order 2); longitudinal jerk and yaw rate are SG first
// derivatives (window 15 = 1.5 s, order 2) of the acceleration and of the unwrapped heading.
// TTC is ego's time to reach the nearest agent in its path at constant speeds (traffic.ts), not counted while
// ego is stopped. Lane deviation is |lateral offset| from the route's target line.
import type { ScenarioRun, TickRecord } from "./run.js";
import { savgol } from "./savgol.js";

export interface ScenarioMetrics {
  readonly collisions: number | null;
  readonly min_ttc_s: number | null;
  readonly max_lat_accel: number | null;
  readonly max_lon_accel: number | null;
  readonly min_lon_accel: number | null;
  readonly max_lon_jerk: number | null;
  readonly max_yaw_rate: number | null;
  readonly max_lane_deviation_m: number | null;
  readonly progress: number | null;
  readonly fallback_share: number | null;
  readonly limit_events: number | null;
  readonly nonfinite_commands: number | null;
  readonly ade: number | null;
  readonly fde: number | null;
}

export interface ScenarioTiming {
  readonly p50_tick_ms: number | null;
  readonly p99_tick_ms: number | null;
  readonly deadline_misses: number | null;
}

export interface ScenarioResult {
  readonly name: string;
  readonly passed: boolean;
  readonly metrics: ScenarioMetrics;
  readonly timing: ScenarioTiming;
  /** Names of the failed criteria (the metric names), in a fixed order. */
  readonly failed: readonly string[];
}

/** Fixed decimals so JSON is short and identical wherever the float math is. */
export function round(x: number | null, digits = 6): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

const COMFORT_HZ = 10;

/** Resample the tick series to 10 Hz (every n-th tick when the rate is a multiple, else nearest tick). */
function resample(ticks: readonly TickRecord[], rate: number): TickRecord[] {
  if (ticks.length === 0) return [];
  const out: TickRecord[] = [];
  const span = ticks[ticks.length - 1].t - ticks[0].t;
  const n = Math.floor(span * COMFORT_HZ + 1e-9) + 1;
  for (let i = 0; i < n; i++) {
    const k = Math.min(ticks.length - 1, Math.round((i / COMFORT_HZ) * rate));
    out.push(ticks[k]);
  }
  return out;
}

function unwrap(h: readonly number[]): number[] {
  const out: number[] = [];
  let adj = 0;
  for (let i = 0; i < h.length; i++) {
    if (i > 0) adj += Math.round((h[i] - h[i - 1]) / (2 * Math.PI));
    out.push(h[i] - 2 * Math.PI * adj);
  }
  return out;
}

const maxAbs = (xs: readonly number[]) => (xs.length ? Math.max(...xs.map(Math.abs)) : null);
const percentile = (xs: readonly number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

export function computeMetrics(run: ScenarioRun): ScenarioMetrics {
  const ticks = run.ticks;
  const dt = 1 / COMFORT_HZ;
  const r = resample(ticks, run.rate);
  const lon = savgol(r.map((x) => x.accel), 8, 2, 0, dt);
  const lat = savgol(r.map((x) => x.lat_accel), 8, 2, 0, dt);
  const jerk = savgol(r.map((x) => x.accel), 15, 2, 1, dt);
  const yaw = savgol(unwrap(r.map((x) => x.heading)), 15, 2, 1, dt);
  const ttcs = ticks.map((x) => x.ttc).filter((x): x is number => x !== null);
  const offsets = ticks.map((x) => x.lateral_offset).filter((x): x is number => x !== null);
  const s0 = ticks[0]?.s;
  const s1 = ticks.length ? ticks[ticks.length - 1].s : null;
  const errs = ticks.map((x) => x.prediction_error).filter((x): x is { ade: number; fde: number } => x !== null);
  const n = ticks.length;
  return {
    collisions: run.road ? run.collisions.length : null,
    min_ttc_s: round(ttcs.length ? Math.min(...ttcs) : null),
    max_lat_accel: round(maxAbs(lat)),
    max_lon_accel: round(lon.length ? Math.max(...lon) : null),
    min_lon_accel: round(lon.length ? Math.min(...lon) : null),
    max_lon_jerk: round(maxAbs(jerk)),
    max_yaw_rate: round(maxAbs(yaw)),
    max_lane_deviation_m: round(offsets.length ? maxAbs(offsets) : null),
    progress: round(s0 != null && s1 != null && run.expected_distance ? (s1 - s0) / run.expected_distance : null),
    fallback_share: round(n ? ticks.filter((x) => x.mode !== "model").length / n : null),
    limit_events: n ? ticks.filter((x) => x.limits.length > 0).length : null,
    nonfinite_commands: n ? ticks.filter((x) => Object.values(x.command).some((v) => v === null)).length : null,
    ade: round(errs.length ? errs.reduce((a, e) => a + e.ade, 0) / errs.length : null),
    fde: round(errs.length ? errs.reduce((a, e) => a + e.fde, 0) / errs.length : null),
  };
}

export function computeTiming(run: ScenarioRun): ScenarioTiming {
  const ms = run.ticks.map((x) => x.tick_ms).filter((x): x is number => x !== null);
  return {
    p50_tick_ms: round(percentile(ms, 0.5), 4),
    p99_tick_ms: round(percentile(ms, 0.99), 4),
    deadline_misses: ms.length ? ms.filter((x) => x > run.deadline_ms).length : null,
  };
}

/** Failed criteria by metric name; a metric that does not apply (null) cannot fail. */
export function failedCriteria(m: ScenarioMetrics, run: ScenarioRun): string[] {
  const c = run.criteria;
  const failed: string[] = [];
  const check = (name: keyof ScenarioMetrics, bad: (v: number) => boolean) => {
    const v = m[name];
    if (v !== null && bad(v)) failed.push(name);
  };
  check("collisions", (v) => v > 0);
  check("min_ttc_s", (v) => v < c.min_ttc_s);
  check("max_lat_accel", (v) => v > c.max_lat_accel);
  check("max_lon_accel", (v) => v > c.max_lon_accel);
  check("min_lon_accel", (v) => v < c.min_lon_accel);
  check("max_lon_jerk", (v) => v > c.max_lon_jerk);
  check("max_yaw_rate", (v) => v > c.max_yaw_rate);
  if (c.max_lane_deviation_m !== null) check("max_lane_deviation_m", (v) => v > c.max_lane_deviation_m!);
  if (c.min_progress !== null) check("progress", (v) => v < c.min_progress!);
  check("nonfinite_commands", (v) => v > 0);
  return failed;
}

export function scenarioResult(run: ScenarioRun): ScenarioResult {
  const metrics = computeMetrics(run);
  const failed = failedCriteria(metrics, run);
  return { name: run.name, passed: failed.length === 0, metrics, timing: computeTiming(run), failed };
}
