// How `lam tune` ranks parameter sets. Passing scenarios comes first, then fewer collisions, then a weighted
// score of the margins every scenario left to its pass criteria:
//
//   margin(max-type metric m, limit L) = clamp((L − m) / |L|, −1, 1)     e.g. max_lat_accel, max_lane_deviation_m
//   margin(min-type metric m, limit L) = clamp((m − L) / |L|, −1, 1)     min_ttc_s, min_lon_accel
//   safety_s   = −1 if the scenario collided, else mean(margin(min_ttc_s), margin(max_lane_deviation_m))
//                (a metric that does not apply — no closing agent, no lane limit — counts as margin 1)
//   comfort_s  = mean(margin of max_lat_accel, max_lon_accel, min_lon_accel, max_lon_jerk, max_yaw_rate)
//   progress_s = min(progress, 1)            fallback_s = fallback_share            limits_s = limit_events / ticks
//   score      = mean over scenarios of 0.3·safety_s + 0.2·comfort_s + 0.3·progress_s − 0.1·fallback_s − 0.1·limits_s
//
// Progress weighs as much as safety so that stopping short (all margins kept, no job done) never looks best. The score lies in [−0.9, 0.8]; the rank key is (passed ↓, collisions ↑, score ↓, set index ↑), so ties resolve
// the same way every run.
import type { Scenario } from "../../scenarios/index.js";
import { scenarioVehicle } from "../closed-loop.js";
import { passCriteria } from "../criteria.js";
import { round, type ScenarioMetrics, type ScenarioResult } from "../metrics.js";
import type { PassCriteria } from "../run.js";

export const SCORE_WEIGHTS = { safety: 0.3, comfort: 0.2, progress: 0.3, fallback: -0.1, limits: -0.1 } as const;

export const SCORE_FORMULA =
  "rank by scenarios passed (more first), then collisions (fewer first), then score (higher first), then set index. " +
  "score = mean over scenarios of 0.3·safety + 0.2·comfort + 0.3·min(progress,1) − 0.1·fallback_share − 0.1·limit_events/ticks; " +
  "margin = (limit − value)/|limit| for maximum criteria, (value − limit)/|limit| for minimum criteria, clamped to [−1, 1]; " +
  "safety = −1 after a collision, else the mean margin of min_ttc_s and max_lane_deviation_m (1 where a metric does not apply); " +
  "comfort = the mean margin of max_lat_accel, max_lon_accel, min_lon_accel, max_lon_jerk, max_yaw_rate.";

export interface ScoreParts {
  readonly safety: number;
  readonly comfort: number;
  readonly progress: number;
  readonly fallback: number;
  readonly limits: number;
}

/** What scoring needs to know of a scenario besides its result. */
export interface ScoringScenario {
  readonly name: string;
  readonly criteria: PassCriteria;
  readonly ticks: number;
}

export function scoringScenario(sc: Scenario): ScoringScenario {
  return { name: sc.name, criteria: passCriteria(sc, scenarioVehicle(sc)), ticks: Math.floor(sc.duration * sc.rate + 1e-9) };
}

const clamp = (x: number) => Math.max(-1, Math.min(1, x));
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function margin(v: number | null, limit: number | null, kind: "max" | "min"): number {
  if (v === null || limit === null) return 1;
  const scale = Math.max(Math.abs(limit), 1e-9);
  return clamp(kind === "max" ? (limit - v) / scale : (v - limit) / scale);
}

export function scoreParts(m: ScenarioMetrics, sc: ScoringScenario): ScoreParts {
  const c = sc.criteria;
  const safety = (m.collisions ?? 0) > 0 ? -1 : mean([margin(m.min_ttc_s, c.min_ttc_s, "min"), margin(m.max_lane_deviation_m, c.max_lane_deviation_m, "max")]);
  const comfort = mean([
    margin(m.max_lat_accel, c.max_lat_accel, "max"),
    margin(m.max_lon_accel, c.max_lon_accel, "max"),
    margin(m.min_lon_accel, c.min_lon_accel, "min"),
    margin(m.max_lon_jerk, c.max_lon_jerk, "max"),
    margin(m.max_yaw_rate, c.max_yaw_rate, "max"),
  ]);
  return {
    safety,
    comfort,
    progress: Math.min(m.progress ?? 1, 1),
    fallback: m.fallback_share ?? 0,
    limits: sc.ticks > 0 ? (m.limit_events ?? 0) / sc.ticks : 0,
  };
}

export interface SetScore {
  readonly passed: number;
  readonly collisions: number;
  readonly score: number;
  /** Means over scenarios of each part (before weighting). */
  readonly parts: ScoreParts;
}

export function scoreSet(results: readonly ScenarioResult[], scenarios: readonly ScoringScenario[]): SetScore {
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const parts = results.map((r) => {
    const sc = byName.get(r.name);
    if (!sc) throw new Error(`scoring: no criteria for scenario "${r.name}"`);
    return scoreParts(r.metrics, sc);
  });
  const avg = (k: keyof ScoreParts) => mean(parts.map((p) => p[k]));
  const P: ScoreParts = { safety: avg("safety"), comfort: avg("comfort"), progress: avg("progress"), fallback: avg("fallback"), limits: avg("limits") };
  const w = SCORE_WEIGHTS;
  const score = w.safety * P.safety + w.comfort * P.comfort + w.progress * P.progress + w.fallback * P.fallback + w.limits * P.limits;
  return {
    passed: results.filter((r) => r.passed).length,
    collisions: results.reduce((a, r) => a + (r.metrics.collisions ?? 0), 0),
    score: round(score)!,
    parts: { safety: round(P.safety)!, comfort: round(P.comfort)!, progress: round(P.progress)!, fallback: round(P.fallback)!, limits: round(P.limits)! },
  };
}

/** The rank order: passed ↓, collisions ↑, score ↓, index ↑. */
export function compareScores(a: SetScore & { index: number }, b: SetScore & { index: number }): number {
  return b.passed - a.passed || a.collisions - b.collisions || b.score - a.score || a.index - b.index;
}
