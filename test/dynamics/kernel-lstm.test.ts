// The fused-gate kernel against tfjs's own LSTM layers (built here, independent of model.ts), on random weights.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { createLstmKernel, simdAvailable, type KernelKind } from "../../dynamics/kernel-choice.js";
import { kernelWeightsFromModel, macsPerStep } from "../../dynamics/kernel-weights.js";
import { prng } from "../../dynamics/prng.js";
import { maxAbsDiff, randomiseWeights } from "./predictor-fixtures.js";

function kerasStack(F: number, units: number[], out: number, recurrentActivation: "sigmoid" | "hardSigmoid" = "sigmoid"): tf.LayersModel {
  const input = tf.input({ shape: [null, F] });
  let x = input;
  units.forEach((u, i) => {
    // glorot, not the default orthogonal initializer: the weights are overwritten anyway and orthogonal takes seconds.
    x = tf.layers.lstm({ units: u, recurrentActivation, recurrentInitializer: "glorotUniform", returnSequences: i < units.length - 1, unitForgetBias: true, name: `l${i}` }).apply(x) as tf.SymbolicTensor;
  });
  const y = tf.layers.dense({ units: out, name: "head" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("WebAssembly SIMD", () => {
  it("is available on Node 20 (else the predictors fall back to the JS kernel)", () => {
    expect(simdAvailable()).toBe(true);
  });
});

describe.each<KernelKind>(["js", "simd"])("LSTM kernel (%s)", (kind) => {
  // [20, 12, 16]: unequal widths; [10, 6]: widths that are not multiples of 4 (the SIMD kernel's JS cell path).
  it.each([[[20, 12, 16]], [[10, 6]]])("matches tfjs LSTM layers %j over a 60-step sequence (max abs error < 1e-5)", (units) => {
    const F = 7;
    const model = kerasStack(F, units, 10);
    randomiseWeights(model, prng(3), 0.6);
    const T = 60;
    const rng = prng(4);
    const xs = Float32Array.from({ length: T * F }, () => (rng.next() * 2 - 1) * 2);
    const w = kernelWeightsFromModel(model);
    const stack = createLstmKernel(w, 1, kind);
    const out = new Float32Array(10);
    let worst = 0;
    // Check the head after several prefix lengths: tfjs runs each prefix from zero state.
    for (let t = 1; t <= T; t++) {
      stack.step(xs.subarray((t - 1) * F, t * F));
      if (t % 7 !== 0 && t !== T) continue;
      stack.head(0, out);
      const ref = tf.tidy(() => (model.predict(tf.tensor3d(xs.subarray(0, t * F), [1, t, F])) as tf.Tensor).dataSync());
      worst = Math.max(worst, maxAbsDiff(out, ref));
    }
    expect(worst).toBeLessThan(1e-5);
    // The weights are not trivial: the output moves with the input.
    expect(Math.max(...Array.from(out).map(Math.abs))).toBeGreaterThan(0.1);
    model.dispose();
  });

  it("gives each slot the same bits whether it runs alone or in a batch of 11", () => {
    const F = 5;
    const model = kerasStack(F, [16, 16], 4);
    randomiseWeights(model, prng(5), 0.5);
    const w = kernelWeightsFromModel(model);
    const S = 11;
    const batch = createLstmKernel(w, S, kind);
    const singles = Array.from({ length: S }, () => createLstmKernel(w, 1, kind));
    const rng = prng(6);
    const bo = new Float32Array(4);
    const so = new Float32Array(4);
    for (let t = 0; t < 30; t++) {
      const x = Float32Array.from({ length: S * F }, () => rng.next() * 2 - 1);
      if (t === 13) {
        batch.resetSlot(4);
        singles[4].resetAll();
      }
      batch.step(x);
      singles.forEach((s, i) => s.step(x.subarray(i * F, (i + 1) * F)));
    }
    for (let i = 0; i < S; i++) {
      batch.head(i, bo);
      singles[i].head(0, so);
      expect(Array.from(bo)).toEqual(Array.from(so));
    }
    // (Slot 4 restarted at t=13 on both sides: a resetSlot that did nothing would break the equality above.)
    model.dispose();
  });

  it("shares one input row between slots with slotsPerInput", () => {
    const F = 3;
    const model = kerasStack(F, [8], 2);
    randomiseWeights(model, prng(8), 0.5);
    const w = kernelWeightsFromModel(model);
    const st = createLstmKernel(w, 4, kind);
    st.step(Float32Array.from([1, 2, 3, -1, -2, -3]), 2);
    expect(Array.from(st.hidden(0, 0))).toEqual(Array.from(st.hidden(0, 1)));
    expect(Array.from(st.hidden(0, 2))).toEqual(Array.from(st.hidden(0, 3)));
    expect(Array.from(st.hidden(0, 0))).not.toEqual(Array.from(st.hidden(0, 2)));
    model.dispose();
  });

  it("refuses what it does not compute, naming the layer and setting", () => {
    const model = kerasStack(3, [8], 2, "hardSigmoid");
    expect(() => kernelWeightsFromModel(model)).toThrow(/LSTM layer "l0": recurrentActivation="hardSigmoid"/);
    model.dispose();
    expect(() => createLstmKernel(kernelWeightsFromModel(kerasStack(3, [4], 2)), 0, kind)).toThrow(/slots=0/);
  });

  it("counts multiply-adds per step", () => {
    const model = kerasStack(8, [64, 64], 80);
    const w = kernelWeightsFromModel(model);
    // 4U(F+U) + 4U(U+U), head U·outputs
    expect(macsPerStep(w)).toEqual({ lstm: 4 * 64 * 72 + 4 * 64 * 128, head: 64 * 80 });
    model.dispose();
  });
});
