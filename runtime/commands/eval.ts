import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { UsageError, type CliIO } from "../io.js";
import { commandBackend } from "../backend-choice.js";
import { blocksFromRecord, wholeDrive, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import { evaluate } from "../../dynamics/evaluate.js";
import { fitDataAr, scoreBaselines, type BaselineScoreOptions, type BaselineScores } from "../../dynamics/baseline-scores.js";
import type { ArFit } from "../../dynamics/baselines/ar.js";
import { loadModel, type EvalReport, type LoadedModel } from "../../dynamics/save.js";
import { defaultModelDir, dirStore } from "../model-dir.js";
import { loadSeries } from "../drive-frames.js";
import { permutationImportance, type Importance } from "../../dynamics/explain.js";
import { evalHtml } from "../../sim/report/eval.js";

const HELP = `usage: lam eval <drive...> [--model DIR] [--map NAME|FILE] [--horizon S] [--ar-fit model|data] [--explain [--seed N]] [--report FILE.html] [--json]

Scores the model and the baselines (hold_last, linear, the model's AR fit) on held-out data:
a drive the model trained on contributes only its test time blocks (lam.json records them),
any other drive all of it. ADE/FDE per action channel in physical units, and per channel the
model's ADE over the best baseline's on that channel. The overall ADE/FDE average the channels in
units of each action's std over every frame of the given drives (the data's own scale, the same
whatever model is scored, so two models on the same drives compare).

  --model DIR   model folder (default: the bundled default model)
  --map X       CSV column map for CSV drives (built-in name or JSON file; default: detected)
  --horizon S   score the first S seconds of the predicted horizon (up to the model's; default all)
  --ar-fit X    the AR baseline: "model" (default) the model's own, fitted on its training blocks; "data"
                fitted once on every frame of the given drives (same order), so every model evaluated on
                these drives meets the same AR and their ratios compare; in-sample, so a stronger baseline
  --explain     permutation importance: per input channel, how much the net's ADE on each action rises
                when that channel is shuffled across the held-out windows (seeded; 3 shuffles averaged)
  --seed N      seed of --explain's shuffles (default 1)
  --report F    write a self-contained HTML page to F: the tables, error against horizon (model and each
                baseline), per drive and action what was recorded against what the model predicted 0.5 s
                and 1 s before, and --explain's importance
  --json        print one JSON object
`;

/** `--horizon S` as a step count: 1 step at least, the model's horizon at most. */
export function horizonSteps(text: string, rate: number, max: number): number {
  const s = Number(text);
  const steps = Math.round(s * rate);
  if (!Number.isFinite(s) || s <= 0 || steps < 1 || steps > max) {
    throw new UsageError(`--horizon ${text}: expected seconds in (0, ${max / rate}] (the model predicts ${max} steps at ${rate} Hz)`);
  }
  return steps;
}

export interface EvalRun {
  readonly report: EvalReport;
  /** The baselines, scored once on these windows and shared by the model's report and the page. */
  readonly baselines: BaselineScores;
  readonly explain?: Importance;
  /** With `keepMeans`: the model's means per window (windows × horizon × actions), as scored. */
  readonly model?: Float32Array;
  /** The AR baseline scored and where its fit came from (null: the model records none and --ar-fit model). */
  readonly arFit: ({ readonly source: ArFitSource } & ArFit) | null;
}

/**
 * The model and the baselines on the held-out blocks: the baselines run once (scoreBaselines) and every figure
 * — the report, and the page's curves and plots with `keepMeans` — is made from that one run.
 */
export function evalRun(
  loaded: LoadedModel,
  series: readonly FrameSeries[],
  blocks: readonly Block[],
  data: EvalReport["data"],
  opts: {
    readonly steps: number;
    readonly explain?: { readonly seed: number };
    readonly keepMeans?: boolean;
    readonly predictors?: BaselineScoreOptions["predictors"];
    /** The AR baseline's fit: the model's recorded one (default), or one fitted on every frame of `series`. */
    readonly arFit?: ArFitSource;
  },
): EvalRun {
  const arFit = opts.arFit ?? "model";
  // The model's decoding reads head (and head.ar), never baselines.ar: swapping the latter changes the baseline only.
  const scored: LoadedModel = arFit === "data" ? { ...loaded, meta: { ...loaded.meta, baselines: { ...loaded.meta.baselines, ar: fitDataAr(loaded.meta, series) } } } : loaded;
  const { meta } = scored;
  const baselines = scoreBaselines(meta, series, blocks, { steps: opts.steps, keepMeans: opts.keepMeans, predictors: opts.predictors });
  const per = meta.spec.horizon * meta.spec.actions.length;
  const model = opts.keepMeans ? new Float32Array(baselines.windows.n * per) : undefined;
  const report = evaluate(scored, series, blocks, data, { steps: opts.steps, baselines, ...(model ? { onModel: (i: number, m: Float32Array) => model.set(m, i * per) } : {}) });
  const explain = opts.explain ? permutationImportance(loaded, series, blocks, { seed: opts.explain.seed, steps: opts.steps }) : undefined;
  const ar = meta.baselines?.ar;
  return { report, baselines, arFit: ar ? { source: arFit, p: ar.p, phi: ar.phi } : null, ...(explain ? { explain } : {}), ...(model ? { model } : {}) };
}

/** Where `lam eval`'s AR baseline comes from (--ar-fit). */
export type ArFitSource = "model" | "data";

/** `--ar-fit` checked. */
export function arFitSource(text: string | undefined): ArFitSource {
  if (text === undefined) return "model";
  if (text !== "model" && text !== "data") throw new UsageError(`--ar-fit=${text} must be model or data`);
  return text;
}

/** Per action, what lam.json answers it with: a baseline alone, or the net (and the baseline its residual is over). */
export function answeredBy(head: LoadedModel["meta"]["head"]): string[] {
  return head.fallback.map((_, a) => {
    const src = head.source?.[a] ?? "model";
    const over = head.residual_over?.[a];
    return src === "model" && over && over !== "hold_last" ? `model (residual over ${over})` : src;
  });
}

/** The scores of a report that are not finite numbers, named (e.g. "model.ade=NaN"). */
export function nonFiniteScores(report: EvalReport): string[] {
  const out: string[] = [];
  const check = (name: string, e: EvalReport["model"]) => {
    for (const [k, v] of [["ade", e.ade], ["fde", e.fde]] as const) if (!Number.isFinite(v)) out.push(`${name}.${k}=${v}`);
  };
  check("model", report.model);
  for (const [n, b] of Object.entries(report.baselines)) check(n, b);
  return out;
}

export default async function evalCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      map: { type: "string" },
      horizon: { type: "string" },
      "ar-fit": { type: "string" },
      explain: { type: "boolean" },
      seed: { type: "string" },
      report: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("give at least one drive");
  const arFit = arFitSource(values["ar-fit"]);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed=${values.seed} must be a non-negative integer`);
  if (values.seed !== undefined && !values.explain) throw new UsageError("--seed applies to --explain");
  if (values.report !== undefined && !/\.html?$/i.test(values.report)) throw new UsageError(`--report ${values.report}: expected a file name ending in .html`);
  const backend = await commandBackend();
  const dir = values.model ?? defaultModelDir();
  const loaded = await loadModel(dirStore(dir));
  const { meta } = loaded;
  const steps = values.horizon === undefined ? meta.spec.horizon : horizonSteps(values.horizon, meta.spec.rate, meta.spec.horizon);
  const trainedOn = new Set(meta.training?.drives ?? []);
  const recorded = (meta.training?.split ?? []).filter((b) => b.role === "test") as Block[];

  const series: FrameSeries[] = [];
  const blocks: Block[] = [];
  const data: Record<string, "test_blocks" | "whole_drive"> = {};
  for (const p of positionals) {
    const s = await loadSeries(p, meta.spec, { map: values.map });
    if (data[s.name]) throw new UsageError(`drive "${s.name}" given twice (${p})`);
    series.push(s);
    if (trainedOn.has(s.name)) {
      const own = blocksFromRecord(s, recorded);
      if (own.length === 0) io.stderr.write(`lam eval: ${p}: the model trained on "${s.name}" and recorded no test block for it; skipped\n`);
      blocks.push(...own);
      data[s.name] = "test_blocks";
    } else {
      blocks.push(wholeDrive(s));
      data[s.name] = "whole_drive";
    }
  }
  const run = evalRun(loaded, series, blocks, data, { steps, arFit, ...(values.explain ? { explain: { seed } } : {}), keepMeans: values.report !== undefined });
  const { report, explain } = run;
  loaded.model.dispose();
  const broken = nonFiniteScores(report);
  if (broken.length > 0) {
    // A NaN score is no score: never print it as a result with exit 0.
    io.stderr.write(`lam eval: ${dir}: non-finite scores over ${report.windows} windows (${broken.join(", ")}); the model's predictions or the data are not finite\n`);
    return 1;
  }
  if (values.report !== undefined) {
    const html = evalHtml({
      modelDir: dir,
      report,
      ...(explain ? { explain } : {}),
      actions: meta.spec.actions,
      answeredBy: answeredBy(meta.head),
      rate: meta.spec.rate,
      horizon: meta.spec.horizon,
      drives: series.map((s) => ({ name: s.name, t: s.frames.map((f) => f.t) })),
      windows: run.baselines.windows,
      model: run.model!,
      baselines: run.baselines.means!,
    });
    await mkdir(dirname(values.report), { recursive: true });
    await writeFile(values.report, html);
    io.stderr.write(`lam eval: wrote ${values.report}\n`);
  }
  if (values.json) {
    io.stdout.write(JSON.stringify({ ...report, ar_fit: run.arFit, ...(explain ? { explain } : {}), model_dir: dir, backend: backend.name }) + "\n");
    return 0;
  }
  const row = (name: string, e: EvalReport["model"]) =>
    `  ${name.padEnd(10)} ADE ${e.ade.toFixed(4)}  FDE ${e.fde.toFixed(4)}  ` +
    Object.entries(e.per_channel)
      .map(([c, v]) => `${c} ${v.ade.toFixed(4)}/${v.fde.toFixed(4)}`)
      .join("  ");
  io.stdout.write(
    `lam eval: ${dir}, ${report.windows} windows (${Object.entries(data).map(([d, k]) => `${d}: ${k}`).join(", ")}), horizon ${steps / meta.spec.rate} s (${steps} steps)\n`,
  );
  io.stdout.write(row("model", report.model) + "\n");
  for (const [n, b] of Object.entries(report.baselines)) io.stdout.write(row(n, b) + "\n");
  if (run.arFit) io.stdout.write(`AR(${run.arFit.p}) baseline fitted on ${run.arFit.source === "data" ? "every frame of these drives (--ar-fit data: in-sample)" : "the model's training blocks"}\n`);
  io.stdout.write(`ratio to best baseline (${report.best_baseline}): ${report.ratio_to_best_baseline.toFixed(3)}\n`);
  const per = Object.entries(report.per_channel_ratio ?? {}).map(([c, r]) => `${c} ${r.ratio === null ? "–" : r.ratio.toFixed(3)} (${r.best_baseline})`);
  io.stdout.write(`per channel, model ÷ best baseline on it: ${per.join("  ")}\n`);
  const sc = Object.entries(report.scale?.per_channel ?? {}).map(([c, v]) => `${c} ${v.toPrecision(4)}`);
  io.stdout.write(`overall figures in units of the data's std per action: ${sc.join("  ")}\n`);
  if (meta.head.source || meta.head.residual_over) {
    const by = answeredBy(meta.head);
    io.stdout.write(`answered by (lam.json head): ${meta.spec.actions.map((a, i) => `${a} ${by[i]}`).join("  ")}\n`);
  }
  if (explain) io.stdout.write(importanceText(explain));
  return 0;
}

/** The importance table: one row per input channel, the ADE rise per action, largest first by the row's total. */
export function importanceText(e: Importance): string {
  const actions = Object.keys(e.ade);
  const rows = Object.entries(e.per_feature).sort(([, a], [, b]) => {
    const t = (r: Readonly<Record<string, number>>) => actions.reduce((s, k) => s + r[k] / (e.ade[k] || 1), 0);
    return t(b) - t(a);
  });
  const w = Math.max(8, ...rows.map(([f]) => f.length));
  const head = `permutation importance (ADE rise when the channel is shuffled; seed ${e.seed}, ${e.repeats} shuffles, ${e.windows} windows):\n`;
  const cols = `  ${"input".padEnd(w)}  ${actions.map((a) => `${a} (${e.answered_by[a]})`.padStart(22)).join("")}\n`;
  const body = rows.map(([f, r]) => `  ${f.padEnd(w)}  ${actions.map((a) => `${r[a] >= 0 ? "+" : ""}${r[a] === 0 ? "0" : Math.abs(r[a]) < 1e-3 ? r[a].toExponential(2) : r[a].toPrecision(3)} (${((100 * r[a]) / (e.ade[a] || 1)).toFixed(1)}%)`.padStart(22)).join("")}\n`);
  return head + cols + body.join("");
}
