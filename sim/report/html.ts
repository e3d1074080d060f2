// One self-contained HTML page per run: summary table, then per scenario its metrics and inline SVG plots
// (actions predicted vs executed with the spread band, speed, lateral offset, spread, top-down path), with
// red ticks where limits acted and orange shading where the driver fell back. Built from plain ScenarioRun
// data, so replayed drives (no road: null road-relative fields) render with the plots that apply.
import type { ScenarioRun, TickRecord } from "../run.js";
import type { ScenarioResult } from "../metrics.js";
import { buildReport, type Report } from "./json.js";
import { linePlot, esc, type Series, type Band } from "./svg.js";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];
const MAX_POINTS = 800;

function thin(ticks: readonly TickRecord[]): TickRecord[] {
  const every = Math.max(1, Math.ceil(ticks.length / MAX_POINTS));
  return ticks.filter((_, i) => i % every === 0 || i === ticks.length - 1);
}

function fallbackSpans(ticks: readonly TickRecord[], dt: number) {
  const spans: { x0: number; x1: number; color: string }[] = [];
  let start: number | null = null;
  ticks.forEach((r, i) => {
    const fb = r.mode !== "model";
    if (fb && start === null) start = r.t;
    if ((!fb || i === ticks.length - 1) && start !== null) {
      spans.push({ x0: start, x1: fb ? r.t + dt : r.t, color: "#ff9800" });
      start = null;
    }
  });
  return spans;
}

function limitMarks(ticks: readonly TickRecord[]) {
  // One mark per onset, so a long saturation is one tick not a solid bar.
  const marks: { x: number; color: string }[] = [];
  let prev = false;
  for (const r of ticks) {
    const on = r.limits.length > 0;
    if (on && !prev) marks.push({ x: r.t, color: "#d00" });
    prev = on;
  }
  return marks;
}

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function scenarioSection(run: ScenarioRun, res: ScenarioResult, idx: number): string {
  const all = run.ticks;
  const ticks = thin(all);
  const t = ticks.map((r) => r.t);
  const marks = limitMarks(all);
  const spans = fallbackSpans(all, 1 / run.rate);
  const plots: string[] = [];
  const hasPred = all.some((r) => r.prediction !== null);
  run.actions.forEach((ch, i) => {
    const series: Series[] = [
      { name: "executed", color: COLORS[0], x: t, y: ticks.map((r) => r.executed[ch] ?? null) },
      { name: "reference", color: "#999", x: t, y: ticks.map((r) => r.reference[ch] ?? null), width: 1 },
    ];
    const bands: Band[] = [];
    if (hasPred) {
      series.push({ name: "predicted (1st step)", color: COLORS[1], x: t, y: ticks.map((r) => r.prediction?.first[ch] ?? null), dash: true });
      const sp = ticks.map((r) => r.prediction?.spread?.[ch] ?? NaN);
      if (sp.some(Number.isFinite)) {
        const mean = ticks.map((r) => r.prediction?.first[ch] ?? NaN);
        bands.push({ name: "±1σ", color: COLORS[1], x: t, lo: mean.map((m, k) => m - sp[k]), hi: mean.map((m, k) => m + sp[k]) });
      }
    }
    const unit = ch === "steer_cmd" ? "rad" : ch === "accel_cmd" ? "m/s²" : "m/s";
    plots.push(linePlot({ title: `${ch}: predicted vs executed`, yLabel: `${ch} (${unit})`, series, bands, marks, spans }));
    void i;
  });
  plots.push(
    linePlot({
      title: "speed",
      yLabel: "m/s",
      series: [
        { name: "speed", color: COLORS[0], x: t, y: ticks.map((r) => r.speed) },
        ...(all.some((r) => r.ref_speed !== null) ? [{ name: "desired", color: "#999", x: t, y: ticks.map((r) => r.ref_speed), dash: true, width: 1 }] : []),
      ],
      marks,
      spans,
    }),
  );
  if (all.some((r) => r.lateral_offset !== null)) {
    const lim = run.criteria.max_lane_deviation_m;
    plots.push(
      linePlot({
        title: "lateral offset from the target line",
        yLabel: "m",
        series: [{ name: "offset", color: COLORS[2], x: t, y: ticks.map((r) => r.lateral_offset) }],
        hlines: lim !== null ? [{ y: lim, color: "#d00", label: `+${lim.toFixed(2)} m` }, { y: -lim, color: "#d00", label: `−${lim.toFixed(2)} m` }] : [],
        marks,
        spans,
      }),
    );
  }
  if (all.some((r) => r.prediction?.spread)) {
    plots.push(
      linePlot({
        title: "prediction spread (1st-step σ)",
        yLabel: "σ",
        series: run.actions.map((ch, i) => ({ name: ch, color: COLORS[i % COLORS.length], x: t, y: ticks.map((r) => r.prediction?.spread?.[ch] ?? null) })),
        marks,
        spans,
      }),
    );
  }
  if (run.road) {
    plots.push(
      linePlot({
        title: "top-down: road reference line and ego path",
        xLabel: "x (m)",
        yLabel: "y (m)",
        equalAspect: true,
        height: 300,
        series: [
          { name: "road (lane 0 centre)", color: "#999", x: run.road.x, y: run.road.y, width: 1 },
          { name: "ego", color: COLORS[0], x: ticks.map((r) => r.x), y: ticks.map((r) => r.y) },
        ],
      }),
    );
  }
  const m = res.metrics as unknown as Record<string, number | null>;
  const rows = Object.keys(m)
    .map((k) => `<tr${res.failed.includes(k) ? ' class="bad"' : ""}><td>${esc(k)}</td><td>${fmt(m[k])}</td></tr>`)
    .join("");
  const faults = Object.entries(run.fault_counts)
    .map(([ch, c]) => `${esc(ch)}: ${Object.entries(c).map(([k, n]) => `${esc(k)} ${n}`).join(", ")}`)
    .join("; ");
  return `<section id="s${idx}"><h2>${esc(run.name)} <span class="${res.passed ? "pass" : "fail"}">${res.passed ? "PASS" : "FAIL"}</span></h2>
<p class="desc">${esc(run.description)}</p>
${res.failed.length ? `<p class="fail">failed: ${res.failed.map(esc).join(", ")}</p>` : ""}
<div class="row"><table class="metrics"><tr><th>metric</th><th>value</th></tr>${rows}</table>
<div class="info">vehicle ${esc(run.vehicle)}, ${run.rate} Hz, ${run.duration} s, seed ${run.seed}${faults ? `<br>faults injected — ${faults}` : ""}
<br><span class="key"><span style="color:#d00">▮</span> limit acted &nbsp; <span style="color:#ff9800">▮</span> fallback</span></div></div>
${plots.join("\n")}
</section>`;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:20px;color:#222;max-width:1000px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.pass{color:#087f23;font-weight:600}.fail{color:#c62828;font-weight:600}
tr.bad td{background:#fde0e0}.row{display:flex;gap:24px;align-items:flex-start}.info{color:#555;font-size:13px;margin-top:8px}
section{border-top:2px solid #ddd;margin-top:24px}svg.plot{display:block;margin:6px 0}.desc{color:#444}`;

/** The whole page; `report` defaults to buildReport(runs). */
export function renderHtml(runs: readonly ScenarioRun[], opts: { title?: string; report?: Report } = {}): string {
  const report = opts.report ?? buildReport(runs);
  const title = opts.title ?? "lam closed-loop report";
  const s = report.summary;
  const head = report.scenarios
    .map(
      (r, i) =>
        `<tr><td><a href="#s${i}">${esc(r.name)}</a></td><td class="${r.passed ? "pass" : "fail"}">${r.passed ? "pass" : "FAIL"}</td><td>${r.failed.map(esc).join(", ") || "–"}</td>` +
        `<td>${fmt(r.metrics.collisions)}</td><td>${fmt(r.metrics.min_ttc_s)}</td><td>${fmt(r.metrics.max_lane_deviation_m)}</td><td>${fmt(r.metrics.progress)}</td><td>${fmt(r.metrics.fallback_share)}</td><td>${fmt(r.metrics.ade)}</td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head><body>
<h1>${esc(title)}</h1>
<p><b>${s.passed}/${s.scenarios}</b> scenarios passed${s.failed ? ` — failed: ${s.failed_scenarios.map(esc).join(", ")}` : ""}. Collisions: ${s.collisions}.</p>
<table class="summary"><tr><th>scenario</th><th>result</th><th>failed criteria</th><th>collisions</th><th>min TTC (s)</th><th>max lane dev (m)</th><th>progress</th><th>fallback share</th><th>ADE</th></tr>${head}</table>
${runs.map((r, i) => scenarioSection(r, report.scenarios[i], i)).join("\n")}
</body></html>
`;
}
