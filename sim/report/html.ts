// One self-contained HTML page per run, full width: summary table, then per scenario its metrics, the limit
// events and fallback episodes (which limit acted, by how much, why the driver fell back), and plots: actions
// recorded/executed against what the model predicted 0.5 s and 1 s before (the first step lies on top of the
// executed trace), speed, lateral offset, spread, error against horizon, top-down path. The plots are drawn by
// uPlot, inlined with the plot data (zoom, hover, synced cursors); each also has a static SVG that shows where
// the script cannot run. Sim-only columns (collisions, TTC, lane deviation, progress) appear only when some
// scenario has them, so replays show none. Same runs → same bytes.
import type { ScenarioRun, TickRecord } from "../run.js";
import type { ScenarioResult } from "../metrics.js";
import { buildReport, type Report } from "./json.js";
import { linePlot, esc, type Series, type Band } from "./svg.js";
import { aheadSeries, aheadSteps } from "./ahead.js";
import type { HorizonError } from "./horizon.js";
import { chartAssets } from "./assets.js";
import { LIVE_SCRIPT } from "./live.js";

export const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];
export const AHEAD_COLORS = ["#2ca02c", "#9467bd", "#8c564b"];
/** Points per series in the static SVG and in the interactive plot (every n-th tick, the same ticks for all). */
export const SVG_POINTS = 800;
export const LIVE_POINTS = 4000;
/** Limit events and fallback episodes listed per scenario (all are counted). */
const MAX_ROWS = 40;
const MAX_PLOT_EVENTS = 1000;

/** Metrics only a simulated run has (null in replays): their columns appear only when some scenario has them. */
export const SIM_ONLY_METRICS = ["collisions", "min_ttc_s", "max_lane_deviation_m", "progress"] as const;

/** Indices of every n-th element (and the last), at most about `max` of them. */
export function thinned<T>(xs: readonly T[], max: number): number[] {
  const step = Math.max(1, Math.ceil(xs.length / max));
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i++) if (i % step === 0 || i === xs.length - 1) idx.push(i);
  return idx;
}

/** A number as the page embeds it: 6 significant digits (times: 0.1 ms), null for gaps. */
export function plotNumber(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const r = Number(v.toPrecision(6));
  return r === 0 ? 0 : r;
}
export const plotTime = (t: number) => Math.round(t * 1e4) / 1e4;

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
export const num3 = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(3));
export const secs = (s: number) => String(Number(s.toFixed(3)));

/** One plot as the page embeds it for uPlot (the x values shared by its series). */
export interface PlotData {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly height?: number;
  /** Plots of one group share cursor and zoom. */
  readonly group?: string;
  readonly x: readonly number[];
  readonly series: readonly { readonly name: string; readonly color: string; readonly y: readonly (number | null)[]; readonly dash?: boolean; readonly width?: number }[];
  readonly band?: { readonly name: string; readonly color: string; readonly lo: readonly (number | null)[]; readonly hi: readonly (number | null)[] };
  /** Limit onsets: a red tick each, named in the tooltip. */
  readonly events?: readonly { readonly x: number; readonly text: string }[];
  /** Fallback episodes: shaded, named in the tooltip. */
  readonly spans?: readonly { readonly x0: number; readonly x1: number; readonly text: string }[];
  readonly hlines?: readonly { readonly y: number; readonly color: string; readonly label: string }[];
}

/** An episode of consecutive ticks on which limits acted, or on which the driver was not in model mode. */
export interface Episode {
  readonly t0: number;
  readonly t1: number;
  readonly ticks: number;
  /** Limits that acted (sorted), or the fallback reason. */
  readonly what: readonly string[];
  /** How the limits changed the command at the onset (where recorded), or the mode. */
  readonly why: string;
}

function interventionText(r: TickRecord): string {
  const iv = r.interventions ?? [];
  if (iv.length === 0) return r.limits.some((l) => l.startsWith("vehicle.")) ? "the vehicle model's own limit" : "";
  return iv.map((v) => `${v.limit} on ${v.channel}: asked ${num3(v.requested)}, sent ${num3(v.applied)} (edge ${num3(v.bound)})`).join("; ");
}

/** Episodes of limits acting: one per onset, so a long saturation is one row, not one per tick. */
export function limitEpisodes(ticks: readonly TickRecord[], dt: number): Episode[] {
  const out: Episode[] = [];
  let start = -1;
  const names = new Set<string>();
  const close = (end: number) => {
    const r = ticks[start];
    out.push({ t0: r.t, t1: ticks[end].t + dt, ticks: end - start + 1, what: [...names].sort(), why: interventionText(r) });
    names.clear();
    start = -1;
  };
  ticks.forEach((r, i) => {
    if (r.limits.length > 0) {
      if (start < 0) start = i;
      for (const l of r.limits) names.add(l);
    } else if (start >= 0) close(i - 1);
  });
  if (start >= 0) close(ticks.length - 1);
  return out;
}

/** Episodes out of model mode, with the reason the episode began. */
export function fallbackEpisodes(ticks: readonly TickRecord[], dt: number): Episode[] {
  const out: Episode[] = [];
  let start = -1;
  ticks.forEach((r, i) => {
    const fb = r.mode !== "model";
    if (fb && start < 0) start = i;
    if (start >= 0 && (!fb || i === ticks.length - 1)) {
      const end = fb ? i : i - 1;
      const s = ticks[start];
      out.push({ t0: s.t, t1: ticks[end].t + dt, ticks: end - start + 1, what: [s.fallback ?? "unknown"], why: s.mode });
      start = -1;
    }
  });
  return out;
}

function episodeTable(title: string, eps: readonly Episode[], head: string, whyHead: string): string {
  if (eps.length === 0) return "";
  const rows = eps
    .slice(0, MAX_ROWS)
    .map((e) => `<tr><td>${secs(e.t0)}</td><td>${secs(e.t1 - e.t0)}</td><td>${e.ticks}</td><td class="what">${e.what.map(esc).join(", ")}</td><td class="why">${esc(e.why) || "–"}</td></tr>`)
    .join("");
  const more = eps.length > MAX_ROWS ? `<p class="desc">… and ${eps.length - MAX_ROWS} more (${eps.length} in all).</p>` : "";
  // Collapsed: on a long drive the list is long, and the plots say where to look.
  return `<details class="events"><summary>${esc(title)} (${eps.length})</summary><table class="events"><tr><th>t (s)</th><th>for (s)</th><th>ticks</th><th>${head}</th><th>${whyHead}</th></tr>${rows}</table>${more}</details>`;
}

/** The plots of one page, collected as its figures are written; `live` when the page draws them with uPlot. */
export interface Ctx {
  readonly plots: PlotData[];
  readonly live: boolean;
}

/** A figure: the static SVG inside, and the same data for uPlot when the page's script runs. */
export function figure(ctx: Ctx, data: PlotData, svg: string): string {
  if (ctx.live) ctx.plots.push(data);
  return `<figure class="plot" id="${esc(data.id)}">${svg}</figure>`;
}

export const unitOf = (ch: string) => (ch === "steer_cmd" ? "rad" : ch === "accel_cmd" ? "m/s²" : ch === "speed_cmd" ? "m/s" : "");

/** Error against horizon: a plot per channel (model and baselines) and a table at the first step, the leads and the end. */
export function horizonBlock(ctx: Ctx, id: string, h: HorizonError, title: string): string {
  const channels = Object.keys(h.model);
  const names = Object.keys(h.baselines);
  const parts: string[] = [];
  for (const ch of channels) {
    const len = h.model[ch].length;
    if (len === 0 || h.ticks[ch] === 0) continue;
    const x = Array.from({ length: len }, (_, s) => plotTime((s + 1) * h.step_s));
    const series = [
      { name: "model", color: COLORS[1], y: h.model[ch].map(plotNumber), width: 2 },
      ...names.map((n, j) => ({ name: n, color: ["#555", COLORS[0], COLORS[2], COLORS[4], COLORS[5]][j % 5], y: (h.baselines[n][ch] ?? []).slice(0, len).map(plotNumber), dash: true })),
    ];
    const data: PlotData = { id: `${id}-${ch}`, title: `${ch}: error against horizon`, xLabel: "lead (s)", yLabel: `mean |error| ${unitOf(ch)}`.trim(), height: 220, x, series };
    const svg = linePlot({ title: data.title, xLabel: data.xLabel, yLabel: data.yLabel, width: 1000, height: 220, series: series.map((s) => ({ ...s, x, y: s.y })) });
    parts.push(figure(ctx, data, svg));
  }
  if (parts.length === 0) return "";
  // The table: at the first step, at each plotted lead and at the horizon's end.
  const maxLen = Math.max(...channels.map((ch) => h.model[ch].length));
  const rate = 1 / h.step_s;
  const cols = [...new Set([1, ...aheadSteps(rate, maxLen), maxLen])].filter((k) => k >= 1 && k <= maxLen);
  const rows: string[] = [];
  for (const ch of channels) {
    if (h.ticks[ch] === 0) continue;
    for (const [who, curve] of [["model", h.model[ch]], ...names.map((n) => [n, h.baselines[n][ch] ?? []] as const)] as const) {
      const mean = curve.length && curve.every((v) => v !== null) ? (curve as number[]).reduce((a, b) => a + b, 0) / curve.length : null;
      rows.push(`<tr class="horizon-row"><td>${esc(ch)}</td><td>${esc(who)}</td>${cols.map((k) => `<td>${curve[k - 1] == null ? "–" : num3(curve[k - 1]!)}</td>`).join("")}<td>${mean === null ? "–" : num3(mean)}</td></tr>`);
    }
  }
  const head = `<tr><th>channel</th><th>predictor</th>${cols.map((k) => `<th>${secs(k * h.step_s)} s</th>`).join("")}<th>ADE</th></tr>`;
  return `<h3>${esc(title)}</h3>
<p class="desc">Mean |predicted − recorded| at each lead over the ${Object.values(h.ticks).reduce((a, b) => Math.max(a, b), 0)} predictions scored, model and baselines on the same ticks and channels; the mean over the horizon is the ADE.</p>
<table class="horizon">${head}${rows.join("")}</table>
${parts.join("\n")}`;
}

function scenarioSection(ctx: Ctx, run: ScenarioRun, res: ScenarioResult, idx: number, horizon: HorizonError | null): string {
  const all = run.ticks;
  const dt = 1 / run.rate;
  const group = `s${idx}`;
  const liveIdx = thinned(all, LIVE_POINTS);
  const svgIdx = thinned(all, SVG_POINTS);
  const pick = <T,>(xs: readonly T[], idx: readonly number[]) => idx.map((i) => xs[i]);
  const tAll = all.map((r) => r.t);
  const limits = limitEpisodes(all, dt);
  const fallbacks = fallbackEpisodes(all, dt);
  const events = limits.slice(0, MAX_PLOT_EVENTS).map((e) => ({ x: plotTime(e.t0), text: `t=${secs(e.t0)} s: ${e.what.join(", ")}${e.why ? ` — ${e.why}` : ""}` }));
  const spans = fallbacks.map((e) => ({ x0: plotTime(e.t0), x1: plotTime(e.t1), text: `${e.why} ${secs(e.t0)}–${secs(e.t1)} s: ${e.what.join(", ")}` }));
  const svgMarks = limits.map((e) => ({ x: e.t0, color: "#d00" }));
  const svgSpans = fallbacks.map((e) => ({ x0: e.t0, x1: e.t1, color: "#ff9800" }));

  /** A time plot: full-resolution columns in, thinned for each rendering. */
  const timePlot = (id: string, title: string, yLabel: string, series: { name: string; color: string; y: readonly (number | null)[]; dash?: boolean; width?: number }[], extra: { band?: { name: string; color: string; lo: readonly number[]; hi: readonly number[] }; hlines?: PlotData["hlines"] } = {}) => {
    const data: PlotData = {
      id: `${group}-${id}`,
      title,
      xLabel: "t (s)",
      yLabel,
      group,
      x: pick(tAll, liveIdx).map(plotTime),
      series: series.map((s) => ({ ...s, y: pick(s.y, liveIdx).map(plotNumber) })),
      ...(extra.band ? { band: { name: extra.band.name, color: extra.band.color, lo: pick(extra.band.lo, liveIdx).map(plotNumber), hi: pick(extra.band.hi, liveIdx).map(plotNumber) } } : {}),
      events,
      spans,
      ...(extra.hlines ? { hlines: extra.hlines } : {}),
    };
    const tx = pick(tAll, svgIdx);
    const svgSeries: Series[] = series.map((s) => ({ name: s.name, color: s.color, x: tx, y: pick(s.y, svgIdx), dash: s.dash, width: s.width }));
    const bands: Band[] = extra.band ? [{ name: extra.band.name, color: extra.band.color, x: tx, lo: pick(extra.band.lo, svgIdx), hi: pick(extra.band.hi, svgIdx) }] : [];
    return figure(ctx, data, linePlot({ title, yLabel, width: 1000, height: 240, series: svgSeries, bands, marks: svgMarks, spans: svgSpans, hlines: extra.hlines }));
  };

  const plots: string[] = [];
  const hasPred = all.some((r) => r.prediction !== null);
  const leads = [...new Set(all.flatMap((r) => Object.keys(r.prediction?.ahead ?? {})).map(Number))].sort((a, b) => a - b);
  for (const ch of run.actions) {
    const series: { name: string; color: string; y: (number | null)[]; dash?: boolean; width?: number }[] = [{ name: run.road ? "executed" : "recorded", color: COLORS[0], y: all.map((r) => r.executed[ch] ?? null) }];
    if (all.some((r) => r.reference[ch] !== undefined)) series.push({ name: "reference", color: "#999", y: all.map((r) => r.reference[ch] ?? null), width: 1 });
    let band: { name: string; color: string; lo: number[]; hi: number[] } | undefined;
    if (hasPred) {
      series.push({ name: "predicted, 1st step", color: COLORS[1], y: all.map((r) => r.prediction?.first[ch] ?? null), dash: true, width: 1 });
      leads.forEach((k, j) => series.push({ name: `predicted ${secs(k * dt)} s before`, color: AHEAD_COLORS[j % AHEAD_COLORS.length], y: aheadSeries(all, ch, k, run.rate), width: 1.5 }));
      const sp = all.map((r) => r.prediction?.spread?.[ch] ?? NaN);
      if (sp.some(Number.isFinite)) {
        const mean = all.map((r) => r.prediction?.first[ch] ?? NaN);
        band = { name: "±1σ (1st step)", color: COLORS[1], lo: mean.map((m, i) => m - sp[i]), hi: mean.map((m, i) => m + sp[i]) };
      }
    }
    const unit = unitOf(ch);
    plots.push(timePlot(`a-${ch}`, `${ch}: predicted vs ${run.road ? "executed" : "recorded"}`, unit ? `${ch} (${unit})` : ch, series, { band }));
  }
  plots.push(
    timePlot("speed", "speed", "m/s", [
      { name: "speed", color: COLORS[0], y: all.map((r) => r.speed) },
      ...(all.some((r) => r.ref_speed !== null) ? [{ name: "desired", color: "#999", y: all.map((r) => r.ref_speed), dash: true, width: 1 }] : []),
    ]),
  );
  if (all.some((r) => r.lateral_offset !== null)) {
    const lim = run.criteria.max_lane_deviation_m;
    plots.push(
      timePlot("offset", "lateral offset from the target line", "m", [{ name: "offset", color: COLORS[2], y: all.map((r) => r.lateral_offset) }], {
        hlines: lim !== null ? [{ y: lim, color: "#d00", label: `+${lim.toFixed(2)} m` }, { y: -lim, color: "#d00", label: `−${lim.toFixed(2)} m` }] : undefined,
      }),
    );
  }
  if (all.some((r) => r.prediction?.spread)) {
    plots.push(
      timePlot(
        "spread",
        "prediction spread (1st-step σ)",
        "σ",
        run.actions.map((ch, i) => ({ name: ch, color: COLORS[i % COLORS.length], y: all.map((r) => r.prediction?.spread?.[ch] ?? null) })),
      ),
    );
  }
  const horizonHtml = horizon ? horizonBlock(ctx, `${group}-h`, horizon, "Error against horizon") : "";
  if (run.road) {
    // A map (x is not monotonic in time): static only.
    const ticks = pick(all, svgIdx);
    plots.push(
      `<figure class="plot static" id="${group}-map">${linePlot({
        title: "top-down: road reference line and ego path",
        xLabel: "x (m)",
        yLabel: "y (m)",
        equalAspect: true,
        height: 300,
        series: [
          { name: "road (lane 0 centre)", color: "#999", x: run.road.x, y: run.road.y, width: 1 },
          { name: "ego", color: COLORS[0], x: ticks.map((r) => r.x), y: ticks.map((r) => r.y) },
        ],
      })}</figure>`,
    );
  }
  const m = res.metrics as unknown as Record<string, number | null>;
  const simOnly = new Set<string>(SIM_ONLY_METRICS);
  const rows = Object.keys(m)
    .filter((k) => !(simOnly.has(k) && m[k] === null))
    .map((k) => `<tr${res.failed.includes(k) ? ' class="bad"' : ""}><td>${esc(k)}</td><td>${fmt(m[k])}</td></tr>`)
    .join("");
  const faults = Object.entries(run.fault_counts)
    .map(([ch, c]) => `${esc(ch)}: ${Object.entries(c).map(([k, n]) => `${esc(k)} ${n}`).join(", ")}`)
    .join("; ");
  const counts: Record<string, number> = {};
  for (const r of all) for (const l of r.limits) counts[l] = (counts[l] ?? 0) + 1;
  const countText = Object.keys(counts)
    .sort()
    .map((l) => `${esc(l)} ${counts[l]}`)
    .join(", ");
  return `<section id="s${idx}"><h2>${esc(run.name)} <span class="${res.passed ? "pass" : "fail"}">${res.passed ? "PASS" : "FAIL"}</span></h2>
<p class="desc">${esc(run.description)}</p>
${res.failed.length ? `<p class="fail">failed: ${res.failed.map(esc).join(", ")}</p>` : ""}
<div class="row"><table class="metrics"><tr><th>metric</th><th>value</th></tr>${rows}</table>
<div class="info">vehicle ${esc(run.vehicle)}, ${run.rate} Hz, ${run.duration} s${run.road ? `, seed ${run.seed}` : ""}${faults ? `<br>faults injected — ${faults}` : ""}
${countText ? `<br>limits acted on ticks — ${countText}` : ""}
<br><span class="key"><span style="color:#d00">▮</span> limit acted &nbsp; <span style="color:#ff9800">▮</span> fallback${leads.length ? ` &nbsp; predicted k s before: the value the model gave k s earlier for that moment` : ""}</span></div></div>
${plots.join("\n")}
${horizonHtml}
${episodeTable("Limit events: which limits acted, and how they changed the command at the onset", limits, "limits", "why (the policy's interventions)")}
${episodeTable("Fallback episodes", fallbacks, "reason", "mode")}
</section>`;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:16px 24px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.pass{color:#087f23;font-weight:600}.fail{color:#c62828;font-weight:600}
tr.bad td{background:#fde0e0}.row{display:flex;gap:24px;align-items:flex-start}.info{color:#555;font-size:13px;margin-top:8px}
section{border-top:2px solid #ddd;margin-top:24px}.desc{color:#444}td.why,td.what{text-align:left;font-size:12px;color:#444}details.events{margin:8px 0}details.events summary{font-weight:600;cursor:pointer}
figure.plot{margin:8px 0;width:100%}figure.static{max-width:900px}svg.plot{display:block;width:100%;height:auto}figure.drawn>svg.plot{display:none}
.js-plots .nojs{display:none}.nojs{color:#8a5a00}.lam-tip{position:absolute;top:4px;display:none;background:#fffbe6;border:1px solid #d9b44a;
padding:3px 6px;font-size:12px;white-space:pre;pointer-events:none;z-index:10}.u-title{font-size:14px!important;text-align:left!important}`;

export interface HtmlOptions {
  readonly title?: string;
  /** Default: buildReport(runs). */
  readonly report?: Report;
  /** HTML placed after the summary (e.g. replay's model-vs-baseline table). */
  readonly intro?: string;
  /** Error against horizon per scenario (replays), and pooled over all of them. */
  readonly horizon?: readonly (HorizonError | null | undefined)[];
  readonly pooledHorizon?: HorizonError | null;
  /** Interactive plots (default true; false or uPlot not found: the static SVG plots only). */
  readonly interactive?: boolean;
}

/** The whole page. */
export function renderHtml(runs: readonly ScenarioRun[], opts: HtmlOptions = {}): string {
  const report = opts.report ?? buildReport(runs);
  const title = opts.title ?? "lam closed-loop report";
  const ctx = plotContext(opts.interactive);
  const s = report.summary;
  const metricCols: { key: keyof ScenarioResult["metrics"]; head: string }[] = [
    { key: "collisions", head: "collisions" },
    { key: "min_ttc_s", head: "min TTC (s)" },
    { key: "max_lane_deviation_m", head: "max lane dev (m)" },
    { key: "progress", head: "progress" },
    { key: "fallback_share", head: "fallback share" },
    { key: "limit_events", head: "limit ticks" },
    { key: "ade", head: "ADE" },
  ];
  const simOnly = new Set<string>(SIM_ONLY_METRICS);
  const cols = metricCols.filter((c) => !simOnly.has(c.key) || report.scenarios.some((r) => r.metrics[c.key] !== null));
  const head = report.scenarios
    .map(
      (r, i) =>
        `<tr><td><a href="#s${i}">${esc(r.name)}</a></td><td class="${r.passed ? "pass" : "fail"}">${r.passed ? "pass" : "FAIL"}</td><td>${r.failed.map(esc).join(", ") || "–"}</td>` +
        cols.map((c) => `<td>${fmt(r.metrics[c.key])}</td>`).join("") +
        `</tr>`,
    )
    .join("");
  const hasCollisions = report.scenarios.some((r) => r.metrics.collisions !== null);
  const sections = runs.map((r, i) => scenarioSection(ctx, r, report.scenarios[i], i, opts.horizon?.[i] ?? null)).join("\n");
  const pooled = opts.pooledHorizon && runs.length > 1 ? horizonBlock(ctx, "all-h", opts.pooledHorizon, "Error against horizon, all drives") : "";
  return pageHtml(
    ctx,
    title,
    `<p><b>${s.passed}/${s.scenarios}</b> scenarios passed${s.failed ? ` — failed: ${s.failed_scenarios.map(esc).join(", ")}` : ""}.${hasCollisions ? ` Collisions: ${s.collisions}.` : ""}</p>
${plotNote(ctx)}
<table class="summary"><tr><th>scenario</th><th>result</th><th>failed criteria</th>${cols.map((c) => `<th>${c.head}</th>`).join("")}</tr>${head}</table>
${opts.intro ?? ""}
${pooled}
${sections}`,
  );
}

/** A page's plot collection: uPlot-drawn unless `interactive` is false or uPlot cannot be found. */
export function plotContext(interactive?: boolean): Ctx {
  return { plots: [], live: interactive !== false && chartAssets() !== null };
}

/** What the page says about its plots: static until the script draws them, or static only (no uPlot). */
export function plotNote(ctx: Ctx): string {
  return ctx.live
    ? `<p class="desc nojs">These are static plots: the interactive ones (drag to zoom, double-click to reset, values on hover) need JavaScript.</p>`
    : `<p class="desc">Static plots only: the charting library (uPlot) was not found when this report was written.</p>`;
}

/**
 * One self-contained page: the styles, `body` (its figures written through `ctx`), then the plot data, uPlot and
 * the page's script. Shared by the sim/replay reports and lam eval's.
 */
export function pageHtml(ctx: Ctx, title: string, body: string): string {
  const assets = ctx.live ? chartAssets() : null;
  // JSON inside <script>: "<" escaped so no value can end the element.
  const json = JSON.stringify({ plots: ctx.plots }).replace(/</g, "\\u003c");
  const scripts = assets
    ? `<script type="application/json" id="lam-plot-data">${json}</script>
<script>/*! uPlot v${esc(assets.version)}, MIT License, Copyright (c) 2022 Leon Sorokin */
${assets.js}</script>
<script>${LIVE_SCRIPT}</script>`
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
${assets ? `<style>${assets.css}</style>` : ""}<style>${CSS}</style></head><body>
<h1>${esc(title)}</h1>
${body}
${scripts}
</body></html>
`;
}
