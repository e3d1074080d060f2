/**
 * The perception time model, shared by the RxJS and batch paths.
 *
 * Source time is the samples' own clock, in seconds. Scheduler time is milliseconds on an RxJS
 * SchedulerLike (wall clock live, virtual in replay); `origin` is the source time at scheduler time 0,
 * so scheduler time s ms is source time origin + s / 1000.
 *
 * Frame T (tick k, T = k / rate) is built from the samples with t <= T + lookahead, and nothing else.
 * A sample is released by the reorder stage W (window) seconds after its own time, so by scheduler
 * time T + W + lookahead every such sample has reached the synchroniser; frame T is emitted at
 * T + latency with latency = W + lookahead + SLACK (the slack absorbs float rounding of ms times).
 * Because a frame never depends on when a sample arrived, only on which samples exist, live,
 * replay (VirtualTimeScheduler) and batch frames are identical, and a dead sensor still gets frames
 * (ticks come from the scheduler) that mark it Held and then Missing.
 */
export const SLACK_S = 0.001;

/**
 * |t| above this (s) is no time at all, on any clock lam reads: 1e10 s is the year 2286 in Unix time, while a
 * nanosecond stamp read as seconds (1.7e18) or a corrupt 1e300 lands far above. Such samples are "clock" rejections.
 */
export const MAX_ABS_T = 1e10;

/**
 * A gap (s) with no sample on any frame channel longer than this is a break in the drive's time, not a pause:
 * the batch path does not build frames tick by tick across it (memory would grow with the span: one row at
 * t = 1.7e9 after t = 0 is 3.4e10 frames), inspect reports it, and a replay over it fails its verdict.
 */
export const TIME_BREAK_S = 10;

export interface TimingOptions {
  /** Reorder window W (s): how late a sample may arrive and still be used. Default 0.05. */
  readonly window?: number;
  /** How far past a tick (s) the next sample may be to interpolate. Default 0.1 (10 Hz sources). */
  readonly lookahead?: number;
  /** Emission delay (s) of frame T after T. Default window + lookahead + SLACK_S; if given, sets lookahead. */
  readonly latency?: number;
}

export interface Timing {
  readonly window: number;
  readonly lookahead: number;
  readonly latency: number;
}

export function resolveTiming(o: TimingOptions = {}): Timing {
  const window = o.window ?? 0.05;
  if (!(window >= 0)) throw new Error(`window=${o.window} must be >= 0 seconds`);
  if (o.latency !== undefined) {
    const lookahead = o.latency - window - SLACK_S;
    if (!(lookahead >= 0)) throw new Error(`latency=${o.latency} must be >= window (${window}) + ${SLACK_S} s`);
    if (o.lookahead !== undefined && o.lookahead > lookahead) throw new Error(`lookahead=${o.lookahead} needs latency >= ${window + o.lookahead + SLACK_S}, got ${o.latency}`);
    return { window, lookahead: o.lookahead ?? lookahead, latency: o.latency };
  }
  const lookahead = o.lookahead ?? 0.1;
  if (!(lookahead >= 0)) throw new Error(`lookahead=${o.lookahead} must be >= 0 seconds`);
  return { window, lookahead, latency: window + lookahead + SLACK_S };
}

// Scheduler times are whole milliseconds (timers have no finer resolution, and marble tests read
// exactly). Ticks round up and releases round down, so with the 1 ms slack a sample released for a
// frame is always strictly before the frame's tick, never tied with it.
const EPS_MS = 1e-6;

/** Scheduler time (ms) at which frame T is emitted. */
export function tickDueMs(T: number, origin: number, latency: number): number {
  return Math.ceil((T - origin + latency) * 1000 - EPS_MS);
}

/** Scheduler time (ms) at which a sample stamped t leaves the reorder buffer by the clock. */
export function releaseDueMs(t: number, origin: number, window: number): number {
  return Math.floor((t - origin + window) * 1000 + EPS_MS);
}
