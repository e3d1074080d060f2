import type { Rejection } from "./validate.js";
import { SampleHeap } from "./sample-heap.js";
import type { Sample } from "./types.js";

/** Per channel: the newest t received, and the last t released. */
interface ChannelTimes {
  newest: number;
  released: number;
}

/**
 * Puts samples that arrive out of order back into time order, within a window of W seconds.
 *
 * The watermark is the newest t seen minus W (or later, if the caller advances it from a clock).
 * Samples at or before the watermark are released in (t, channel) order; a sample that arrives with
 * t below the last released watermark is `late`; a second sample with the same channel and t is
 * `duplicate` (the first one to arrive wins). Every other sample is released exactly once.
 */
export class ReorderBuffer {
  private readonly pending = new SampleHeap();
  private readonly channels = new Map<string, ChannelTimes>();
  private newest = -Infinity;
  private released = -Infinity;

  constructor(readonly window: number) {
    if (!(window >= 0)) throw new Error(`reorder window=${window} must be >= 0 seconds`);
  }

  /** Source time below which arriving samples are late. */
  get watermark(): number {
    return this.released;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Earliest pending sample time, for scheduling a clock-driven release. */
  get earliest(): number | undefined {
    return this.pending.peek()?.t;
  }

  /** Adds a sample; released samples are appended to `out`. Returns why it was dropped, if it was. */
  push(s: Sample, out: Sample[]): Rejection | undefined {
    // A NaN stamp would corrupt the heap order; validation normally drops it first.
    if (!Number.isFinite(s.t)) return { reason: "wrong_type", message: `channel=${s.channel}: t=${s.t} is not a finite number` };
    if (s.t < this.released) {
      return { reason: "late", message: `channel=${s.channel} t=${s.t}: older than watermark ${this.released} (window ${this.window} s)` };
    }
    let ch = this.channels.get(s.channel);
    if (!ch) this.channels.set(s.channel, (ch = { newest: -Infinity, released: -Infinity }));
    // In-order arrival (the common case) cannot be a duplicate; only older stamps need a search.
    if (s.t <= ch.newest && (s.t === ch.released || this.pending.has(s.channel, s.t))) {
      return { reason: "duplicate", message: `channel=${s.channel} t=${s.t}: a sample with this time was already received` };
    }
    if (s.t > ch.newest) ch.newest = s.t;
    this.pending.push(s);
    if (s.t > this.newest) this.newest = s.t;
    this.advance(this.newest - this.window, out);
    return undefined;
  }

  /** Moves the watermark forward (never back) and releases what it passes. */
  advance(watermark: number, out: Sample[]): void {
    if (watermark > this.released) this.released = watermark;
    for (let s = this.pending.peek(); s !== undefined && s.t <= this.released; s = this.pending.peek()) {
      this.pending.pop();
      this.channels.get(s.channel)!.released = s.t;
      out.push(s);
    }
  }

  /** Releases everything (end of stream); later arrivals are late. */
  flush(out: Sample[]): void {
    this.advance(Math.max(this.newest, this.released), out);
  }
}
