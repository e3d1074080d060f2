// The real-time predictor against the windowed tfjs forward pass on the same weights: the staggered streams must
// give exactly what `model.predict` gives on the window of the last windowLength(n, H) frames.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { BatchPredictor, FastPredictor } from "../../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { streamLengths, streamResets, windowLength } from "../../dynamics/predictor-schedule.js";
import { frameChannels, maxAbsDiff, randomFrames, testModel, testSpec } from "./predictor-fixtures.js";

/*
 * Tolerance: 5e-6 max abs error on mean and std in physical units (head scales 1 and 2). The JS kernel accumulates
 * in float64, the SIMD kernel in float32 (4 partial sums per row, f32 cell state, polynomial expf), tfjs in float32;
 * the error measured here is
 * 4.8e-7 on the mean and 2.4e-7 on the std for both kernels (≈ float32 rounding of outputs of magnitude ~2). A wrong gate order, a missed reset or an off-by-one window shows up as
 * errors of 1e-3..1 (see the next test).
 */
const TOL = 5e-6;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("stream schedule", () => {
  it("answers from a window of ⌊H/2⌋+1..H frames once warm, and resets each stream every H ticks", () => {
    for (const H of [2, 3, 12, 25]) {
      for (let n = 0; n < 5 * H; n++) {
        const L = windowLength(n, H);
        if (n < H >> 1) expect(L).toBe(n + 1);
        else {
          expect(L).toBeGreaterThanOrEqual((H >> 1) + 1);
          expect(L).toBeLessThanOrEqual(H);
        }
        const { a, b } = streamLengths(n, H);
        // A stream that restarts before tick n has seen exactly this one frame after it.
        if (streamResets(n, H) & 1) expect(a).toBe(1);
        if (n > 0 && streamResets(n, H) & 2) expect(b).toBe(1);
        expect(Math.max(a, b)).toBeLessThanOrEqual(Math.min(n + 1, H));
      }
    }
  });
});

describe("FastPredictor vs TfjsWindowPredictor", () => {
  it(`agree within ${TOL} over 300 random ticks with Missing/NaN values and a reset (JS and SIMD kernels)`, () => {
    const spec = testSpec();
    const m = testModel(spec);
    const kernels = [new FastPredictor(m, { frameChannels, kernel: "js" }), new FastPredictor(m, { frameChannels, kernel: "simd" })];
    const ref = new TfjsWindowPredictor(m, { frameChannels });
    const frames = randomFrames(300, 11);
    const worstMean = [0, 0];
    const worstStd = [0, 0];
    let lo = Infinity;
    let hi = -Infinity;
    frames.forEach((f, i) => {
      if (i === 170) {
        for (const k of kernels) k.reset();
        ref.reset();
      }
      const b = ref.step(f);
      kernels.forEach((k, j) => {
        const a = k.step(f);
        expect(a.t0).toBe(b.t0);
        expect(a.channels).toEqual(spec.actions);
        worstMean[j] = Math.max(worstMean[j], maxAbsDiff(a.mean, b.mean));
        worstStd[j] = Math.max(worstStd[j], maxAbsDiff(a.std!, b.std!));
        for (const v of a.mean) expect(Number.isFinite(v)).toBe(true);
      });
      // Last minus first predicted step of one action: both share the hold-last term, so this is the net's own output.
      const r = b.mean[b.mean.length - 1] - b.mean[1];
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    });
    if (process.env.LAM_SHOW_ERRORS) console.error({ worstMean, worstStd, lo, hi });
    for (const e of [...worstMean, ...worstStd]) expect(e).toBeLessThan(TOL);
    expect(hi - lo).toBeGreaterThan(0.5); // the network's output moves: the comparison is not between constants
    m.model.dispose();
  });

  it("disagrees when the reference sees a different window (the test can fail)", () => {
    const spec = testSpec({ history: 8 });
    const m = testModel(spec, 9);
    const fast = new FastPredictor(m, { frameChannels });
    const ref = new TfjsWindowPredictor(m, { frameChannels });
    const frames = randomFrames(20, 12, 0);
    // Feed the reference one extra frame first: its windows are shifted by one.
    ref.step(randomFrames(1, 99, 0)[0]);
    let worst = 0;
    for (const f of frames) worst = Math.max(worst, maxAbsDiff(fast.step(f).mean, ref.step(f).mean));
    expect(worst).toBeGreaterThan(1e-3);
    m.model.dispose();
  });

  it("BatchPredictor: each of 5 agents, reset at different times, equals its own single predictor", () => {
    const spec = testSpec({ history: 10 });
    const m = testModel(spec, 13);
    const N = 5;
    const batch = new BatchPredictor(m, N, { frameChannels, reuseOutput: true });
    const singles = Array.from({ length: N }, () => new FastPredictor(m, { frameChannels, weights: batch.weights }));
    const streams = Array.from({ length: N }, (_, i) => randomFrames(60, 20 + i));
    for (let t = 0; t < 60; t++) {
      if (t === 17) {
        batch.resetAgent(2);
        singles[2].reset();
      }
      const out = batch.step(streams.map((s) => s[t]));
      out.forEach((o, i) => {
        const s = singles[i].step(streams[i][t]);
        expect(Array.from(o.mean)).toEqual(Array.from(s.mean));
        expect(Array.from(o.std!)).toEqual(Array.from(s.std!));
      });
    }
    // reuseOutput: the same buffers come back each tick.
    const a = batch.step(streams.map((s) => s[0]));
    const b = batch.step(streams.map((s) => s[1]));
    expect(a[0].mean).toBe(b[0].mean);
    m.model.dispose();
  });

  it("names the problem for a frame of the wrong width, a channel the frames lack, or mismatched statistics", () => {
    const spec = testSpec();
    const m = testModel(spec);
    const fast = new FastPredictor(m, { frameChannels });
    expect(() => fast.step({ t: 5, values: new Float32Array(3), valid: new Uint8Array(3) })).toThrow(/agent 0 frame t=5: 3 values/);
    expect(() => new FastPredictor(m, { frameChannels: ["speed"] })).toThrow(/channel "accel" is not in the frames/);
    expect(() => new FastPredictor({ ...m, featureNorm: { ...m.featureNorm, channels: ["x"] } }, { frameChannels })).toThrow(/normalisation is for \[x\]/);
    m.model.dispose();
  });
});
