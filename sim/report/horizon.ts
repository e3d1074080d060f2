// Error against horizon: the mean |predicted − recorded| at each step of the horizon, per channel, for the model
// and each baseline on exactly the predictions and channels the model is scored on. The mean of a curve over its
// steps is that channel's ADE.
import type { ActionSequence } from "../../dynamics/types.js";
import { round } from "../metrics.js";

/** Recorded actions as the replay scorer holds them (sim/replay-score.ts RecordedActions). */
export interface RecordedView {
  readonly frames: readonly { readonly t: number }[];
  readonly actions: readonly string[];
  readonly rate: number;
  value(f: number, a: number): number | undefined;
}

/** Per-step ADE by channel: step j is j+1 ticks after the prediction (null where nothing was scored). */
export type HorizonCurves = Readonly<Record<string, readonly (number | null)[]>>;

export interface HorizonError {
  /** Time between steps (s). */
  readonly step_s: number;
  /** Predictions scored per channel (the model's ADE `ticks`). */
  readonly ticks: Readonly<Record<string, number>>;
  readonly model: HorizonCurves;
  readonly baselines: Readonly<Record<string, HorizonCurves>>;
}

export class HorizonAccumulator {
  private readonly sums: Float64Array[];
  private readonly n: Int32Array;
  private H = 0;

  constructor(private readonly rec: RecordedView) {
    this.sums = rec.actions.map(() => new Float64Array(0));
    this.n = new Int32Array(rec.actions.length);
  }

  /** The prediction made at frame i, on the channels `scored` marks (the model's scored channels at that tick). */
  add(i: number, seq: ActionSequence, scored: readonly boolean[]): void {
    const C = seq.channels.length;
    const H = C ? Math.floor(seq.mean.length / C) : 0;
    const first = i + Math.round((seq.t0 - this.rec.frames[i].t) * this.rec.rate);
    this.rec.actions.forEach((ch, a) => {
      const c = seq.channels.indexOf(ch);
      if (!scored[a] || c < 0 || H === 0) return;
      const err = new Float64Array(H);
      for (let s = 0; s < H; s++) {
        const v = this.rec.value(first + s, a);
        const e = v === undefined ? NaN : Math.abs(seq.mean[s * C + c] - v);
        if (!Number.isFinite(e)) return; // as the ADE: a non-finite prediction is not averaged in
        err[s] = e;
      }
      if (H > this.sums[a].length) {
        const grown = new Float64Array(H);
        grown.set(this.sums[a]);
        this.sums[a] = grown;
      }
      for (let s = 0; s < H; s++) this.sums[a][s] += err[s];
      this.n[a]++;
      this.H = Math.max(this.H, H);
    });
  }

  ticks(): Record<string, number> {
    return Object.fromEntries(this.rec.actions.map((ch, a) => [ch, this.n[a]]));
  }

  curves(): HorizonCurves {
    return Object.fromEntries(
      this.rec.actions.map((ch, a) => [ch, Array.from({ length: this.H }, (_, s) => (this.n[a] && s < this.sums[a].length ? round(this.sums[a][s] / this.n[a]) : null))]),
    );
  }
}

/** Curves of several drives pooled, each weighted by its predictions scored on the channel. */
export function poolHorizon(parts: readonly HorizonError[]): HorizonError | null {
  if (parts.length === 0) return null;
  const channels = [...new Set(parts.flatMap((p) => Object.keys(p.ticks)))];
  const names = [...new Set(parts.flatMap((p) => Object.keys(p.baselines)))];
  const poolCurves = (get: (p: HorizonError) => HorizonCurves | undefined): HorizonCurves =>
    Object.fromEntries(
      channels.map((ch) => {
        const len = Math.max(0, ...parts.map((p) => get(p)?.[ch]?.length ?? 0));
        return [
          ch,
          Array.from({ length: len }, (_, s) => {
            let w = 0;
            let sum = 0;
            for (const p of parts) {
              const v = get(p)?.[ch]?.[s];
              const n = p.ticks[ch] ?? 0;
              if (v === null || v === undefined || n === 0) continue;
              w += n;
              sum += v * n;
            }
            return w ? round(sum / w) : null;
          }),
        ];
      }),
    );
  return {
    step_s: parts[0].step_s,
    ticks: Object.fromEntries(channels.map((ch) => [ch, parts.reduce((a, p) => a + (p.ticks[ch] ?? 0), 0)])),
    model: poolCurves((p) => p.model),
    baselines: Object.fromEntries(names.map((n) => [n, poolCurves((p) => p.baselines[n])])),
  };
}
