// The `lam eval --report FILE.html` page: the model against the baselines on the held-out windows a person can
// read. Tables (each predictor's ADE/FDE, per action the model over the best baseline on it, and --explain's
// permutation importance), error against horizon (model and every baseline), and per drive and action what was
// recorded against what the model predicted 0.5 s and 1 s before (and the best baseline on that action at the
// longest lead). Written through the sim/replay report's page, figures and uPlot; same inputs → same bytes.
import type { EvalReport } from "../../dynamics/lam-json.js";
import type { Importance } from "../../dynamics/explain.js";
import { round } from "../metrics.js";
import { aheadSteps } from "./ahead.js";
import type { HorizonCurves, HorizonError } from "./horizon.js";
import { AHEAD_COLORS, COLORS, figure, horizonBlock, LIVE_POINTS, num3, pageHtml, plotContext, plotNote, plotNumber, plotTime, secs, SVG_POINTS, thinned, unitOf, type Ctx, type PlotData } from "./html.js";
import { esc, linePlot, type Series } from "./svg.js";

/** Everything the page shows: lam eval's report and, per scored window, the truths and every predictor's means. */
export interface EvalPageInput {
  readonly title?: string;
  /** The model folder, as given. */
  readonly modelDir: string;
  readonly report: EvalReport;
  readonly explain?: Importance;
  readonly actions: readonly string[];
  /** Per action, what answers it in lam.json (head.source); absent: the net everywhere. */
  readonly answeredBy?: readonly string[];
  readonly rate: number;
  /** Steps the model predicts (the layout of every window's means and truths). */
  readonly horizon: number;
  /** Per drive (the windows' drive index): its name and frame times (s). */
  readonly drives: readonly { readonly name: string; readonly t: ArrayLike<number> }[];
  /** Scored windows: drive, first target frame, truths (n × horizon × A). */
  readonly windows: { readonly n: number; readonly drive: ArrayLike<number>; readonly end: ArrayLike<number>; readonly y: ArrayLike<number> };
  /** Means per window (n × horizon × A): the model's (as scored), and each baseline's. */
  readonly model: ArrayLike<number>;
  readonly baselines: Readonly<Record<string, ArrayLike<number>>>;
}

/** Mean |predicted − recorded| per step and action over all windows, the first `steps` steps. */
export function horizonCurves(means: ArrayLike<number>, y: ArrayLike<number>, n: number, horizon: number, actions: readonly string[], steps: number): HorizonCurves {
  const A = actions.length;
  const sum = new Float64Array(steps * A);
  for (let i = 0; i < n; i++) for (let s = 0; s < steps; s++) for (let a = 0; a < A; a++) {
    const o = (i * horizon + s) * A + a;
    sum[s * A + a] += Math.abs(means[o] - y[o]);
  }
  return Object.fromEntries(actions.map((ch, a) => [ch, Array.from({ length: steps }, (_, s) => (n ? round(sum[s * A + a] / n) : null))]));
}

/** The error-against-horizon block's data: model and baselines on the same windows and steps. */
export function evalHorizon(p: EvalPageInput): HorizonError {
  const steps = p.report.horizon?.steps ?? p.horizon;
  const c = (m: ArrayLike<number>) => horizonCurves(m, p.windows.y, p.windows.n, p.horizon, p.actions, steps);
  return {
    step_s: 1 / p.rate,
    ticks: Object.fromEntries(p.actions.map((ch) => [ch, p.windows.n])),
    model: c(p.model),
    baselines: Object.fromEntries(Object.entries(p.baselines).map(([name, m]) => [name, c(m)])),
  };
}

/** One drive's plotted rows: frames with a recorded value, in order, and null rows where the scored frames break. */
export interface DriveRows {
  readonly t: number[];
  /** Frame index per row (−1 on a break row). */
  readonly frame: number[];
  /** The scored stretches in the drive's time (s from its first frame). */
  readonly stretches: [number, number][];
}

/** Time left between two held-out stretches on a plot's axis (s): longer gaps are cut to this. */
export const STRETCH_GAP_S = 1;

/**
 * Per drive: recorded value of action `a` at each frame a window covers, and for lead k (steps) the value the
 * window whose first target frame is f − k + 1 predicted for frame f (step k − 1), from `means`.
 */
export function driveSeries(p: EvalPageInput, d: number, a: number, means: ArrayLike<number> | null, k: number): Map<number, number> {
  const A = p.actions.length;
  const h = p.horizon;
  const out = new Map<number, number>();
  for (let i = 0; i < p.windows.n; i++) {
    if (p.windows.drive[i] !== d) continue;
    const e = p.windows.end[i];
    if (means === null) {
      for (let s = 0; s < h; s++) if (!out.has(e + s)) out.set(e + s, p.windows.y[(i * h + s) * A + a]);
    } else {
      const v = means[(i * h + k - 1) * A + a];
      if (Number.isFinite(v)) out.set(e + k - 1, v);
    }
  }
  return out;
}

function driveRows(p: EvalPageInput, d: number): DriveRows {
  const frames = new Set<number>();
  for (let i = 0; i < p.windows.n; i++) if (p.windows.drive[i] === d) for (let s = 0; s < p.horizon; s++) frames.add(p.windows.end[i] + s);
  const sorted = [...frames].sort((x, y) => x - y);
  const times = p.drives[d].t;
  const t0 = times[0];
  const rows: DriveRows = { t: [], frame: [], stretches: [] };
  // Held-out blocks can lie minutes apart: the time between stretches is cut to STRETCH_GAP_S so each stays legible.
  let cut = 0;
  sorted.forEach((f, j) => {
    const t = times[f] - t0;
    if (j === 0 || f !== sorted[j - 1] + 1) {
      if (j > 0) {
        // A gap in the scored frames is a break in every line, not a straight join.
        const prev = times[sorted[j - 1]] - t0;
        const prevX = prev - cut;
        cut += Math.max(0, t - prev - STRETCH_GAP_S);
        rows.t.push(plotTime((prevX + t - cut) / 2));
        rows.frame.push(-1);
      }
      rows.stretches.push([t, t]);
    }
    rows.stretches[rows.stretches.length - 1][1] = t;
    rows.t.push(plotTime(t - cut));
    rows.frame.push(f);
  });
  return rows;
}

function drivePlots(ctx: Ctx, p: EvalPageInput, d: number): string {
  const steps = p.report.horizon?.steps ?? p.horizon;
  const leads = aheadSteps(p.rate, steps);
  const rows = driveRows(p, d);
  if (rows.frame.length === 0) return "";
  const live = thinned(rows.frame, LIVE_POINTS);
  const svg = thinned(rows.frame, SVG_POINTS);
  const parts: string[] = [];
  p.actions.forEach((ch, a) => {
    const col = (m: Map<number, number>) => rows.frame.map((f) => (f < 0 ? null : (m.get(f) ?? null)));
    const series: { name: string; color: string; y: (number | null)[]; dash?: boolean; width?: number }[] = [{ name: "recorded", color: COLORS[0], y: col(driveSeries(p, d, a, null, 0)), width: 1.5 }];
    leads.forEach((k, j) => series.push({ name: `model, predicted ${secs(k / p.rate)} s before`, color: AHEAD_COLORS[j % AHEAD_COLORS.length], y: col(driveSeries(p, d, a, p.model, k)), width: 1.5 }));
    const best = p.report.per_channel_ratio?.[ch]?.best_baseline;
    const lead = leads[leads.length - 1];
    if (best && p.baselines[best] && lead) series.push({ name: `${best}, predicted ${secs(lead / p.rate)} s before`, color: "#777", y: col(driveSeries(p, d, a, p.baselines[best], lead)), dash: true, width: 1 });
    const unit = unitOf(ch);
    const data: PlotData = {
      id: `d${d}-a-${ch}`,
      title: `${p.drives[d].name}: ${ch}`,
      xLabel: rows.stretches.length > 1 ? `t (s from the drive's start; gaps between stretches cut to ${STRETCH_GAP_S} s)` : "t (s from the drive's start)",
      yLabel: unit ? `${ch} (${unit})` : ch,
      group: `d${d}`,
      x: live.map((i) => rows.t[i]),
      series: series.map((s) => ({ ...s, y: live.map((i) => plotNumber(s.y[i])) })),
    };
    const x = svg.map((i) => rows.t[i]);
    const svgSeries: Series[] = series.map((s) => ({ name: s.name, color: s.color, x, y: svg.map((i) => s.y[i]), dash: s.dash, width: s.width }));
    parts.push(figure(ctx, data, linePlot({ title: data.title, xLabel: data.xLabel, yLabel: data.yLabel, width: 1000, height: 240, series: svgSeries })));
  });
  const scored = Array.from({ length: p.windows.n }, (_, i) => i).filter((i) => p.windows.drive[i] === d).length;
  return `<section id="d${d}"><h2>${esc(p.drives[d].name)}</h2>
<p class="desc">${scored} windows scored (${esc(p.report.data[p.drives[d].name] === "whole_drive" ? "the whole drive: not among the drives lam.json says the model trained on" : "its held-out test blocks only")}) over ${rows.stretches.map(([a, b]) => `${secs(a)}–${secs(b)} s`).join(", ")} of the drive${rows.stretches.length > 1 ? `; on the plots the time between these stretches is cut to ${STRETCH_GAP_S} s` : ""}. At each moment: what was recorded, and what the model predicted for that moment ${leads.map((k) => `${secs(k / p.rate)} s`).join(" and ")} before; the first predicted step lies on top of the recorded trace and is not shown. Gaps are the frames no window scores.</p>
${parts.join("\n")}
</section>`;
}

const f4 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : num3(v));

function scoreTables(p: EvalPageInput): string {
  const r = p.report;
  const rows = [["model", r.model] as const, ...Object.entries(r.baselines)];
  const bestAde = Math.min(...rows.map(([, e]) => e.ade));
  const head = `<tr><th>predictor</th><th>ADE (σ units)</th><th>FDE (σ units)</th>${p.actions.map((ch) => `<th>${esc(ch)} ADE</th><th>${esc(ch)} FDE</th>`).join("")}</tr>`;
  const body = rows
    .map(([name, e]) => `<tr${e.ade === bestAde ? ' class="best"' : ""}><td>${esc(name)}${e.ade === bestAde ? " (best)" : ""}</td><td>${f4(e.ade)}</td><td>${f4(e.fde)}</td>${p.actions.map((ch) => `<td>${f4(e.per_channel[ch]?.ade)}</td><td>${f4(e.per_channel[ch]?.fde)}</td>`).join("")}</tr>`)
    .join("");
  const ratios = p.actions
    .map((ch, a) => {
      const pr = r.per_channel_ratio?.[ch];
      const b = pr ? r.baselines[pr.best_baseline]?.per_channel[ch]?.ade : undefined;
      const ratio = pr?.ratio ?? null;
      return `<tr class="ratio-row"><td>${esc(ch)}</td><td>${f4(r.model.per_channel[ch]?.ade)}</td><td>${esc(pr?.best_baseline ?? "–")}</td><td>${f4(b)}</td><td${ratio !== null && ratio > 1 ? ' class="fail"' : ""}>${ratio === null ? "–" : ratio.toFixed(3)}</td><td>${esc(p.answeredBy?.[a] ?? "model")}</td></tr>`;
    })
    .join("");
  const scale = p.actions.map((ch) => `${esc(ch)} ${f4(r.scale?.per_channel[ch])}`).join(", ");
  return `<h2>Model against the baselines</h2>
<p class="desc">ADE: mean |predicted − recorded| over the first ${r.horizon?.steps ?? p.horizon} steps (${secs(r.horizon?.seconds ?? p.horizon / p.rate)} s); FDE: at the last of them; per action in its own unit. The overall figures average the actions in units of each action's std over every frame of these drives (${scale}), the same whatever model is scored, so two models on the same drives compare.</p>
<table class="summary scores">${head}${body}</table>
<p>Model ÷ best baseline overall (${esc(r.best_baseline)}): <b>${r.ratio_to_best_baseline.toFixed(3)}</b></p>
<h3>Per action: model ÷ the best baseline on that action</h3>
<p class="desc">Above 1 (red): the model does worse than that baseline on this action. "Answered by" is what lam.json's head uses for the action: the net, or a baseline chosen on validation where the net did not beat it.</p>
<table class="summary ratios"><tr><th>action</th><th>model ADE</th><th>best baseline</th><th>its ADE</th><th>ratio</th><th>answered by</th></tr>${ratios}</table>`;
}

function importanceTable(e: Importance): string {
  const actions = Object.keys(e.ade);
  const total = (r: Readonly<Record<string, number>>) => actions.reduce((s, k) => s + r[k] / (e.ade[k] || 1), 0);
  const rows = Object.entries(e.per_feature).sort(([fa, a], [fb, b]) => total(b) - total(a) || (fa < fb ? -1 : 1));
  const cell = (v: number, a: string) => `<td${v > 0 ? "" : ' class="dim"'}>${v >= 0 ? "+" : ""}${v === 0 ? "0" : num3(v)} (${((100 * v) / (e.ade[a] || 1)).toFixed(1)} %)</td>`;
  return `<h2>Permutation importance</h2>
<p class="desc">How much the net's ADE on each action rises when one input channel is shuffled across the ${e.windows} held-out windows (whole windows, seed ${e.seed}, ${e.repeats} shuffles averaged), in the action's unit and as a share of its ADE; largest first. An input the net does not use scores 0.</p>
<table class="summary importance"><tr><th>input</th>${actions.map((a) => `<th>${esc(a)} (${esc(e.answered_by[a])})</th>`).join("")}</tr>${rows.map(([f, r]) => `<tr class="importance-row"><td>${esc(f)}</td>${actions.map((a) => cell(r[a], a)).join("")}</tr>`).join("")}</table>`;
}

/** The whole page. */
export function evalHtml(p: EvalPageInput, opts: { readonly interactive?: boolean } = {}): string {
  const ctx = plotContext(opts.interactive);
  const r = p.report;
  const data = Object.entries(r.data).map(([d, k]) => `${esc(d)}: ${k === "test_blocks" ? "held-out test blocks" : "whole drive"}`).join(", ");
  const tables = scoreTables(p);
  const horizon = horizonBlock(ctx, "h", evalHorizon(p), "Error against horizon");
  const drives = p.drives.map((_, d) => drivePlots(ctx, p, d)).join("\n");
  return pageHtml(
    ctx,
    p.title ?? "lam eval report",
    `<p>Model <code>${esc(p.modelDir)}</code> on ${r.windows} held-out windows (${data}); ${p.actions.length} actions at ${p.rate} Hz.</p>
${plotNote(ctx)}
${tables}
${p.explain ? importanceTable(p.explain) : ""}
${horizon}
${drives}`,
  );
}
