/**
 * Median and MAD of the last N values. The values are kept twice: in arrival order (to know which
 * one leaves) and sorted, so the median is a lookup and the MAD a merge: O(N) per value, no sorting.
 */
export class RollingRobust {
  readonly ring: Float64Array;
  readonly sorted: Float64Array;
  count = 0;
  next = 0;
  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size > 0)) throw new Error(`rolling window size=${size} must be a positive integer`);
    this.ring = new Float64Array(size);
    this.sorted = new Float64Array(size);
  }
  /** Adds x; once full, the oldest value leaves. */
  accept(x: number): void {
    const a = this.sorted;
    let n = this.count;
    if (n === this.ring.length) {
      let i = lowerBound(a, n, this.ring[this.next]);
      for (n--; i < n; i++) a[i] = a[i + 1];
    }
    let i = n;
    for (; i > 0 && a[i - 1] > x; i--) a[i] = a[i - 1];
    a[i] = x;
    this.count = n + 1;
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.ring.length;
  }
  reset(): void {
    this.count = 0;
    this.next = 0;
  }
  median(): number {
    const n = this.count;
    const a = this.sorted;
    return n % 2 ? a[n >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
  }
  /** Median of |x - m|: the deviations on each side of m are already in order, so merge the two runs. */
  mad(m: number): number {
    const a = this.sorted;
    const n = this.count;
    let j = lowerBound(a, n, m);
    let i = j - 1;
    const lo = (n - 1) >> 1;
    const hi = n >> 1;
    let dLo = 0;
    for (let k = 0; k <= hi; k++) {
      let d: number;
      if (j >= n || (i >= 0 && m - a[i] <= a[j] - m)) d = m - a[i--];
      else d = a[j++] - m;
      if (k === lo) dLo = d;
      if (k === hi) return 0.5 * (dLo + d);
    }
    return dLo;
  }
}

function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
