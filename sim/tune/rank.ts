// The ranking of `lam tune`: parameter sets ordered by score.ts's rule, each with what it trades off against the
// baseline (set 0): per-metric mean deltas and the scenarios it newly passes or fails.
import type { Scenario } from "../../scenarios/index.js";
import { round, type ScenarioMetrics, type ScenarioResult } from "../metrics.js";
import { compareScores, scoreSet, scoringScenario, SCORE_WEIGHTS, type SetScore } from "./score.js";
import type { ParamSet, ParamSweep, SetResult } from "./sweep.js";

export interface RankedSet extends SetScore {
  readonly rank: number;
  readonly index: number;
  readonly baseline: boolean;
  readonly params: ParamSet;
  readonly scenarios: number;
  readonly failed_scenarios: readonly string[];
  /** Scenarios this set passes that the baseline fails, and the reverse. */
  readonly gained: readonly string[];
  readonly lost: readonly string[];
  /** Mean of each metric over the scenarios where it applies. */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** metrics − the baseline's metrics (null where either is null). */
  readonly deltas: Readonly<Record<string, number | null>>;
  readonly results: readonly { readonly name: string; readonly passed: boolean; readonly failed: readonly string[] }[];
  readonly timing: { readonly wall_ms: number };
}

export interface TuneReport {
  readonly scoring: { readonly formula: string; readonly weights: typeof SCORE_WEIGHTS };
  readonly scenarios: readonly string[];
  readonly sweeps: readonly ParamSweep[];
  readonly sets: number;
  readonly baseline: RankedSet;
  /** The top N by rank (the baseline among them if it ranks there). */
  readonly ranking: readonly RankedSet[];
  readonly seed: number;
  readonly timing: { readonly wall_s: number; readonly workers: number };
}

function meanMetrics(results: readonly ScenarioResult[]): Record<string, number | null> {
  const keys = results.length ? (Object.keys(results[0].metrics) as (keyof ScenarioMetrics)[]) : [];
  const out: Record<string, number | null> = {};
  for (const k of keys) {
    const xs = results.map((r) => r.metrics[k]).filter((v): v is number => v !== null);
    out[k] = xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null;
  }
  return out;
}

export function rankSets(scenarios: readonly Scenario[], results: readonly SetResult[], top: number): { baseline: RankedSet; ranking: RankedSet[]; all: RankedSet[] } {
  const scoring = scenarios.map(scoringScenario);
  const base = results.find((r) => r.index === 0);
  if (!base) throw new Error("tune: the baseline set (0) is missing");
  const basePass = new Set(base.scenarios.filter((s) => s.passed).map((s) => s.name));
  const baseMetrics = meanMetrics(base.scenarios);
  const entries = results.map((r) => {
    const metrics = meanMetrics(r.scenarios);
    const pass = new Set(r.scenarios.filter((s) => s.passed).map((s) => s.name));
    const deltas: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(metrics)) deltas[k] = v === null || baseMetrics[k] === null ? null : round(v - baseMetrics[k]!);
    return {
      ...scoreSet(r.scenarios, scoring),
      rank: 0,
      index: r.index,
      baseline: r.index === 0,
      params: r.params,
      scenarios: r.scenarios.length,
      failed_scenarios: r.scenarios.filter((s) => !s.passed).map((s) => s.name),
      gained: [...pass].filter((n) => !basePass.has(n)),
      lost: [...basePass].filter((n) => !pass.has(n)),
      metrics,
      deltas,
      results: r.scenarios.map((s) => ({ name: s.name, passed: s.passed, failed: s.failed })),
      timing: r.timing,
    };
  });
  const ranked = [...entries].sort(compareScores).map((e, i) => ({ ...e, rank: i + 1 }));
  return { baseline: ranked.find((e) => e.baseline)!, ranking: ranked.slice(0, top), all: ranked };
}
