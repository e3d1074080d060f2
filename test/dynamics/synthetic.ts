// A known second-order system for dynamics tests: a damped oscillator driven by a slow random forcing.
import { Validity, type Frame } from "../../perception/types.js";
import type { FrameSeries } from "../../dynamics/dataset.js";
import { prng } from "../../dynamics/prng.js";

/** Channels: speed (= velocity), steer_cmd (= position), accel. The action steer_cmd follows x'' = -w²x - 2ζw x' + u. */
export function oscillator(name: string, seconds: number, rate = 20, seed = 1, hz = 0.4): FrameSeries {
  const rng = prng(seed);
  const dt = 1 / rate;
  const w = 2 * Math.PI * hz;
  const zeta = 0.15;
  let x = 0;
  let v = 0;
  let u = 0;
  const frames: Frame[] = [];
  const n = Math.round(seconds * rate);
  for (let i = 0; i < n; i++) {
    if (i % rate === 0) u = (rng.next() - 0.5) * 4;
    const a = -w * w * x - 2 * zeta * w * v + u;
    frames.push({ t: 1000 + i * dt, values: Float32Array.from([v, x, a]), valid: Uint8Array.from([1, 1, 1]) });
    // Semi-implicit Euler in 10 sub-steps: smooth enough to be a "known" system.
    for (let s = 0; s < 10; s++) {
      const acc = -w * w * x - 2 * zeta * w * v + u;
      v += acc * (dt / 10);
      x += v * (dt / 10);
    }
  }
  return { name, channels: ["speed", "steer_cmd", "accel"], frames };
}

/** A 20 Hz drive of n frames from t0, speed = steer_cmd = sin(i/10), both Missing where `missing(i)` (a filled time break). */
export function sineDrive(n: number, t0: number, missing: (i: number) => boolean): FrameSeries {
  const frames: Frame[] = Array.from({ length: n }, (_, i) => {
    const gone = missing(i);
    const v = gone ? NaN : Math.sin(i / 10);
    return { t: t0 + i / 20, values: Float32Array.from([v, v]), valid: Uint8Array.from(gone ? [Validity.Missing, Validity.Missing] : [Validity.Fresh, Validity.Fresh]) };
  });
  return { name: "d", channels: ["speed", "steer_cmd"], frames };
}
