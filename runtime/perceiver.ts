import { OutlierFilter, type OutlierOptions } from "../perception/outlier-filter.js";
import { RejectTally } from "../perception/reject-tally.js";
import { ReorderBuffer } from "../perception/reorder-buffer.js";
import { Synchroniser } from "../perception/synchroniser.js";
import type { Frame, FrameSpec, Sample } from "../perception/types.js";
import { sampleValidator, type SampleValidator } from "../perception/validate.js";

export interface PerceiverOptions {
  /** How far past a tick (s) a sample may be and still be interpolated to it; 0 in closed loop (no future data). */
  readonly lookahead?: number;
  readonly outliers?: OutlierOptions | false;
  readonly channels?: Iterable<string>;
}

/**
 * The perception cores stepped by a caller's clock (the closed-loop simulator): samples in as they are delivered,
 * a frame out when asked. Same cores as `perceive` and `framesFromDrive`; the reorder window is one tick, because
 * everything delivered before a tick is released at it.
 */
export class Perceiver {
  readonly tally = new RejectTally();
  private readonly validate: SampleValidator;
  private readonly reorder = new ReorderBuffer(Infinity);
  private readonly outliers?: OutlierFilter;
  private readonly sync: Synchroniser;
  private readonly released: Sample[] = [];
  private lastK = -Infinity;

  constructor(readonly spec: FrameSpec, options: PerceiverOptions = {}) {
    this.validate = sampleValidator({ channels: options.channels });
    this.outliers = options.outliers === false ? undefined : new OutlierFilter(options.outliers);
    this.sync = new Synchroniser(spec, { lookahead: options.lookahead ?? 0 });
  }

  push(sample: unknown): void {
    const v = this.validate(sample);
    if (v) return this.tally.add(sample, v.reason, v.message);
    const s = sample as Sample;
    const r = this.reorder.push(s, this.released);
    if (r) this.tally.add(s, r.reason, r.message);
  }

  /** The frame of the newest tick at or before time t; ticks never go back. */
  frameAt(t: number): Frame {
    this.reorder.flush(this.released);
    for (const s of this.released) {
      const o = this.outliers?.check(s);
      if (o) {
        this.tally.add(s, o.reason, o.message);
        continue;
      }
      const r = this.sync.push(s);
      if (r) this.tally.add(s, r.reason, r.message);
    }
    this.released.length = 0;
    // The newest tick at or before t: a frame must never be stamped after the control tick that uses it.
    const k = Math.max(Math.floor(t * this.spec.rate + 1e-9), this.lastK);
    this.lastK = k;
    return this.sync.frameAt(k);
  }
}
