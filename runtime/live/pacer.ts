/** Whether a tick's command goes out: "late" and "paced" ticks still step the Decider, but send nothing. */
export type PaceVerdict = "send" | "late" | "paced";

export interface PacerOptions {
  /** The control period (ms): 1000 / frame rate. */
  readonly periodMs: number;
  /** A tick fired more than this (ms) after it was due is a catch-up tick (a stalled event loop). Default max(2 periods, 100). */
  readonly lateMs?: number;
}

/**
 * Bounds the command rate by the control rate whatever the inputs: a catch-up burst after a stall sends only
 * the ticks that are current, and no two commands go out for ticks due closer than half a period apart (so a
 * broken tick grid, say a source clock where k/rate stops advancing, cannot spin commands out at event-loop speed).
 * Paced on when ticks were due, not when they fired: the on-time tick after a delayed one still goes out.
 */
export class CommandPacer {
  private lastDueMs: number | undefined;
  readonly lateMs: number;

  constructor(private readonly opts: PacerOptions) {
    if (!(opts.periodMs > 0)) throw new Error(`periodMs=${opts.periodMs} must be > 0`);
    this.lateMs = opts.lateMs ?? Math.max(2 * opts.periodMs, 100);
  }

  /** `nowMs` the tick fired, `dueMs` when it was due, both on the scheduler's clock. */
  decide(nowMs: number, dueMs: number): PaceVerdict {
    if (nowMs - dueMs > this.lateMs) return "late";
    if (this.lastDueMs !== undefined && Math.abs(dueMs - this.lastDueMs) < this.opts.periodMs / 2) return "paced";
    this.lastDueMs = dueMs;
    return "send";
  }
}
