/*
 * The baselines on one dataset, scored once: hold-last, linear extrapolation and the recorded AR fit, each streamed
 * from the start of every block over the held-out windows, with the data's scale for the overall figures. Every
 * model compared on that dataset (lam eval and its report, lam export's original and smaller model) takes these
 * scores instead of running the baselines again; `evaluate` checks they were made for the same windows and the
 * same baseline configuration.
 */
import { arPredictor, fitAr, type ArFit } from "./baselines/ar.js";
import { holdLast } from "./baselines/hold-last.js";
import { LINEAR_K, linearExtrapolation } from "./baselines/linear.js";
import type { BaselineConfig } from "./baselines/action-track.js";
import { cutWindows, fitNormalisation, wholeDrive, type Block, type FrameSeries, type Windows } from "./dataset.js";
import { ErrorAccumulator, type ErrorSummary } from "./metrics.js";
import type { LamJson } from "./lam-json.js";
import type { HeadBaseline } from "./baselines/head-source.js";
import type { Predictor } from "./types.js";

/** What the baselines of a model depend on (not its weights): two models agreeing here share baseline scores. */
export interface BaselineMeta {
  readonly spec: LamJson["spec"];
  readonly normalisation: Pick<LamJson["normalisation"], "features">;
  readonly head: Pick<LamJson["head"], "fallback">;
  readonly baselines?: LamJson["baselines"];
}

/** The baselines a model is compared with: hold-last, linear extrapolation, and its training-fitted AR(p) if recorded. */
export function standardBaselines(meta: Pick<BaselineMeta, "spec" | "head" | "baselines">, frameChannels: readonly string[]): Predictor[] {
  const cfg: BaselineConfig = {
    frameChannels,
    actions: meta.spec.actions,
    rate: meta.spec.rate,
    horizon: meta.spec.horizon,
    fallback: meta.head.fallback,
  };
  const out = [holdLast(cfg), linearExtrapolation(cfg, LINEAR_K)];
  if (meta.baselines?.ar) out.push(arPredictor(cfg, meta.baselines.ar));
  return out;
}

/** The AR order a dataset fit takes when the model records none (trainRun's default). */
export const DATA_AR_ORDER = 4;

/**
 * The AR(p) baseline fitted once on a dataset: every frame of `series` (whole drives), the order of the model's
 * recorded fit (DATA_AR_ORDER without one). Every model evaluated on these drives then meets the same AR, so their
 * ratios to the best baseline compare; the fit sees the evaluated data itself, so it is an in-sample (stronger)
 * baseline than a model's training-fitted one.
 */
export function fitDataAr(meta: Pick<BaselineMeta, "spec" | "head" | "baselines">, series: readonly FrameSeries[]): ArFit {
  const blocks = series.filter((s) => s.frames.length > 0).map((s) => wholeDrive(s));
  const { actions, rate, horizon } = meta.spec;
  return fitAr(series, blocks, (s) => ({ frameChannels: s.channels, actions, rate, horizon, fallback: meta.head.fallback }), meta.baselines?.ar?.p ?? DATA_AR_ORDER);
}

/**
 * Per action, the std over every frame of `series` (whole drives, not only the scored blocks): the data's own
 * scale for the overall figures, the same whatever model is scored on these drives.
 */
export function dataScale(series: readonly FrameSeries[], actions: readonly string[]): number[] {
  return [...fitNormalisation(series, series.filter((s) => s.frames.length > 0).map((s) => wholeDrive(s)), actions).std];
}

export interface BaselineScores {
  /** The baseline configuration and data the scores were made for (compared by `evaluate`). */
  readonly identity: string;
  readonly steps: number;
  /** σ per action for the overall figures (dataScale). */
  readonly scale: readonly number[];
  /** The scored windows: drive index, first target frame and truths (horizon × A each). */
  readonly windows: Pick<Windows, "n" | "horizon" | "A" | "drive" | "end" | "y">;
  readonly summaries: Readonly<Record<string, ErrorSummary>>;
  /** With `keepMeans`: each baseline's predicted means per window (n × horizon × A), for reports. */
  readonly means?: Readonly<Record<string, Float32Array>>;
}

export interface BaselineScoreOptions {
  /** Steps of the horizon scored (default all). */
  readonly steps?: number;
  /** Keep every window's predicted means (the eval report plots them). */
  readonly keepMeans?: boolean;
  /** The windows of these blocks, when the caller has cut them already (evaluate). */
  readonly windows?: Windows;
  /** The predictors per drive (default standardBaselines): tests count the runs through it. */
  readonly predictors?: (meta: BaselineMeta, frameChannels: readonly string[]) => Predictor[];
}

/** The key a score set is made for: the baseline configuration, the steps, and the drives' names and lengths. */
export function baselineIdentity(meta: BaselineMeta, series: readonly FrameSeries[], blocks: readonly Block[], steps: number): string {
  const { actions, rate, horizon, history } = meta.spec;
  return JSON.stringify({
    actions,
    rate,
    horizon,
    history,
    fallback: meta.head.fallback,
    ar: meta.baselines?.ar ?? null,
    steps,
    drives: series.map((s) => [s.name, s.frames.length]),
    blocks: blocks.map((b) => [b.drive, b.start, b.end]),
  });
}

/** Streams every baseline over every block once and scores it on the block's windows. */
export function scoreBaselines(meta: BaselineMeta, series: readonly FrameSeries[], blocks: readonly Block[], opts: BaselineScoreOptions = {}): BaselineScores {
  const { spec, head } = meta;
  const A = spec.actions.length;
  const h = spec.horizon;
  const steps = opts.steps ?? h;
  const w = opts.windows ?? cutWindows(series, blocks, spec, meta.normalisation.features, head);
  if (w.n === 0) throw new Error(`no evaluation windows: the held-out data has no stretch of ${spec.history + spec.horizon} frames with observed actions`);
  const scale = dataScale(series, spec.actions);
  const at = new Map<number, number>();
  const key = (d: number, e: number) => d * 1e9 + e;
  for (let i = 0; i < w.n; i++) at.set(key(w.drive[i], w.end[i]), i);
  const accs = new Map<string, ErrorAccumulator>();
  const means = opts.keepMeans ? new Map<string, Float32Array>() : undefined;
  const make = opts.predictors ?? standardBaselines;
  for (const b of blocks) {
    const d = series.findIndex((s) => s.name === b.drive);
    const s = series[d];
    for (const p of make(meta, s.channels)) {
      let acc = accs.get(p.name);
      if (!acc) accs.set(p.name, (acc = new ErrorAccumulator(spec.actions, h, scale, steps)));
      let keep = means?.get(p.name);
      if (means && !keep) means.set(p.name, (keep = new Float32Array(w.n * h * A)));
      p.reset();
      for (let e = b.start; e < b.end; e++) {
        const seq = p.step(s.frames[e]);
        const i = at.get(key(d, e + 1));
        if (i === undefined) continue;
        acc.add(seq.mean, w.y, i * h * A);
        keep?.set(seq.mean, i * h * A);
      }
    }
  }
  const summaries: Record<string, ErrorSummary> = {};
  for (const [name, acc] of accs) {
    if (acc.n !== w.n) throw new Error(`baseline ${name} scored ${acc.n} of ${w.n} windows`);
    summaries[name] = acc.summary();
  }
  return {
    identity: baselineIdentity(meta, series, blocks, steps),
    steps,
    scale,
    windows: { n: w.n, horizon: w.horizon, A: w.A, drive: w.drive, end: w.end, y: w.y },
    summaries,
    ...(means ? { means: Object.fromEntries(means) } : {}),
  };
}

/**
 * Per action, each baseline's ADE (physical units, over the scored steps) by its head name: what `lam train
 * --residual-over best` picks the residual's baseline from.
 */
export function baselineAde(scores: BaselineScores, actions: readonly string[]): Record<HeadBaseline, number[]> {
  const ar = Object.keys(scores.summaries).find((k) => /^ar\d+$/.test(k));
  const of = (name: string | undefined) => actions.map((a) => (name && scores.summaries[name] ? scores.summaries[name].per_channel[a].ade : NaN));
  return { hold_last: of("hold_last"), linear: of("linear"), ar: of(ar) };
}

/** Throws unless `scores` were made for these windows and this model's baseline configuration (names the difference). */
export function checkBaselineScores(scores: BaselineScores, meta: BaselineMeta, series: readonly FrameSeries[], blocks: readonly Block[], steps: number, w: Pick<Windows, "n" | "drive" | "end">): void {
  const want = baselineIdentity(meta, series, blocks, steps);
  if (scores.identity !== want) throw new Error(`baseline scores were made for ${scores.identity}, this evaluation needs ${want}`);
  if (scores.windows.n !== w.n || scores.windows.drive.some((d, i) => d !== w.drive[i] || scores.windows.end[i] !== w.end[i])) {
    throw new Error(`baseline scores cover ${scores.windows.n} windows, this evaluation has ${w.n} different ones`);
  }
}
