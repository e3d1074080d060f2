/** Whether a tick's command goes out: "late" and "paced" ticks still step the Decider, but send nothing. */
export type PaceVerdict = "send" | "late" | "paced";

export interface PacerOptions {
  /** The control period (ms): 1000 / frame rate. */
  readonly periodMs: number;
  /** A tick fired more than this (ms) after it was due is a catch-up tick (a stalled event loop). Default max(2 periods, 50). */
  readonly lateMs?: number;
}

/**
 * Bounds the command rate by the control rate whatever the inputs: a catch-up burst after a stall sends only
 * the tick that is current, and no two commands go out closer than half a period (so a broken tick grid, say a
 * source clock where k/rate stops advancing, cannot spin commands out at event-loop speed).
 */
export class CommandPacer {
  private lastMs: number | undefined;
  readonly lateMs: number;

  constructor(private readonly opts: PacerOptions) {
    if (!(opts.periodMs > 0)) throw new Error(`periodMs=${opts.periodMs} must be > 0`);
    this.lateMs = opts.lateMs ?? Math.max(2 * opts.periodMs, 50);
  }

  /** `nowMs` the tick fired, `dueMs` when it was due, both on the scheduler's clock. */
  decide(nowMs: number, dueMs: number): PaceVerdict {
    if (nowMs - dueMs > this.lateMs) return "late";
    if (this.lastMs !== undefined && nowMs - this.lastMs < this.opts.periodMs / 2 && nowMs >= this.lastMs) return "paced";
    this.lastMs = nowMs;
    return "send";
  }
}
