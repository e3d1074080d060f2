// The `replay --json` object: sim's scenario results, each with a `replay` section (per-channel ADE/FDE of the
// model and of the baselines on the same ticks, limits by name, fallback reasons), and a summary that is a
// function of the scenario results alone, so shard reports merge into exactly the report of one run.
import { scenarioResult, type ScenarioResult, type ScenarioTiming } from "../metrics.js";
import { round } from "../metrics.js";
import type { ReplayDetail, ReplayOutcome } from "./engine.js";
import type { ChannelScore, PredictorScore } from "./score.js";
import type { ScenarioRun } from "../run.js";
import { summariseResults, type ReportSummary } from "../report/json.js";
import { renderHtml } from "../report/html.js";
import { esc } from "../report/svg.js";
import { poolHorizon, type HorizonError } from "../report/horizon.js";

/** A scenario result as reports carry it; `replay` only in replay reports, `wall_s` only where measured. */
export interface ReportScenario extends ScenarioResult {
  readonly timing: ScenarioTiming & { readonly wall_s?: number };
  readonly replay?: ReplayDetail;
}

/** The model and baselines over all replayed drives, each drive weighted by its scored ticks. */
export interface ReplaySummary {
  readonly drives: number;
  readonly frames: number;
  readonly model: PredictorScore;
  readonly baselines: Readonly<Record<string, PredictorScore>>;
  /** Pooled over the held-out blocks of the drives the model trained on; absent when it trained on none of them. */
  readonly held_out?: { readonly drives: number; readonly model: PredictorScore; readonly baselines: Readonly<Record<string, PredictorScore>> };
}

export interface MergedSummary extends ReportSummary {
  readonly replay?: ReplaySummary;
}

export interface ScenarioReport {
  readonly scenarios: readonly ReportScenario[];
  readonly summary: MergedSummary;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Weighted means of per-drive scores (the rounded figures, so a merge of shards gives the same bytes). */
function poolScores(scores: readonly PredictorScore[], actions: readonly string[]): PredictorScore {
  const pool = (parts: readonly { ade: number | null; fde: number | null; ticks: number }[]) => {
    let n = 0;
    let a = 0;
    let f = 0;
    for (const p of parts) {
      if (p.ade === null || p.fde === null || p.ticks === 0) continue;
      n += p.ticks;
      a += p.ade * p.ticks;
      f += p.fde * p.ticks;
    }
    return { ade: n ? round(a / n) : null, fde: n ? round(f / n) : null, ticks: n };
  };
  const per: Record<string, ChannelScore> = {};
  for (const ch of actions) per[ch] = pool(scores.map((s) => s.per_channel[ch] ?? { ade: null, fde: null, ticks: 0 }));
  return { ...pool(scores), per_channel: per };
}

type Scored = Pick<ReplayDetail, "model" | "baselines">;

function pool(parts: readonly Scored[], actions: readonly string[]) {
  const names = [...new Set(parts.flatMap((d) => Object.keys(d.baselines)))];
  return {
    model: poolScores(parts.map((d) => d.model), actions),
    baselines: Object.fromEntries(names.map((n) => [n, poolScores(parts.flatMap((d) => (d.baselines[n] ? [d.baselines[n]] : [])), actions)])),
  };
}

function replaySummary(details: readonly ReplayDetail[]): ReplaySummary {
  const actions = [...new Set(details.flatMap((d) => d.actions))];
  // Reports written before held_out existed have no such key: treat them as not trained on.
  const held = details.map((d) => d.held_out ?? null).filter((h): h is NonNullable<ReplayDetail["held_out"]> => h !== null);
  return {
    drives: details.length,
    frames: details.reduce((a, d) => a + d.frames, 0),
    ...pool(details, actions),
    ...(held.length ? { held_out: { drives: held.length, ...pool(held, actions) } } : {}),
  };
}

/**
 * The summary of a list of scenario results (sim/report's `summariseResults`), plus the `replay` pool where every
 * scenario is a replay.
 */
export function summarise(scenarios: readonly ReportScenario[]): MergedSummary {
  const details = scenarios.map((s) => s.replay).filter((d): d is ReplayDetail => d !== undefined);
  return {
    ...summariseResults(scenarios),
    ...(details.length && details.length === scenarios.length ? { replay: replaySummary(details) } : {}),
  };
}

/** One replayed drive and what the CLI measured of it on the wall clock (seconds). */
export interface ReplayEntry {
  readonly outcome: ReplayOutcome;
  readonly wall_s?: number;
}

/** The sim criteria a replay failed, plus `time_breaks` when the drive's time is broken (nothing can be judged on it). */
export function replayFailed(simFailed: readonly string[], detail: ReplayDetail): string[] {
  return (detail.time_breaks?.length ?? 0) > 0 ? [...simFailed, "time_breaks"] : [...simFailed];
}

/** Replay report and its runs, both sorted by scenario name (as a merge of shards sorts them). */
export function buildReplayReport(entries: readonly ReplayEntry[]): { report: ScenarioReport; runs: ScenarioRun[] } {
  const sortedEntries = [...entries].sort((a, b) => byName(a.outcome.run, b.outcome.run));
  for (let i = 1; i < sortedEntries.length; i++) {
    const n = sortedEntries[i].outcome.run.name;
    if (n === sortedEntries[i - 1].outcome.run.name) throw new Error(`two replays are named "${n}" (${sortedEntries[i - 1].outcome.detail.path}, ${sortedEntries[i].outcome.detail.path})`);
  }
  const scenarios: ReportScenario[] = sortedEntries.map(({ outcome, wall_s }) => {
    const r = scenarioResult(outcome.run);
    const timing = wall_s === undefined ? r.timing : { ...r.timing, wall_s: Math.round(wall_s * 1e3) / 1e3 };
    const failed = replayFailed(r.failed, outcome.detail);
    return { name: r.name, passed: failed.length === 0, metrics: r.metrics, timing, failed, replay: outcome.detail };
  });
  return { report: { scenarios, summary: summarise(scenarios) }, runs: sortedEntries.map((e) => e.outcome.run) };
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : v.toFixed(4);
}

/** Model vs baselines per drive and channel, on the same ticks; notes where a drive lacks the model's actions. */
export function comparisonHtml(report: ScenarioReport): string {
  const withReplay = report.scenarios.filter((s) => s.replay);
  if (withReplay.length === 0) return "";
  const names = [...new Set(withReplay.flatMap((s) => Object.keys(s.replay!.baselines)))];
  const head = `<tr><th>drive</th><th>channel</th><th>ticks scored</th><th>model ADE</th><th>model FDE</th>${names.map((n) => `<th>${esc(n)} ADE</th>`).join("")}<th>model / ${esc(names[0] ?? "baseline")}</th></tr>`;
  const rows: string[] = [];
  const row = (label: string, ch: string, m: { ade: number | null; fde: number | null; ticks: number }, base: (n: string) => { ade: number | null } | undefined) => {
    const b0 = names[0] ? base(names[0])?.ade : null;
    const ratio = m.ade !== null && b0 ? m.ade / b0 : null;
    rows.push(
      `<tr><td>${esc(label)}</td><td>${esc(ch)}</td><td>${m.ticks}</td><td>${fmt(m.ade)}</td><td>${fmt(m.fde)}</td>${names.map((n) => `<td>${fmt(base(n)?.ade)}</td>`).join("")}<td${ratio !== null && ratio > 1 ? ' class="fail"' : ""}>${ratio === null ? "–" : ratio.toFixed(3)}</td></tr>`,
    );
  };
  for (const s of withReplay) {
    const d = s.replay!;
    for (const ch of d.actions) row(s.name, ch, d.model.per_channel[ch] ?? { ade: null, fde: null, ticks: 0 }, (n) => d.baselines[n]?.per_channel[ch]);
    const h = d.held_out;
    if (h) for (const ch of d.actions) row(`${s.name} (held-out blocks)`, ch, h.model.per_channel[ch] ?? { ade: null, fde: null, ticks: 0 }, (n) => h.baselines[n]?.per_channel[ch]);
  }
  const pooled = report.summary.replay;
  if (pooled) for (const ch of Object.keys(pooled.model.per_channel)) row("all drives", ch, pooled.model.per_channel[ch], (n) => pooled.baselines[n]?.per_channel[ch]);
  const ph = pooled?.held_out;
  if (ph) for (const ch of Object.keys(ph.model.per_channel)) row("all held-out blocks", ch, ph.model.per_channel[ch], (n) => ph.baselines[n]?.per_channel[ch]);
  const notes = withReplay.flatMap((s) => s.replay!.notes.filter((n) => !n.startsWith("comfort")).map((n) => `<li>${esc(s.name)}: ${esc(n)}</li>`));
  return `<h2>Prediction vs baselines (open loop, same ticks)</h2>
<p class="desc">ADE: mean |predicted − recorded| over the horizon; FDE: at its last step; in each channel's units. Ratio above 1: the model does worse than ${esc(names[0] ?? "the baseline")}. A drive the model trained on includes its training data; its held-out rows score only the predictions whose whole horizon lies in a block held out from training. Comfort metrics of a replay describe the recorded driving; a replay fails on non-finite commands or on a drive whose time is broken.</p>
<table class="summary">${head}${rows.join("")}</table>${notes.length ? `<ul>${notes.join("")}</ul>` : ""}`;
}

/** The HTML report: sim's page with the model-vs-baseline table after the summary and error against horizon. */
export function replayHtml(runs: readonly ScenarioRun[], report: ScenarioReport, title = "lam replay report"): string {
  if (runs.length !== report.scenarios.length || runs.some((r, i) => r.name !== report.scenarios[i].name)) {
    throw new Error(`runs [${runs.map((r) => r.name).join(", ")}] do not match the report's scenarios [${report.scenarios.map((s) => s.name).join(", ")}]`);
  }
  const horizon = report.scenarios.map((s) => s.replay?.horizon ?? null);
  return renderHtml(runs, {
    title,
    report,
    intro: comparisonHtml(report),
    horizon,
    pooledHorizon: poolHorizon(horizon.filter((h): h is HorizonError => h !== null)),
  });
}
