/*
 * The one windowing: a window is the L frames ending at `end` (exclusive), oldest first, as rows of a [T × width] block
 * front-padded to T. writeWindow is the batch form (training, evaluation and imitation windows encode their inputs
 * through it); HistoryRing is the streaming form of the unpadded window (the historyWindows operator) and gives the
 * same rows as historyWindowAt (test/perception/normalise-history.test.ts).
 */
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

/** Writes one frame's row of `width` values at out[at ..]. */
export type RowWriter = (frame: Frame, out: Float32Array, at: number) => void;

/**
 * Writes the rows of frames [end − L, end) into a [T × width] block at `out[offset ..]`, oldest first, after T − L
 * rows of `pad`.
 */
export function writeWindow(frames: readonly Frame[], end: number, L: number, T: number, width: number, row: RowWriter, out: Float32Array, offset = 0, pad = NaN): void {
  if (L > T || L < 1 || end - L < 0 || end > frames.length) throw new Error(`window of ${L} frames ending at ${end} does not fit T=${T} (of ${frames.length} frames)`);
  out.fill(pad, offset, offset + (T - L) * width);
  for (let i = 0; i < L; i++) row(frames[end - L + i], out, offset + (T - L + i) * width);
}

/** The last `length` frames before `end` as a HistoryWindow (what a HistoryRing holds after pushing frames[0 .. end)). */
export function historyWindowAt(frames: readonly Frame[], end: number, length: number): HistoryWindow {
  const C = frames[0]?.values.length ?? 0;
  const values = new Float32Array(length * C);
  const valid = new Float32Array(length * C);
  writeWindow(frames, end, length, length, C, (f, out, at) => out.set(f.values, at), values);
  writeWindow(frames, end, length, length, C, (f, out, at) => out.set(f.valid, at), valid);
  return { t: frames[end - 1].t, length, channels: C, values, valid: Uint8Array.from(valid) };
}

/**
 * Window ends e in [start, stop] with `before` frames of the span before e and `after` after it: start + before,
 * then every `stride`-th while e + after <= stop.
 */
export function windowEnds(start: number, stop: number, before: number, after: number, stride = 1): number[] {
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`window stride=${stride} must be a positive integer`);
  const out: number[] = [];
  for (let e = start + before; e + after <= stop; e += stride) out.push(e);
  return out;
}
