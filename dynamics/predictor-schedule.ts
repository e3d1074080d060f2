/*
 * The staggered-streams schedule (docs: "Dynamics: the shared design"). Two LSTM streams per agent: A restarts from
 * zero state every H ticks, B every H ticks offset by ⌊H/2⌋. The prediction comes from the stream with more
 * history, so it equals the windowed forward pass over the last L frames with L = windowLength(n, H) in
 * [⌊H/2⌋+1, H] once warmed up — two LSTM steps per tick, whatever H is.
 */

/** Frames seen by stream A and stream B after tick n (0-based, counted from the predictor's last reset). */
export function streamLengths(n: number, H: number): { a: number; b: number } {
  const half = H >> 1;
  return { a: (n % H) + 1, b: n < half ? n + 1 : ((n - half) % H) + 1 };
}

/** Which stream answers at tick n: 0 (A) or 1 (B). */
export function answeringStream(n: number, H: number): 0 | 1 {
  const { a, b } = streamLengths(n, H);
  return a >= b ? 0 : 1;
}

/** Frames in the window the prediction at tick n covers (the reference predictor feeds exactly these). */
export function windowLength(n: number, H: number): number {
  const { a, b } = streamLengths(n, H);
  return a >= b ? a : b;
}

/** Which streams restart (from zero state) before tick n is fed: bit 0 = A, bit 1 = B. */
export function streamResets(n: number, H: number): number {
  const r = n % H;
  return (r === 0 ? 1 : 0) | (r === H >> 1 ? 2 : 0);
}
