import type { Rejection } from "../perception/validate.js";

export interface SourceClockOptions {
  /** How far (s) a sample may be stamped ahead of the node's estimate of source time. Default 1. */
  readonly maxAheadS?: number;
  /** How far (s) behind it before the node drops the sample itself as late. Default 1. */
  readonly maxBehindS?: number;
  /** Consecutive out-of-window samples after which the source clock is taken to have been reset. Default 25. */
  readonly resetAfter?: number;
}

/**
 * Maps the sources' clock onto the scheduler's. The first sample fixes `origin` (source time at scheduler time 0)
 * as if it had arrived with no delay, so any source clock works: ROS time, a vehicle's boot clock, sim time,
 * Unix time. All sources of one node must stamp on that one clock.
 *
 * Why a guard: the reorder stage's watermark follows the newest stamp, so ONE sample stamped far in the future
 * would make every honest sample after it "late". Such samples are refused here instead; and when every sample
 * disagrees with the clock for a while (a simulator restarted, ROS time reset), the source clock is re-anchored.
 */
export class SourceClock {
  private originS: number | undefined;
  private outside = 0;
  resets = 0;
  private readonly maxAhead: number;
  private readonly maxBehind: number;
  private readonly resetAfter: number;

  constructor(opts: SourceClockOptions = {}) {
    this.maxAhead = opts.maxAheadS ?? 1;
    this.maxBehind = opts.maxBehindS ?? 1;
    this.resetAfter = opts.resetAfter ?? 25;
  }

  get origin(): number | undefined {
    return this.originS;
  }

  /** Source time (s) now, or undefined before the first sample. */
  sourceNow(schedulerMs: number): number | undefined {
    return this.originS === undefined ? undefined : this.originS + schedulerMs / 1000;
  }

  /**
   * Checks a sample's stamp against the clock. "anchor" when it (re)defines the origin (the caller rebuilds its
   * pipeline), a Rejection when it is refused, undefined when it is fine.
   */
  check(t: number, schedulerMs: number): "anchor" | Rejection | undefined {
    if (this.originS === undefined || this.outside >= this.resetAfter) {
      if (this.originS !== undefined) this.resets++;
      this.originS = t - schedulerMs / 1000;
      this.outside = 0;
      return "anchor";
    }
    const now = this.originS + schedulerMs / 1000;
    const ahead = t - now;
    if (ahead > this.maxAhead) {
      this.outside++;
      return { reason: "out_of_range", message: `t=${t} is ${ahead.toFixed(3)} s ahead of the node's source clock (limit ${this.maxAhead} s)` };
    }
    if (-ahead > this.maxBehind) {
      this.outside++;
      return { reason: "late", message: `t=${t} is ${(-ahead).toFixed(3)} s behind the node's source clock (limit ${this.maxBehind} s)` };
    }
    this.outside = 0;
    return undefined;
  }
}
