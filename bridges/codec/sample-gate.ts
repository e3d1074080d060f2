import { isKnownChannel } from "../../perception/channels.js";
import { MAX_ABS_T } from "../../perception/timing.js";
import type { Sample } from "../../perception/types.js";
import { BridgeInputError } from "./live.js";

export interface SampleGateOptions {
  /** Channels accepted; default: every canonical channel (qualified names like "yaw_rate@odom" included). */
  readonly channels?: readonly string[];
  /** How far (s) a channel's time may step back before a sample is rejected as "late"; jitter below it passes. */
  readonly backwardsToleranceS?: number;
  /** A channel's time jumping ahead by more than this (s) moves its clock only once the next sample confirms it. Default 1. */
  readonly forwardJumpS?: number;
  /** Consecutive "late" samples on a channel after which its clock restarts from them (a restarted sensor). Default 3. */
  readonly resyncAfter?: number;
  /** Distinct channels one gate keeps state for; a new name beyond it is rejected as "channel_cap". Default 64. */
  readonly maxChannels?: number;
  /** Channels that always have room (the model's own): a flood of other names cannot crowd them out. */
  readonly reserved?: readonly string[];
}

/** One channel's clock: the newest believed time, a forward jump awaiting confirmation, and a run of lates. */
interface ChannelClock {
  last: number;
  pending: number | undefined;
  lates: number;
}

export const DEFAULT_MAX_CHANNELS = 64;

/**
 * The stateful checks a stream of samples needs beyond one message: is the channel one we take, and does its
 * time go forward. Kept per channel, so one channel's bad clock never blocks another; bounded, so a flood of new
 * names (`speed@<anything>`) cannot grow memory; and no single sample can poison a channel: a stamp far ahead is
 * passed on (the node's clock judges it) but becomes the channel's time only when the next sample confirms it.
 */
export class SampleGate {
  private readonly clocks = new Map<string, ChannelClock>();
  private readonly seen = new Set<string>();
  private readonly reserved: ReadonlySet<string>;
  private readonly allowed: ReadonlySet<string> | undefined;
  private readonly tolerance: number;
  private readonly jump: number;
  private readonly resyncAfter: number;
  private readonly maxChannels: number;

  constructor(opts: SampleGateOptions = {}) {
    this.allowed = opts.channels ? new Set(opts.channels) : undefined;
    this.tolerance = opts.backwardsToleranceS ?? 0.05;
    this.jump = opts.forwardJumpS ?? 1;
    this.resyncAfter = Math.max(1, opts.resyncAfter ?? 3);
    this.maxChannels = opts.maxChannels ?? DEFAULT_MAX_CHANNELS;
    this.reserved = new Set(opts.reserved ?? []);
  }

  /** Channels the gate keeps state for besides the reserved ones (at most maxChannels). */
  get size(): number {
    return this.seen.size;
  }

  /** Throws unless `channel` is accepted; called before decoding so unknown topics cost nothing. */
  checkChannel(channel: string, where: string): void {
    const ok = this.allowed ? this.allowed.has(channel) : isKnownChannel(channel);
    if (!ok)
      throw new BridgeInputError(where, "unknown_channel", `channel "${channel}" is not ${this.allowed ? `one of ${[...this.allowed].join(", ")}` : "a canonical lam channel"}`);
    if (this.reserved.has(channel) || this.seen.has(channel)) return;
    if (this.seen.size >= this.maxChannels)
      throw new BridgeInputError(where, "channel_cap", `channel "${channel}" would be channel ${this.seen.size + 1}; the limit is ${this.maxChannels} per vehicle`);
    this.seen.add(channel);
  }

  /** Throws if the sample's time is no time at all, or further back than the tolerance; else records it. */
  admit(sample: Sample, where: string): void {
    const t = sample.t;
    if (!(Math.abs(t) <= MAX_ABS_T)) throw new BridgeInputError(`${where}@t`, "clock", `t=${t} is not a plausible time (|t| > ${MAX_ABS_T} s)`);
    const c = this.clocks.get(sample.channel);
    if (!c) {
      if (this.clocks.size >= this.maxChannels + this.reserved.size && !this.reserved.has(sample.channel))
        throw new BridgeInputError(where, "channel_cap", `channel "${sample.channel}" would be channel ${this.clocks.size + 1}; the limit is ${this.maxChannels} (+ ${this.reserved.size} reserved) per vehicle`);
      this.clocks.set(sample.channel, { last: t, pending: undefined, lates: 0 });
      return;
    }
    if (t < c.last - this.tolerance) {
      if (++c.lates < this.resyncAfter)
        throw new BridgeInputError(`${where}@t`, "late", `t=${t} is ${(c.last - t).toFixed(3)} s before the channel's last t=${c.last} (tolerance ${this.tolerance} s)`);
      // Sustained: the sensor restarted, or the time it was measured against came from one sample ahead of it.
      Object.assign(c, { last: t, pending: undefined, lates: 0 });
      return;
    }
    c.lates = 0;
    if (t > c.last + this.jump) {
      if (c.pending !== undefined && t >= c.pending - this.tolerance) Object.assign(c, { last: t, pending: undefined });
      else c.pending = t;
      return;
    }
    // An in-order sample while a jump waits for confirmation: the jump was one stray stamp, not the channel's time.
    c.pending = undefined;
    if (t > c.last) c.last = t;
  }
}
