import type { Frame } from "./types.js";

/** The last N frames as one row-major [N x C] block, oldest first. */
export interface HistoryWindow {
  /** Time of the newest frame. */
  readonly t: number;
  readonly length: number;
  readonly channels: number;
  readonly values: Float32Array;
  readonly valid: Uint8Array;
}

/**
 * A ring of the last N frames that hands out windows without copying: every row is written twice,
 * at slot i and i + N, so the newest N rows are always contiguous. The windows are views, prebuilt
 * once per start slot; a window is valid until the next push (copy it with `copyWindow` to keep it).
 */
export class HistoryRing {
  private readonly values: Float32Array;
  private readonly valid: Uint8Array;
  private readonly valueViews: Float32Array[] = [];
  private readonly validViews: Uint8Array[] = [];
  private next = 0;
  private count = 0;
  private t = NaN;

  constructor(readonly length: number, readonly channels: number) {
    if (!(Number.isInteger(length) && length > 0 && Number.isInteger(channels) && channels >= 0)) {
      throw new Error(`history length=${length} channels=${channels} must be positive integers`);
    }
    this.values = new Float32Array(2 * length * channels);
    this.valid = new Uint8Array(2 * length * channels);
    for (let s = 0; s < length; s++) {
      this.valueViews.push(this.values.subarray(s * channels, (s + length) * channels));
      this.validViews.push(this.valid.subarray(s * channels, (s + length) * channels));
    }
  }

  get full(): boolean {
    return this.count === this.length;
  }

  push(f: Frame): void {
    if (f.values.length !== this.channels) throw new Error(`frame t=${f.t} has ${f.values.length} channels, history expects ${this.channels}`);
    const C = this.channels;
    this.values.set(f.values, this.next * C);
    this.values.set(f.values, (this.next + this.length) * C);
    this.valid.set(f.valid, this.next * C);
    this.valid.set(f.valid, (this.next + this.length) * C);
    this.next = (this.next + 1) % this.length;
    if (this.count < this.length) this.count++;
    this.t = f.t;
  }

  /** The last N frames (only once N have been pushed). */
  window(): HistoryWindow | undefined {
    if (!this.full) return undefined;
    // The oldest row sits at the slot that will be overwritten next.
    return { t: this.t, length: this.length, channels: this.channels, values: this.valueViews[this.next], valid: this.validViews[this.next] };
  }
}

export function copyWindow(w: HistoryWindow): HistoryWindow {
  return { ...w, values: w.values.slice(), valid: w.valid.slice() };
}
