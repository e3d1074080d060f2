/*
 * The net's residual over a baseline (head.residual_over): per action the training target is
 * (future − baseline forecast) / scale, where the forecast is an input-independent function of the window's past
 * actions. So a zero residual *is* the baseline, and early stopping that starts from it ("epoch 0") cannot keep a
 * net worse than that baseline on validation.
 */
import type { Block, FrameSeries } from "../series.js";
import { HEAD_BASELINES, needsSourceTrack, SourceTrack, type HeadBaseline, type SourceHead } from "./head-source.js";

/** What this module reads of dataset.ts's Windows (kept structural: baselines do not import the codec). */
export interface WindowRefs {
  readonly n: number;
  readonly A: number;
  readonly horizon: number;
  /** Drive (index into the series list) and first target frame of each window. */
  readonly drive: Int32Array;
  readonly end: Int32Array;
  readonly last: Float32Array;
  readonly y: Float32Array;
}

/**
 * Per window, the horizon × A means of every linear/AR action of `head` (SourceTrack streamed from each block's start,
 * as `lam eval` and the real-time predictor stream it); undefined when no action needs one.
 */
export function windowBaselines(
  series: readonly FrameSeries[],
  blocks: readonly Block[],
  w: WindowRefs,
  actions: readonly string[],
  rate: number,
  head: SourceHead,
): Float32Array | undefined {
  if (!needsSourceTrack(head)) return undefined;
  const { A, horizon: h } = w;
  const key = (d: number, e: number) => d * 1e9 + e;
  const at = new Map<number, number>();
  for (let i = 0; i < w.n; i++) at.set(key(w.drive[i], w.end[i]), i);
  const base = new Float32Array(w.n * h * A);
  const buf = new Float32Array(h * A);
  for (const b of blocks) {
    const d = series.findIndex((s) => s.name === b.drive);
    if (d < 0) throw new Error(`block names drive "${b.drive}", which is not among the series`);
    const s = series[d];
    const src = new SourceTrack(s.channels, actions, rate, h, head);
    for (let e = b.start; e < b.end; e++) {
      src.step(s.frames[e], buf);
      const i = at.get(key(d, e + 1));
      if (i !== undefined) base.set(buf, i * h * A);
    }
  }
  return base;
}

/**
 * Windows whose targets make the trainers' residual (y − last) / scale equal (y − baseline) / scale on every action
 * whose residual is over linear or AR: y' = y − baseline + last. Both trainers (tfjs and the kernel) and
 * fitHeadScale read only y − last, so none of them needs to know which baseline it is.
 */
export function residualTargets<W extends WindowRefs>(w: W, base: Float32Array | undefined, head: SourceHead): W {
  if (!base) return w;
  const { A, horizon: h } = w;
  const over = Array.from({ length: A }, (_, a) => (head.residual_over?.[a] ?? "hold_last") as HeadBaseline);
  if (over.every((o) => o === "hold_last")) return w;
  const y = Float32Array.from(w.y);
  for (let i = 0; i < w.n; i++) {
    for (let k = 0; k < h; k++) {
      for (let a = 0; a < A; a++) {
        if (over[a] === "hold_last") continue;
        const j = (i * h + k) * A + a;
        y[j] = w.y[j] - base[j] + w.last[i * A + a];
      }
    }
  }
  return { ...w, y };
}

/** Per action, the baseline of lowest ADE in `ade` (baseline → per-action ADE); a tie goes to the simpler one. */
export function bestBaselines(ade: Readonly<Partial<Record<HeadBaseline, readonly number[]>>>, actions: number): HeadBaseline[] {
  return Array.from({ length: actions }, (_, a) => {
    let best: HeadBaseline = "hold_last";
    let bestAde = Infinity;
    for (const b of HEAD_BASELINES) {
      const v = ade[b]?.[a];
      if (v !== undefined && v < bestAde) {
        bestAde = v;
        best = b;
      }
    }
    return best;
  });
}

/** Checks a head.residual_over read from lam.json; the error names the offending entry. */
export function checkResidualOver(over: unknown, actions: number, hasAr: boolean): void {
  if (!Array.isArray(over) || over.length !== actions) throw new Error(`head.residual_over must list ${actions} baselines, one per action`);
  over.forEach((o, a) => {
    if (!HEAD_BASELINES.includes(o)) throw new Error(`head.residual_over[${a}]=${JSON.stringify(o)} is not one of ${HEAD_BASELINES.join(", ")}`);
  });
  if (over.includes("ar") && !hasAr) throw new Error('head.residual_over puts an action over "ar" but head.ar (the AR fit) is missing');
}
