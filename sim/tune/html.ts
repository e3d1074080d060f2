// The tune report page: the scoring rule, the ranked sets with what each trades off against the baseline, and
// per swept key the score against the value (reusing the simulator report's SVG plots).
import { esc, linePlot } from "../report/svg.js";
import type { RankedSet, TuneReport } from "./rank.js";

const DELTA_KEYS = ["min_ttc_s", "max_lane_deviation_m", "max_lat_accel", "max_lon_jerk", "progress", "fallback_share", "limit_events", "ade"];

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(digits));
const signed = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v === 0 ? "0" : `${v > 0 ? "+" : ""}${num(v)}`);
const showParams = (p: RankedSet["params"]) => Object.entries(p).map(([k, v]) => `${esc(k.replace(/^policy\./, ""))}=${esc(JSON.stringify(v))}`).join("<br>") || "<i>baseline</i>";

function row(s: RankedSet): string {
  const deltas = DELTA_KEYS.map((k) => `<td>${signed(s.deltas[k])}</td>`).join("");
  const trade = [s.gained.length ? `<span class="pass">+ ${s.gained.map(esc).join(", ")}</span>` : "", s.lost.length ? `<span class="fail">− ${s.lost.map(esc).join(", ")}</span>` : ""].filter(Boolean).join("<br>");
  return `<tr${s.baseline ? ' class="base"' : ""}><td>${s.rank}</td><td>${showParams(s.params)}</td><td>${s.passed}/${s.scenarios}</td><td>${s.collisions}</td><td>${num(s.score, 4)}</td>` +
    `<td>${num(s.parts.safety)}</td><td>${num(s.parts.comfort)}</td><td>${num(s.parts.progress)}</td><td>${num(s.parts.fallback)}</td><td>${num(s.parts.limits)}</td>${deltas}<td>${trade || "–"}</td></tr>`;
}

function sensitivity(report: TuneReport, all: readonly RankedSet[]): string[] {
  const plots: string[] = [];
  for (const sw of report.sweeps) {
    const xs = sw.values.map(Number);
    if (!xs.every(Number.isFinite) || xs.length < 2) continue;
    const at = (x: number) => all.filter((s) => !s.baseline && Number(s.params[sw.key]) === x);
    const best = xs.map((x) => Math.max(...at(x).map((s) => s.score)));
    const mean = xs.map((x) => at(x).reduce((a, s) => a + s.score, 0) / Math.max(at(x).length, 1));
    const passed = xs.map((x) => Math.max(...at(x).map((s) => s.passed)) / Math.max(report.scenarios.length, 1));
    const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
    const pick = (ys: number[]) => order.map((i) => ys[i]);
    plots.push(
      linePlot({
        title: `${sw.key}: score (best and mean over the other keys) and best pass rate`,
        xLabel: sw.key,
        yLabel: "score / pass rate",
        series: [
          { name: "best score", color: "#1f77b4", x: pick(xs), y: pick(best) },
          { name: "mean score", color: "#1f77b4", x: pick(xs), y: pick(mean), dash: true, width: 1 },
          { name: "best pass rate", color: "#2ca02c", x: pick(xs), y: pick(passed) },
        ],
        hlines: [{ y: report.baseline.score, color: "#999", label: "baseline score" }],
      }),
    );
  }
  return plots;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:20px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}
td:nth-child(2),td:last-child{text-align:left}.pass{color:#087f23}.fail{color:#c62828}tr.base td{background:#f1f1f1}
.formula{background:#f7f7f7;padding:8px;font-size:13px}svg.plot{display:block;margin:6px 0}`;

export function renderTuneHtml(report: TuneReport, all: readonly RankedSet[]): string {
  const head = `<tr><th>rank</th><th>parameters</th><th>passed</th><th>collisions</th><th>score</th><th>safety</th><th>comfort</th><th>progress</th><th>fallback</th><th>limits</th>` +
    DELTA_KEYS.map((k) => `<th>Δ ${esc(k)}</th>`).join("") + `<th>vs baseline</th></tr>`;
  const shown = report.ranking.some((s) => s.baseline) ? report.ranking : [...report.ranking, report.baseline];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lam tune</title><style>${CSS}</style></head><body>
<h1>lam tune: ${report.sets} parameter sets × ${report.scenarios.length} scenarios</h1>
<p>Scenarios: ${report.scenarios.map(esc).join(", ")}. Seed ${report.seed}. Swept: ${report.sweeps.map((s) => `${esc(s.key)} ∈ {${s.values.map((v) => esc(JSON.stringify(v))).join(", ")}}`).join("; ")}.</p>
<p class="formula">${esc(report.scoring.formula)}</p>
<p>Δ columns: the set's mean metric over the scenarios minus the baseline's (grey row). Parts are means over scenarios before weighting.</p>
<table>${head}${shown.map(row).join("")}</table>
${sensitivity(report, all).join("\n")}
</body></html>
`;
}
