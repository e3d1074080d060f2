import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend } from "../../dynamics/backend.js";
import { prng } from "../../dynamics/prng.js";
import { adamState, adamStep, clipGlobalNorm } from "../../dynamics/train-kernel/index.js";

beforeAll(async () => {
  await chooseBackend({ order: ["cpu"] });
});

describe("the kernel's Adam", () => {
  it("takes the same steps as tfjs's tf.train.adam on the same gradients, including a learning-rate change", () => {
    const rng = prng(4);
    const n = 50;
    const w0 = Float32Array.from({ length: n }, () => rng.next() - 0.5);
    const v = tf.variable(tf.tensor1d(w0));
    const opt = tf.train.adam(3e-3);
    const P = w0.slice();
    const s = adamState(n);
    let lr = 3e-3;
    for (let step = 0; step < 12; step++) {
      const g = Float32Array.from({ length: n }, () => (rng.next() - 0.5) * (step + 1));
      if (step === 6) {
        lr *= 0.95;
        (opt as unknown as { learningRate: number }).learningRate = lr;
      }
      const gt = tf.tensor1d(g);
      opt.applyGradients([{ name: v.name, tensor: gt }]);
      gt.dispose();
      adamStep(P, g, s, lr, [[0, n]]);
    }
    const ref = v.dataSync();
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(ref[i] - P[i]));
    expect(worst).toBeLessThan(1e-6);
    // The steps moved the weights by far more than the tolerance.
    expect(Math.max(...Array.from(P, (x, i) => Math.abs(x - w0[i])))).toBeGreaterThan(1e-2);
    opt.dispose();
    v.dispose();
  });

  it("updates only the given ranges (a frozen encoder stays bit-identical)", () => {
    const P = Float32Array.from({ length: 10 }, (_, i) => i);
    const before = P.slice();
    adamStep(P, new Float32Array(10).fill(1), adamState(10), 0.1, [[6, 10]]);
    expect(Array.from(P.subarray(0, 6))).toEqual(Array.from(before.subarray(0, 6)));
    expect(P.subarray(6).every((x, i) => x < before[6 + i])).toBe(true);
  });
});

describe("gradient clipping", () => {
  it("scales the gradient to the global norm limit and leaves a smaller one alone", () => {
    const g = Float32Array.from([3, 4, 0, 12]);
    expect(clipGlobalNorm(g, [[0, 4]], 6.5)).toBeCloseTo(13, 6);
    expect(Math.hypot(...g)).toBeCloseTo(6.5, 5);
    expect(g[1] / g[0]).toBeCloseTo(4 / 3, 6);
    const h = Float32Array.from([0.3, 0.4]);
    clipGlobalNorm(h, [[0, 2]], 1);
    expect(Array.from(h)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });
});
