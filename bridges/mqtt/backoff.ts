/** Reconnect delays: exponential from `initialMs`, capped at `maxMs`, with "full jitter" below the cap. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0..1: the share of each delay drawn at random, so a fleet does not reconnect in lock step. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** The delay before reconnect attempt `attempt` (0-based). `random` is injected so tests are exact. */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * Math.pow(opts.factor, Math.max(0, attempt)));
  return Math.round(base * (1 - opts.jitter * random()));
}
