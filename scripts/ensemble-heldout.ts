// Held-out figures of seed ensembles against their single members (README: Your own vehicle). Trains members with
// seeds 1..9 once (trainRun, kernel trainer), then per source-choice rule scores every member alone and the merged
// ensembles of seeds 1-3, 4-6, 7-9 (mergeRuns: the choice and the held-out metrics redone on the merged net).
// Usage: nice -n 10 npx tsx scripts/ensemble-heldout.ts rav4|f1tenth [data-dir]
//   rav4: the own-vehicle recipe on the comma2k19 minute (--holdout-tail 0.3 --residual-over best --epochs 50);
//   f1tenth: DS1-DS3 with --holdout-tail 0.3 and scripts/train-default.sh's settings, DS4 (never seen) scored whole.
//   MEMBERS=N trains seeds 1..N (default 9); RULES=0,0.02,significant the source-choice rules scored; SIZES=3,5 the
//   ensemble sizes (consecutive seeds).
import * as tf from "@tensorflow/tfjs";
import { resolve } from "node:path";
import { cutWindows, wholeDrive, type FrameSeries } from "../dynamics/dataset.js";
import { evaluate, predictWindows } from "../dynamics/evaluate.js";
import { mergeRuns } from "../dynamics/ensemble.js";
import { DEFAULT_CHOICE_MARGIN, trainRun, type ChoiceMargin, type TrainRunOptions, type TrainRunResult } from "../dynamics/train-run.js";
import type { EvalReport } from "../dynamics/lam-json.js";
import type { ModelSpec } from "../dynamics/spec.js";
import { loadSeries } from "../runtime/drive-frames.js";

await tf.setBackend("cpu");
const which = process.argv[2];
const data = resolve(process.argv[3] ?? resolve(import.meta.dirname, "../../shared/data"));
const recipes: Record<string, { spec: ModelSpec; opts: TrainRunOptions; train: string[]; unseen: string[] }> = {
  rav4: {
    spec: { features: ["speed", "yaw_rate", "accel", "lat_accel", "steer_cmd", "accel_cmd"], actions: ["steer_cmd", "accel_cmd"], rate: 20, history: 20, horizon: 20, layers: 1, units: 16 },
    opts: { epochs: 50, batchSize: 32, inputNoise: 0.1, residualOver: "best", holdoutTail: 0.3, trainer: "kernel" },
    train: ["comma2k19-rav4"],
    unseen: [],
  },
  f1tenth: {
    spec: { features: ["speed", "yaw_rate", "accel", "lat_accel", "speed_cmd", "steer_cmd"], actions: ["speed_cmd", "steer_cmd"], rate: 20, history: 50, horizon: 20, layers: 1, units: 32 },
    opts: { epochs: 30, batchSize: 64, dist: "laplace", inputNoise: 0.1, holdWhereWorse: true, stopOn: "ade", holdoutTail: 0.3, trainer: "kernel" },
    train: ["f1tenth/DS1", "f1tenth/DS2", "f1tenth/DS3"],
    unseen: ["f1tenth/DS4"],
  },
};
const recipe = recipes[which ?? ""];
if (!recipe) throw new Error(`usage: ensemble-heldout.ts rav4|f1tenth [data-dir] (got ${JSON.stringify(which)})`);
const load = (p: string) => loadSeries(resolve(data, p), recipe.spec);
const series: FrameSeries[] = await Promise.all(recipe.train.map(load));
const unseen: FrameSeries[] = await Promise.all(recipe.unseen.map(load));

// SIZES=3,5: the ensemble sizes merged from consecutive seeds (default 3: seeds 1-3, 4-6, …).
const groups = (process.env.SIZES ?? "3").split(",").map(Number);
const members: TrainRunResult[] = [];
const N = Number(process.env.MEMBERS ?? 9);
for (let seed = 1; seed <= N; seed++) {
  const t0 = performance.now();
  members.push(await trainRun(series, recipe.spec, { ...recipe.opts, seed }));
  process.stderr.write(`seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

const fmt = (r: EvalReport) =>
  `${r.ratio_to_best_baseline.toFixed(3)} | ${recipe.spec.actions.map((a) => r.per_channel_ratio?.[a]?.ratio?.toFixed(3) ?? "-").join(" | ")}`;
console.log(`| rule | run | sources | held-out tail | ${recipe.spec.actions.join(" | ")} |${unseen.length ? " unseen (whole) |" : ""}`);
console.log(`|---|---|---|---|${recipe.spec.actions.map(() => "---|").join("")}${unseen.length ? "---|" : ""}`);
// RULES=0,0.02,significant: the choice margins to score (default 0 and the trainer's default).
const rules: ChoiceMargin[] = (process.env.RULES ?? `0,${DEFAULT_CHOICE_MARGIN}`).split(",").map((r) => (r === "significant" ? r : Number(r)));
for (const rule of rules) {
  const row = (name: string, group: TrainRunResult[]) => {
    const m = mergeRuns(series, group, { ...recipe.opts, choiceMargin: rule });
    const un = unseen.length
      ? evaluate({ model: m.model, meta: { ...m.meta, version: 1, weightsSha256: "" } }, unseen, unseen.map(wholeDrive), Object.fromEntries(unseen.map((s) => [s.name, "whole_drive" as const])))
      : undefined;
    // Checks: the merged net's raw output is its members' average on the held-out windows.
    const test = m.blocks.filter((b) => b.role === "test");
    const w = cutWindows(series, test, recipe.spec, m.meta.normalisation.features, m.meta.head);
    const raws = group.map((g) => predictWindows(g.model, w));
    const rawM = predictWindows(m.model, w);
    let worst = 0;
    for (let q = 0; q < rawM.length; q += 2) worst = Math.max(worst, Math.abs(rawM[q] - raws.reduce((x, r) => x + r[q], 0) / group.length));
    process.stderr.write(`${name} rule ${rule}: max |merged − mean of members| raw mean output ${worst.toExponential(2)}; member's own ratio ${group.map((g) => g.meta.metrics?.ratio_to_best_baseline.toFixed(3)).join(",")}\n`);
    const src = (m.meta.head.source ?? recipe.spec.actions.map(() => "model")).join("+");
    console.log(`| ${rule} | ${name} | ${src} | ${fmt(m.meta.metrics!)} |${un ? ` ${un.ratio_to_best_baseline.toFixed(3)} |` : ""}`);
    m.model.dispose();
  };
  members.forEach((m, i) => row(`seed ${i + 1}`, [m]));
  for (const k of groups) for (let g = 0; g + k <= N; g += k) row(`ensemble ${g + 1}-${g + k}`, members.slice(g, g + k));
}
for (const m of members) m.model.dispose();
