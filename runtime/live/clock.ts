import { MAX_ABS_T } from "../../perception/timing.js";
import type { Rejection } from "../../perception/validate.js";

export interface SourceClockOptions {
  /** How far (s) a sample may be stamped ahead of the node's estimate of source time. Default 1. */
  readonly maxAheadS?: number;
  /** How far (s) behind it before the node drops the sample itself. Default 1. */
  readonly maxBehindS?: number;
  /** Samples of one consistent other clock needed before re-anchoring on it. Default 25. */
  readonly resetAfter?: number;
  /** Distinct channels those samples must come from (re-anchoring and the first anchor). Default 2. */
  readonly resetChannels?: number;
  /** Node time (s) the evidence must span, with no sample agreeing with the current clock meanwhile. Default 0.5. */
  readonly resetSpanS?: number;
  /** Samples whose origins lie within this (s) are taken to be on one clock. Default 0.25. */
  readonly agreeS?: number;
  /** |t| above this (s) is no clock at all (1e10 s is year 2286 in Unix time; ns stamps and 1e300 land here). */
  readonly maxAbsT?: number;
}

/**
 * What a sample did to the clock: "anchor" when the origin is (re)defined, "pending" while the first anchor waits
 * for agreement (the caller may hold the sample and check it again once anchored), a Rejection, or undefined
 * when it fits.
 */
export type ClockVerdict = "anchor" | "pending" | Rejection | undefined;

/** Samples that agree on one origin: evidence for a clock. */
interface Cluster {
  /** t - arrival of its first sample: the origin it proposes (as before the guard, the first sample's delay is slack). */
  readonly origin: number;
  count: number;
  readonly channels: Set<string>;
  readonly firstMs: number;
  lastMs: number;
}

// Evidence kept at most: a flood of stamps on many different clocks costs bounded memory.
const MAX_CLUSTERS = 8;
const MAX_CHANNELS_PER_CLUSTER = 64;

/**
 * Maps the sources' clock onto the scheduler's: a sample stamped t is taken to exist at scheduler time
 * (t - origin) s. Any source clock works (ROS time, a vehicle's boot clock, sim time, Unix time); all sources of
 * one node must stamp on that one clock.
 *
 * No single message can move it. The origin is fixed only by samples of `resetChannels` distinct channels that
 * agree; once fixed, a sample outside [-maxBehind, +maxAhead] of the clock is refused as "clock" (the reorder
 * stage's watermark would otherwise follow one far-future stamp and make every honest sample late). It is
 * re-anchored only on sustained evidence: `resetAfter` samples from `resetChannels` channels agreeing on one other
 * origin for `resetSpanS` of node time, with no sample agreeing with the current clock meanwhile (a restarted
 * simulator or ROS time reset). A backlog a broker delivers at once after a stall spans no time and agrees on no
 * origin, so it is refused, not anchored on.
 */
export class SourceClock {
  private originS: number | undefined;
  private clusters: Cluster[] = [];
  resets = 0;
  private readonly maxAhead: number;
  private readonly maxBehind: number;
  private readonly resetAfter: number;
  private readonly resetChannels: number;
  private readonly resetSpanMs: number;
  private readonly agree: number;
  private readonly maxAbsT: number;

  constructor(opts: SourceClockOptions = {}) {
    this.maxAhead = opts.maxAheadS ?? 1;
    this.maxBehind = opts.maxBehindS ?? 1;
    this.resetAfter = opts.resetAfter ?? 25;
    this.resetChannels = Math.max(1, opts.resetChannels ?? 2);
    this.resetSpanMs = (opts.resetSpanS ?? 0.5) * 1000;
    this.agree = opts.agreeS ?? 0.25;
    this.maxAbsT = opts.maxAbsT ?? MAX_ABS_T;
  }

  get origin(): number | undefined {
    return this.originS;
  }

  /** Source time (s) now, or undefined before the clock is anchored. */
  sourceNow(schedulerMs: number): number | undefined {
    return this.originS === undefined ? undefined : this.originS + schedulerMs / 1000;
  }

  /**
   * Checks a sample's stamp, which arrived at `schedulerMs`, against the clock. See ClockVerdict.
   */
  check(t: number, schedulerMs: number, channel = "?"): ClockVerdict {
    if (!(Math.abs(t) <= this.maxAbsT))
      return { reason: "clock", message: `channel=${channel} t=${t}: not a plausible time (|t| > ${this.maxAbsT} s)` };
    const o = t - schedulerMs / 1000;
    if (this.originS === undefined) {
      const c = this.evidence(o, schedulerMs, channel);
      return c.channels.size < this.resetChannels ? "pending" : this.anchor(c);
    }
    const ahead = o - this.originS;
    if (ahead <= this.maxAhead && -ahead <= this.maxBehind) {
      // The current clock is confirmed: what disagreed with it was noise, not a new clock.
      this.clusters.length = 0;
      return undefined;
    }
    const c = this.evidence(o, schedulerMs, channel);
    if (c.count >= this.resetAfter && c.channels.size >= this.resetChannels && c.lastMs - c.firstMs >= this.resetSpanMs) {
      this.resets++;
      return this.anchor(c);
    }
    const side = ahead > 0 ? `${ahead.toFixed(3)} s ahead of` : `${(-ahead).toFixed(3)} s behind`;
    return { reason: "clock", message: `channel=${channel} t=${t} is ${side} the node's source clock (limits +${this.maxAhead} / -${this.maxBehind} s)` };
  }

  private anchor(c: Cluster): "anchor" {
    this.originS = c.origin;
    this.clusters.length = 0;
    return "anchor";
  }

  /** Adds one sample's origin to the cluster it agrees with (or a new one, evicting the stalest). */
  private evidence(o: number, ms: number, channel: string): Cluster {
    let c = this.clusters.find((k) => Math.abs(k.origin - o) <= this.agree);
    if (!c) {
      if (this.clusters.length >= MAX_CLUSTERS) {
        this.clusters.sort((a, b) => b.lastMs - a.lastMs);
        this.clusters.length = MAX_CLUSTERS - 1;
      }
      c = { origin: o, count: 0, channels: new Set(), firstMs: ms, lastMs: ms };
      this.clusters.push(c);
    }
    c.count++;
    c.lastMs = ms;
    if (c.channels.size < MAX_CHANNELS_PER_CLUSTER) c.channels.add(channel);
    return c;
  }
}
