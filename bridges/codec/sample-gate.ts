import { isKnownChannel } from "../../perception/channels.js";
import type { Sample } from "../../perception/types.js";
import { BridgeInputError } from "./live.js";

export interface SampleGateOptions {
  /** Channels accepted; default: every canonical channel (qualified names like "yaw_rate@odom" included). */
  readonly channels?: readonly string[];
  /** How far (s) a channel's time may step back before a sample is rejected as "late"; jitter below it passes. */
  readonly backwardsToleranceS?: number;
}

/**
 * The stateful checks a stream of samples needs beyond one message: is the channel one we take, and does its
 * time go forward. Kept per channel, so one channel's bad clock never blocks another.
 */
export class SampleGate {
  private readonly lastT = new Map<string, number>();
  private readonly allowed: ReadonlySet<string> | undefined;
  private readonly tolerance: number;

  constructor(opts: SampleGateOptions = {}) {
    this.allowed = opts.channels ? new Set(opts.channels) : undefined;
    this.tolerance = opts.backwardsToleranceS ?? 0.05;
  }

  /** Throws unless `channel` is accepted; called before decoding so unknown topics cost nothing. */
  checkChannel(channel: string, where: string): void {
    const ok = this.allowed ? this.allowed.has(channel) : isKnownChannel(channel);
    if (!ok)
      throw new BridgeInputError(where, "unknown_channel", `channel "${channel}" is not ${this.allowed ? `one of ${[...this.allowed].join(", ")}` : "a canonical lam channel"}`);
  }

  /** Throws if the sample's time is further back than the tolerance; else records it. */
  admit(sample: Sample, where: string): void {
    const last = this.lastT.get(sample.channel);
    if (last !== undefined && sample.t < last - this.tolerance)
      throw new BridgeInputError(`${where}@t`, "late", `t=${sample.t} is ${(last - sample.t).toFixed(3)} s before the channel's last t=${last} (tolerance ${this.tolerance} s)`);
    if (last === undefined || sample.t > last) this.lastT.set(sample.channel, sample.t);
  }
}
