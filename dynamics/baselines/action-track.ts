import { Validity, type Frame } from "../../perception/types.js";
import { channelIndex } from "../channel-index.js";

/** Where a baseline reads its actions and what it emits: shared by every baseline. */
export interface BaselineConfig {
  /** Channel order of the frames it will be stepped with. */
  readonly frameChannels: readonly string[];
  readonly actions: readonly string[];
  readonly rate: number;
  readonly horizon: number;
  /** Value of an action never observed yet (e.g. its training mean); 0 by default. */
  readonly fallback?: readonly number[];
}

/**
 * The last `size` action values per channel, one per tick. A Missing action repeats the previous value (or the
 * fallback), so a gap reads as "held" rather than as a jump.
 */
export class ActionTrack {
  readonly idx: Int32Array;
  readonly A: number;
  /** Ring buffer [size][A]; `count` valid rows, newest at `(head - 1) mod size`. */
  private readonly buf: Float64Array;
  private head = 0;
  count = 0;

  constructor(cfg: BaselineConfig, readonly size: number) {
    this.idx = channelIndex(cfg.frameChannels, cfg.actions);
    this.A = cfg.actions.length;
    this.buf = new Float64Array(size * this.A);
    this.fallback = cfg.fallback ?? new Array<number>(this.A).fill(0);
  }
  private readonly fallback: readonly number[];

  reset(): void {
    this.head = 0;
    this.count = 0;
  }

  push(frame: Frame): void {
    for (let a = 0; a < this.A; a++) {
      const j = this.idx[a];
      const v = frame.values[j];
      const ok = frame.valid[j] !== Validity.Missing && Number.isFinite(v);
      this.buf[this.head * this.A + a] = ok ? v : this.count > 0 ? this.back(0, a) : this.fallback[a];
    }
    this.head = (this.head + 1) % this.size;
    this.count = Math.min(this.count + 1, this.size);
  }

  /** The value `k` ticks back (0 = newest) of action `a`. */
  back(k: number, a: number): number {
    const row = (((this.head - 1 - k) % this.size) + this.size) % this.size;
    return this.buf[row * this.A + a];
  }
}
