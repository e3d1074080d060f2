// The `sim --json` / `replay --json` object: per-scenario results and a summary. Everything except the `timing`
// objects is a function of the runs alone, so two runs on the same inputs give the same bytes once timing is removed.
import type { ScenarioRun } from "../run.js";
import { scenarioResult, type ScenarioResult } from "../metrics.js";

export interface ReportSummary {
  readonly scenarios: number;
  readonly passed: number;
  readonly failed: number;
  readonly pass_rate: number;
  /** Scenario names that failed, in run order. */
  readonly failed_scenarios: readonly string[];
  /** How often each criterion failed across scenarios. */
  readonly failed_criteria: Readonly<Record<string, number>>;
  readonly collisions: number;
  readonly timing: { readonly p50_tick_ms: number | null; readonly p99_tick_ms: number | null; readonly deadline_misses: number | null };
}

export interface Report {
  readonly scenarios: readonly ScenarioResult[];
  readonly summary: ReportSummary;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export function buildReport(runs: readonly ScenarioRun[]): Report {
  const scenarios = runs.map(scenarioResult);
  return { scenarios, summary: summariseResults(scenarios) };
}

/** The summary of a list of results: shared by sim, replay and merged shard reports, so all three agree. */
export function summariseResults(scenarios: readonly Pick<ScenarioResult, "name" | "passed" | "failed" | "metrics" | "timing">[]): ReportSummary {
  const passed = scenarios.filter((s) => s.passed).length;
  const crit: Record<string, number> = {};
  for (const s of scenarios) for (const c of s.failed) crit[c] = (crit[c] ?? 0) + 1;
  const p50 = scenarios.map((s) => s.timing.p50_tick_ms).filter((x): x is number => x !== null);
  const p99 = scenarios.map((s) => s.timing.p99_tick_ms).filter((x): x is number => x !== null);
  const misses = scenarios.map((s) => s.timing.deadline_misses).filter((x): x is number => x !== null);
  return {
    scenarios: scenarios.length,
    passed,
    failed: scenarios.length - passed,
    pass_rate: scenarios.length ? Math.round((passed / scenarios.length) * 1e6) / 1e6 : 0,
    failed_scenarios: scenarios.filter((s) => !s.passed).map((s) => s.name),
    failed_criteria: Object.fromEntries(Object.entries(crit).sort(([a], [b]) => (a < b ? -1 : 1))),
    collisions: scenarios.reduce((a, s) => a + (s.metrics.collisions ?? 0), 0),
    timing: {
      p50_tick_ms: median(p50),
      p99_tick_ms: p99.length ? Math.max(...p99) : null,
      deadline_misses: misses.length ? misses.reduce((a, b) => a + b, 0) : null,
    },
  };
}

/** A deep copy without any `timing` key: the part of a report that must be identical across runs. */
export function withoutTiming<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === "timing" ? undefined : v))) as T;
}
