// Open-loop scoring of predicted action sequences against what was recorded next. A prediction made at frame i
// covers frames i+1 … i+H (t0 = t_i + dt); one channel of it is scored only when that channel was observed
// (not Missing) on every one of those frames, so a gap in the recording never counts as an error.
import type { ActionSequence } from "../../dynamics/types.js";
import { Validity, type Frame } from "../../perception/types.js";
import { round } from "../metrics.js";

/** Mean |predicted − recorded| over the horizon (ade) and at its last step (fde), in the channel's units. */
export interface ChannelScore {
  readonly ade: number | null;
  readonly fde: number | null;
  /** Predictions scored on this channel. */
  readonly ticks: number;
}

export interface PredictorScore {
  /** Mean over the ticks where every action channel was scored of the channel-mean error (as TickRecord.prediction_error). */
  readonly ade: number | null;
  readonly fde: number | null;
  readonly ticks: number;
  readonly per_channel: Readonly<Record<string, ChannelScore>>;
}

/** One prediction's error: per action channel (null where not scored), and the channel mean where all were. */
export interface TickError {
  readonly ade: readonly (number | null)[];
  readonly fde: readonly (number | null)[];
  readonly all: { readonly ade: number; readonly fde: number } | null;
}

/** Recorded action channels of a frame series, and which horizons are fully observed (O(1) per query). */
export class RecordedActions {
  readonly A: number;
  private readonly idx: number[];
  /** missing[a][j] = frames before j where action a was not observed. */
  private readonly missing: Int32Array[];

  constructor(
    readonly frames: readonly Frame[],
    frameChannels: readonly string[],
    readonly actions: readonly string[],
    readonly rate: number,
  ) {
    this.A = actions.length;
    this.idx = actions.map((a) => frameChannels.indexOf(a));
    this.missing = this.idx.map((j) => {
      const m = new Int32Array(frames.length + 1);
      for (let f = 0; f < frames.length; f++) m[f + 1] = m[f] + (j < 0 || !observed(frames[f], j) ? 1 : 0);
      return m;
    });
  }

  /** The recorded value of action a at frame f, or undefined where it was not observed. */
  value(f: number, a: number): number | undefined {
    const j = this.idx[a];
    return j >= 0 && observed(this.frames[f], j) ? this.frames[f].values[j] : undefined;
  }

  /** Whether action a was observed on every frame of [from, to). */
  observedOver(a: number, from: number, to: number): boolean {
    if (from < 0 || to > this.frames.length || from >= to) return false;
    return this.missing[a][to] - this.missing[a][from] === 0;
  }

  /** Actions never observed in any frame. */
  neverObserved(): string[] {
    return this.actions.filter((_, a) => this.missing[a][this.frames.length] === this.frames.length);
  }

  /**
   * Scores the prediction made at frame i. `only` restricts the channels scored (a baseline is scored on exactly
   * the channels the model was scored on at that tick).
   */
  score(i: number, seq: ActionSequence, only?: readonly boolean[]): TickError {
    const C = seq.channels.length;
    const H = Math.floor(seq.mean.length / Math.max(C, 1));
    // Steps are addressed by time, not assumed to start at i+1: a predictor with another t0 is still scored fairly.
    const first = i + Math.round((seq.t0 - this.frames[i].t) * this.rate);
    const ade: (number | null)[] = [];
    const fde: (number | null)[] = [];
    let sumA = 0;
    let sumF = 0;
    let scored = 0;
    for (let a = 0; a < this.A; a++) {
      const c = seq.channels.indexOf(this.actions[a]);
      if (c < 0 || H === 0 || (only && !only[a]) || !this.observedOver(a, first, first + H)) {
        ade.push(null), fde.push(null);
        continue;
      }
      let s = 0;
      let last = 0;
      let finite = true;
      for (let k = 0; k < H; k++) {
        const e = Math.abs(seq.mean[k * C + c] - this.frames[first + k].values[this.idx[a]]);
        if (!Number.isFinite(e)) finite = false;
        s += e;
        last = e;
      }
      if (!finite) {
        // A non-finite prediction is not an error of some size: it is reported by the policy, not averaged in.
        ade.push(null), fde.push(null);
        continue;
      }
      ade.push(s / H), fde.push(last);
      sumA += s / H;
      sumF += last;
      scored++;
    }
    return { ade, fde, all: scored === this.A && this.A > 0 ? { ade: sumA / this.A, fde: sumF / this.A } : null };
  }
}

function observed(frame: Frame, j: number): boolean {
  return frame.valid[j] !== Validity.Missing && Number.isFinite(frame.values[j]);
}

/** Sums of TickErrors for one predictor. */
export class ScoreAccumulator {
  private readonly sumA: Float64Array;
  private readonly sumF: Float64Array;
  private readonly n: Int32Array;
  private allA = 0;
  private allF = 0;
  private allN = 0;

  constructor(readonly actions: readonly string[]) {
    this.sumA = new Float64Array(actions.length);
    this.sumF = new Float64Array(actions.length);
    this.n = new Int32Array(actions.length);
  }

  add(e: TickError): void {
    for (let a = 0; a < this.actions.length; a++) {
      const x = e.ade[a];
      if (x === null) continue;
      this.sumA[a] += x;
      this.sumF[a] += e.fde[a]!;
      this.n[a]++;
    }
    if (e.all) {
      this.allA += e.all.ade;
      this.allF += e.all.fde;
      this.allN++;
    }
  }

  summary(): PredictorScore {
    const per: Record<string, ChannelScore> = {};
    this.actions.forEach((ch, a) => {
      const n = this.n[a];
      per[ch] = { ade: n ? round(this.sumA[a] / n) : null, fde: n ? round(this.sumF[a] / n) : null, ticks: n };
    });
    const n = this.allN;
    return { ade: n ? round(this.allA / n) : null, fde: n ? round(this.allF / n) : null, ticks: n, per_channel: per };
  }
}
