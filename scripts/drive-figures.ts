// Held-out closed-loop figures of the bundled driving models, the prior alone and the reference controller on the same
// generated scenarios (default: 200 of seed 9001, a seed no training run uses) and on the catalog.
// Usage: npx tsx scripts/drive-figures.ts [--generate N] [--seed S] [--vehicle car|robot|both] [--catalog] [--models DIR,DIR]
import { parseArgs } from "node:util";
import { generateScenarios } from "../sim/generate.js";
import { ScenarioSchema, type Scenario } from "../scenarios/schema.js";
import { loadScenarioArgs, openBundledModels, planScenarios, runPlanned, type DriverKind, type SimSetup } from "../runtime/sim-run.js";
import { buildReport, type ScenarioRun } from "../sim/index.js";

const { values } = parseArgs({ options: { generate: { type: "string" }, seed: { type: "string" }, vehicle: { type: "string" }, catalog: { type: "boolean" }, models: { type: "string" } } });
const seed = Number(values.seed ?? 9001);
const scenarios: Scenario[] = values.catalog
  ? loadScenarioArgs(["catalog"])
  : generateScenarios(Number(values.generate ?? 200), { seed, vehicle: (values.vehicle ?? "both") as "both" }).map((g) => ScenarioSchema.parse(g));

/** Mean |executed − reference action| per channel, over all ticks: how far the driver is from the expert. */
function refGap(runs: readonly ScenarioRun[]): Record<string, number> {
  const sum: Record<string, number> = {};
  const n: Record<string, number> = {};
  for (const r of runs) for (const t of r.ticks) for (const [ch, v] of Object.entries(t.executed)) {
    const ref = t.reference[ch];
    if (ref === undefined) continue;
    sum[ch] = (sum[ch] ?? 0) + Math.abs(v - ref);
    n[ch] = (n[ch] ?? 0) + 1;
  }
  return Object.fromEntries(Object.keys(sum).sort().map((ch) => [ch, +(sum[ch] / n[ch]).toFixed(4)]));
}

// --models DIR,DIR: candidate models instead of the bundled ones (a scenario takes the first that fits its vehicle).
const models = await openBundledModels(scenarios, values.models ? values.models.split(",") : undefined);
const results: Record<string, { passed: boolean[]; coll: number[]; runs: ScenarioRun[] }> = {};
for (const driver of ["reference", "prior", "model"] as DriverKind[]) {
  const setup: SimSetup = { driver, model: null, models, policy: null, overrides: {} };
  const runs = runPlanned(planScenarios(scenarios, setup), setup, { seed });
  const rep = buildReport(runs);
  results[driver] = { passed: rep.scenarios.map((s) => s.passed), coll: rep.scenarios.map((s) => s.metrics.collisions ?? 0), runs };
  const m = rep.scenarios.map((s) => s.metrics);
  const mean = (k: string) => +(m.reduce((a, x) => a + ((x as Record<string, number | null>)[k] ?? 0), 0) / m.length).toFixed(3);
  console.log(
    `${driver.padEnd(9)} pass ${rep.summary.passed}/${rep.summary.scenarios}  collisions ${rep.summary.collisions}  ` +
      `mean progress ${mean("progress")}  mean max|jerk| ${mean("max_lon_jerk")}  mean max lane dev ${mean("max_lane_deviation_m")}  fallback ${mean("fallback_share")}  ` +
      `|exec−ref| ${JSON.stringify(refGap(runs))}  failed ${JSON.stringify(rep.summary.failed_criteria)}`,
  );
}
const ref = results.reference;
for (const d of ["prior", "model"]) {
  const r = results[d];
  const worse = scenarios.filter((_, i) => ref.passed[i] && !r.passed[i]).map((s) => s.name);
  const collNew = scenarios.filter((_, i) => ref.coll[i] === 0 && r.coll[i] > 0).map((s) => s.name);
  const rate = r.passed.filter(Boolean).length / Math.max(ref.passed.filter(Boolean).length, 1);
  console.log(`${d}: pass rate ${(100 * rate).toFixed(1)}% of the reference's; fails where the reference passes: ${worse.join(", ") || "none"}; collisions where the reference has none: ${collNew.join(", ") || "none"}`);
}
for (const m of models) m.model.dispose();
