// Is a soak flat? One interval's tick p99 on a shared machine swings ±50% with the neighbours' load, and the first
// interval still carries start-up allocations that the collector returns later, so "every row within 10% of row 1"
// says more about row 1 than about drift. A leak or a slowing tick shows as a trend: the median of the last few
// intervals against the median of the first few, and the least-squares line over all of them, extrapolated across
// the run. Both must stay within the tolerance.

export interface Trend {
  /** Median of the first `window` values. */
  readonly start: number;
  /** Median of the last `window` values. */
  readonly end: number;
  /** end ÷ start. */
  readonly ratio: number;
  /** Least-squares slope × (n − 1) ÷ the fitted first value: the line's change over the run, relative. */
  readonly line_change: number;
  /** |ratio − 1| and |line_change| both ≤ tolerance. */
  readonly flat: boolean;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Null when fewer than 2 finite values (nothing to call flat). `window` defaults to a sixth of the run, at least 1. */
export function trend(values: readonly (number | null)[], tolerance = 0.1, window?: number): Trend | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n < 2) return null;
  const w = Math.max(1, Math.min(Math.floor(n / 2), window ?? Math.floor(n / 6)));
  const start = median(xs.slice(0, w));
  const end = median(xs.slice(n - w));
  const mx = (n - 1) / 2;
  let my = 0;
  for (const y of xs) my += y / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (xs[i] - my);
    sxx += (i - mx) * (i - mx);
  }
  const slope = sxy / sxx;
  const first = my - slope * mx;
  const ratio = end / start;
  const lineChange = first > 0 ? (slope * (n - 1)) / first : Number.POSITIVE_INFINITY;
  return { start, end, ratio, line_change: lineChange, flat: Math.abs(ratio - 1) <= tolerance && Math.abs(lineChange) <= tolerance };
}
