import type { Frame, FrameSpec, Sample } from "./types.js";
import { Validity } from "./types.js";
import type { Rejection } from "./validate.js";

export interface SynchroniserOptions {
  /**
   * How far past a tick (s) a sample may lie and still be used as the right-hand side of an
   * interpolation. Frame T is a pure function of the samples with t <= T + lookahead, which is
   * what makes live, replay and batch frames identical.
   */
  readonly lookahead: number;
}

/** One channel's recent samples in time order; entries before `head` are no longer needed. */
class Track {
  readonly t: number[] = [];
  readonly v: number[] = [];
  head = 0;
  /** A frame has used the sample at `head`: nothing before it can matter any more. */
  anchored = false;
}

/** The tick grid: tick k is at k / rate seconds, so every run agrees on tick times exactly. */
export function tickTime(k: number, rate: number): number {
  return k / rate;
}

/** The first tick at or after source time t. */
export function firstTick(t: number, rate: number): number {
  return Math.ceil(t * rate);
}

/**
 * Resamples multi-rate samples onto a fixed-rate grid.
 *
 * For a tick T, with p the last sample at or before T and n the next one (if within the lookahead):
 * - p at T, or p and n no further apart than staleAfter: Fresh (linear: interpolated; hold: p's value);
 * - else, while T - p.t <= staleAfter: Held (p's value);
 * - else, or with no p at all: Missing, value NaN.
 * A non-finite value can never be Fresh or Held: values are checked after the float32 store.
 */
export class Synchroniser {
  private readonly tracks: Track[];
  private readonly index = new Map<string, number>();
  private newest = -Infinity;
  private lastK = -Infinity;

  constructor(readonly spec: FrameSpec, readonly options: SynchroniserOptions) {
    if (!(spec.rate > 0 && Number.isFinite(spec.rate))) throw new Error(`frame rate=${spec.rate} must be a positive number`);
    if (!(options.lookahead >= 0)) throw new Error(`lookahead=${options.lookahead} must be >= 0 seconds`);
    spec.channels.forEach((c, i) => {
      if (this.index.has(c.name)) throw new Error(`frame channel "${c.name}" appears twice in the FrameSpec`);
      if (!(c.staleAfter >= 0)) throw new Error(`frame channel "${c.name}": staleAfter=${c.staleAfter} must be >= 0`);
      this.index.set(c.name, i);
    });
    this.tracks = spec.channels.map(() => new Track());
  }

  /** Newest sample time accepted on any frame channel. */
  get lastT(): number {
    return this.newest;
  }

  /** Adds a sample. Channels outside the spec are ignored (undefined); bad ones say why. */
  push(s: Sample): Rejection | undefined {
    const i = this.index.get(s.channel);
    if (i === undefined) return undefined;
    if (typeof s.value !== "number") return { reason: "wrong_type", message: `channel=${s.channel} t=${s.t}: a vector sample cannot fill a scalar frame channel` };
    if (!Number.isFinite(s.value) || !Number.isFinite(s.t)) return { reason: "nonfinite", message: `channel=${s.channel} t=${s.t}: value=${s.value}` };
    const tr = this.tracks[i];
    const n = tr.t.length;
    if (n === tr.head || s.t > tr.t[n - 1]) {
      tr.t.push(s.t);
      tr.v.push(s.value);
    } else {
      // Out of order (no reorder stage in front): insert, unless frames past it were already built.
      if (tr.anchored && s.t < tr.t[tr.head]) return { reason: "late", message: `channel=${s.channel} t=${s.t}: frames after it were already built` };
      let j = n;
      while (j > tr.head && tr.t[j - 1] > s.t) j--;
      if (tr.t[j - 1] === s.t && j > tr.head) return { reason: "duplicate", message: `channel=${s.channel} t=${s.t}: a sample with this time was already received` };
      tr.t.splice(j, 0, s.t);
      tr.v.splice(j, 0, s.value);
    }
    if (s.t > this.newest) this.newest = s.t;
    return undefined;
  }

  /** The frame for tick k (k non-decreasing between calls: older samples are pruned). */
  frameAt(k: number): Frame {
    if (k < this.lastK) throw new Error(`tick k=${k} is before the last built tick k=${this.lastK}`);
    this.lastK = k;
    const T = tickTime(k, this.spec.rate);
    const horizon = T + this.options.lookahead;
    const C = this.tracks.length;
    const values = new Float32Array(C);
    const valid = new Uint8Array(C);
    for (let c = 0; c < C; c++) {
      const { interp, staleAfter } = this.spec.channels[c];
      const tr = this.tracks[c];
      let p = tr.head;
      const n = tr.t.length;
      while (p + 1 < n && tr.t[p + 1] <= T) p++;
      if (p >= n || tr.t[p] > T) {
        values[c] = NaN;
        continue;
      }
      this.prune(tr, p);
      p = tr.head;
      const tp = tr.t[p];
      const q = p + 1 < tr.t.length && tr.t[p + 1] <= horizon ? p + 1 : -1;
      let state: Validity = Validity.Missing;
      let v = NaN;
      if (tp === T) {
        state = Validity.Fresh;
        v = tr.v[p];
      } else if (q >= 0 && tr.t[q] - tp <= staleAfter) {
        state = Validity.Fresh;
        v = interp === "linear" ? tr.v[p] + ((tr.v[q] - tr.v[p]) * (T - tp)) / (tr.t[q] - tp) : tr.v[p];
      } else if (T - tp <= staleAfter) {
        state = Validity.Held;
        v = tr.v[p];
      }
      values[c] = v;
      if (state !== Validity.Missing && !Number.isFinite(values[c])) {
        values[c] = NaN;
        state = Validity.Missing;
      }
      valid[c] = state;
    }
    return { t: T, values, valid };
  }

  private prune(tr: Track, p: number): void {
    tr.anchored = true;
    tr.head = p;
    // Compact now and then, so memory stays bounded without shifting on every tick.
    if (tr.head > 256 && tr.head * 2 > tr.t.length) {
      tr.t.splice(0, tr.head);
      tr.v.splice(0, tr.head);
      tr.head = 0;
    }
  }

  /**
   * Samples a frame channel holds now, the ones frames have moved past included until they are compacted away:
   * what memory the channel costs (undefined for a channel outside the spec).
   */
  retained(channel: string): number | undefined {
    const i = this.index.get(channel);
    return i === undefined ? undefined : this.tracks[i].t.length;
  }
}
