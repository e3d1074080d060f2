import type { RejectCounts, RejectReason, Sample } from "./types.js";

/** Called once per dropped sample, with a message naming what was wrong and where. */
export type OnReject = (sample: unknown, reason: RejectReason, message: string) => void;

/**
 * Counts dropped samples by channel and reason. One tally is shared by every stage of a pipeline so that
 * `accepted + total = inputs` can be checked end to end; nothing is dropped without being counted here.
 */
export class RejectTally {
  readonly counts: Record<string, RejectCounts> = {};
  total = 0;

  constructor(private readonly onReject?: OnReject) {}

  add(sample: Sample | unknown, reason: RejectReason, message: string): void {
    const channel = channelOf(sample);
    const c = (this.counts[channel] ??= {});
    c[reason] = (c[reason] ?? 0) + 1;
    this.total++;
    this.onReject?.(sample, reason, message);
  }

  /** Total for one reason over all channels. */
  count(reason: RejectReason): number {
    let n = 0;
    for (const c of Object.values(this.counts)) n += c[reason] ?? 0;
    return n;
  }
}

/** Garbage input may have no usable channel name; it is still counted, under "?". */
function channelOf(sample: unknown): string {
  const ch = (sample as { channel?: unknown } | null)?.channel;
  return typeof ch === "string" ? ch : "?";
}
