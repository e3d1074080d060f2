import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend } from "../../dynamics/backend.js";
import { cutWindows, fitHeadScale, fitNormalisation, splitBlocks } from "../../dynamics/dataset.js";
import { buildModel, layerNames, STD_EPS, type HeadSpec } from "../../dynamics/model.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { evaluateAde, fit } from "../../dynamics/train.js";
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

  it("stopOn ade records the ADE per epoch and keeps the weights of the best one", async () => {
    const m = buildModel(spec, { seed: 2 });
    const r = await fit(m, head, wt, wv, { epochs: 3, seed: 2, learningRate: 1e-2, stopOn: "ade" });
    expect(r.valLoss).toHaveLength(r.epochs);
    expect(r.bestValLoss).toBe(Math.min(...r.valLoss, r.bestValLoss));
    expect(evaluateAde(m, head, wv)).toBeCloseTo(r.bestValLoss, 5);
    m.dispose();
  });
});
