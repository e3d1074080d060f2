import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend } from "../../dynamics/backend.js";
import { cutWindows, fitHeadScale, fitNormalisation, splitBlocks } from "../../dynamics/dataset.js";
import { buildModel, layerNames, STD_EPS, type HeadSpec } from "../../dynamics/model.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { evaluateAde, evaluateLoss, fit } from "../../dynamics/train.js";
import { oscillator } from "./synthetic.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd", "accel"], actions: ["steer_cmd"], rate: 20, history: 12, horizon: 8, layers: 1, units: 8 };
const small = oscillator("s", 60, 20, 2);
const blocks = splitBlocks([small], spec, { blockSeconds: 10 });
const norm = fitNormalisation([small], blocks.filter((b) => b.role === "train"), spec.features);
const wt = cutWindows([small], blocks.filter((b) => b.role === "train"), spec, norm, { fallback: [0] });
const wv = cutWindows([small], blocks.filter((b) => b.role === "val"), spec, norm, { fallback: [0] });
const head: HeadSpec = { kind: "residual-hold", scale: fitHeadScale(wt), fallback: [0], eps: STD_EPS };

beforeAll(async () => {
  await chooseBackend({ order: ["wasm", "cpu"] });
});

describe("validation ADE for early stopping", () => {
  it("a zero head scores the hold-last error |future − last| / scale", () => {
    const m = buildModel(spec, { seed: 2 });
    const h = m.getLayer(layerNames.head);
    h.setWeights(h.getWeights().map((w) => tf.zerosLike(w)));
    let want = 0;
    for (let i = 0; i < wv.n; i++) for (let k = 0; k < wv.horizon; k++) want += Math.abs(wv.y[i * wv.horizon + k] - wv.last[i]) / head.scale[0];
    want /= wv.n * wv.horizon;
    expect(want).toBeGreaterThan(0);
    expect(evaluateAde(m, head, wv)).toBeCloseTo(want, 4);
    m.dispose();
  });

  it("stopOn ade keeps the weights of the best epoch, not the last", async () => {
    const m = buildModel(spec, { seed: 2 });
    // A rate this high overshoots after epoch 2 (seeded: the same on every run).
    const r = await fit(m, head, wt, wv, { epochs: 4, seed: 2, learningRate: 0.3, lrDecay: 1, stopOn: "ade" });
    expect(r.valLoss).toHaveLength(4);
    expect(r.bestEpoch).toBe(2);
    expect(r.bestValLoss).toBe(r.valLoss[1]);
    expect(r.valLoss[3]).toBeGreaterThan(r.bestValLoss * 1.1);
    expect(evaluateAde(m, head, wv)).toBeCloseTo(r.bestValLoss, 6);
    m.dispose();
  });

  it("what stopOn records per epoch is the ADE of that epoch's weights with \"ade\", the NLL with \"loss\"", async () => {
    for (const stopOn of ["ade", "loss"] as const) {
      const m = buildModel(spec, { seed: 2 });
      const r = await fit(m, head, wt, wv, { epochs: 1, seed: 2, learningRate: 0.3, lrDecay: 1, stopOn });
      // One epoch that improves on the initial weights: the model holds that epoch's weights.
      expect(r.bestEpoch).toBe(1);
      const ade = evaluateAde(m, head, wv);
      const nll = evaluateLoss(m, head, wv);
      expect(Math.abs(ade - nll)).toBeGreaterThan(0.1);
      expect(r.valLoss[0]).toBeCloseTo(stopOn === "ade" ? ade : nll, 6);
      m.dispose();
    }
  });
});
