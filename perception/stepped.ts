import { OutlierFilter, type OutlierOptions } from "./outlier-filter.js";
import { RejectTally } from "./reject-tally.js";
import { ReorderBuffer } from "./reorder-buffer.js";
import { Synchroniser } from "./synchroniser.js";
import type { Frame, FrameSpec, Sample } from "./types.js";
import { sampleValidator, type SampleValidator } from "./validate.js";

export interface PerceptionCoreOptions {
  /** Reorder window W (s); Infinity holds everything until flush (a stepped caller releases at each tick). */
  readonly window: number;
  /** How far past a tick (s) a sample may be and still be interpolated to it. */
  readonly lookahead: number;
  readonly outliers?: OutlierOptions | false;
  /** Only these channels pass validation (others count as unknown_channel). Default: any known channel. */
  readonly channels?: Iterable<string>;
  readonly tally?: RejectTally;
}

/**
 * Perception's one wiring: validate → reorder → reject outliers → synchronise, as stages a driver steps. The
 * drivers (the RxJS operator `perceive`, the batch `framesFromDrive`, the stepped `SteppedPerception`) only decide
 * when samples are released and when a tick's frame is built; what a frame is made of is decided here, once.
 */
export class PerceptionCore {
  readonly tally: RejectTally;
  private readonly validate: SampleValidator;
  private readonly reorder: ReorderBuffer;
  private readonly outliers?: OutlierFilter;
  private readonly sync: Synchroniser;

  constructor(readonly spec: FrameSpec, options: PerceptionCoreOptions) {
    this.tally = options.tally ?? new RejectTally();
    this.validate = sampleValidator({ channels: options.channels });
    this.reorder = new ReorderBuffer(options.window);
    this.outliers = options.outliers === false ? undefined : new OutlierFilter(options.outliers);
    this.sync = new Synchroniser(spec, { lookahead: options.lookahead });
  }

  /** Validates and queues a raw sample; samples the reorder stage releases are appended to `out`, in time order. */
  accept(raw: unknown, out: Sample[]): void {
    const v = this.validate(raw);
    if (v) return this.tally.add(raw, v.reason, v.message);
    const s = raw as Sample;
    const r = this.reorder.push(s, out);
    if (r) this.tally.add(s, r.reason, r.message);
  }

  /** Releases what the clock's watermark (source time) passes. */
  advance(watermark: number, out: Sample[]): void {
    this.reorder.advance(watermark, out);
  }

  /** Releases everything pending. */
  flush(out: Sample[]): void {
    this.reorder.flush(out);
  }

  /** Earliest pending sample time, for a clock-driven release. */
  get earliest(): number | undefined {
    return this.reorder.earliest;
  }

  /** The outlier check of a released sample: false when it is dropped (counted). */
  admit(s: Sample): boolean {
    const o = this.outliers?.check(s);
    if (!o) return true;
    this.tally.add(s, o.reason, o.message);
    return false;
  }

  /** Hands an admitted sample to the synchroniser. */
  land(s: Sample): void {
    const r = this.sync.push(s);
    if (r) this.tally.add(s, r.reason, r.message);
  }

  /** admit + land. */
  take(s: Sample): void {
    if (this.admit(s)) this.land(s);
  }

  /** The frame of tick k (time k / rate) from what has landed. */
  frame(k: number): Frame {
    return this.sync.frameAt(k);
  }

  /** Newest sample time the synchroniser holds (-Infinity before any). */
  get lastT(): number {
    return this.sync.lastT;
  }
}

export interface SteppedPerceptionOptions {
  /** How far past a tick (s) a sample may be and still be interpolated to it; 0 in closed loop (no future data). */
  readonly lookahead?: number;
  readonly outliers?: OutlierOptions | false;
  readonly channels?: Iterable<string>;
}

/**
 * Perception stepped by a caller's clock (the closed-loop simulator, a test): samples in as they are delivered, a
 * frame out when asked. The reorder window is one tick, because everything delivered before a tick is released at it.
 */
export class SteppedPerception {
  private readonly core: PerceptionCore;
  private readonly released: Sample[] = [];
  private lastK = -Infinity;

  constructor(readonly spec: FrameSpec, options: SteppedPerceptionOptions = {}) {
    this.core = new PerceptionCore(spec, { window: Infinity, lookahead: options.lookahead ?? 0, outliers: options.outliers, channels: options.channels });
  }

  get tally(): RejectTally {
    return this.core.tally;
  }

  push(sample: unknown): void {
    this.core.accept(sample, this.released);
  }

  /** The frame of the newest tick at or before time t; ticks never go back. */
  frameAt(t: number): Frame {
    this.core.flush(this.released);
    for (const s of this.released) this.core.take(s);
    this.released.length = 0;
    // The newest tick at or before t: a frame must never be stamped after the control tick that uses it.
    const k = Math.max(Math.floor(t * this.spec.rate + 1e-9), this.lastK);
    this.lastK = k;
    return this.core.frame(k);
  }

  /** One step: the samples delivered since the last, then the frame at t. */
  step(samples: Iterable<unknown>, t: number): Frame {
    for (const s of samples) this.push(s);
    return this.frameAt(t);
  }
}
