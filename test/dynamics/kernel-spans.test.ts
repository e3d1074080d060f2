// The JS kernel skips the zero 4-blocks of a merged ensemble's gate rows (block-diagonal recurrent weights, zero input
// rows of per-action members): the same numbers as the dense loop, and dense models keep the dense loop.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { gateSpans, LstmStack } from "../../dynamics/kernel.js";
import { kernelWeightsFromModel } from "../../dynamics/kernel-weights.js";
import { mergeModels } from "../../dynamics/ensemble.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { randomFrames, testModel } from "./predictor-fixtures.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const spec: ModelSpec = { features: ["speed", "yaw_rate", "accel", "steer_cmd", "accel_cmd"], actions: ["steer_cmd", "accel_cmd"], rate: 20, history: 16, horizon: 4, layers: 2, units: 8 };

describe("gateSpans and the sparse gate matmul", () => {
  it("finds each row's nonzero 4-blocks; a dense matrix gets none (the dense loop)", () => {
    // Two rows of K = 10: row 0 nonzero in [4, 8) only, row 1 in [0, 4) and the scalar tail.
    const W = new Float32Array(20);
    W[5] = 1;
    W[10] = 2;
    W[19] = 3;
    const sp = gateSpans(W, 2, 10)!;
    expect(Array.from(sp.ptr)).toEqual([0, 1, 2]);
    expect(Array.from(sp.runs)).toEqual([4, 8, 0, 4]);
    expect(gateSpans(Float32Array.from({ length: 40 }, (_, i) => i + 1), 4, 10)).toBeNull();
    const single = testModel(spec, 3);
    for (const l of kernelWeightsFromModel(single.model).layers) expect(gateSpans(l.gates, 4 * l.units, l.inputSize + l.units)).toBeNull();
  });

  it("a merged per-action ensemble: the sparse loop gives the dense loop's hidden states and head, bit for bit", () => {
    // Four members of 8 units: two per action, each reading its own features (zero input rows for the rest).
    const members = [1, 2, 3, 4].map((seed, m) => testModel({ ...spec, actions: [spec.actions[m >> 1]], features: ["speed", "yaw_rate", "accel", spec.actions[m >> 1]] }, seed));
    const merged = mergeModels(
      members.map((m) => m.model),
      { ...spec, units: 8 },
      members.map(() => [0.1]),
      [0.1, 0.1],
      { owners: [[0], [0], [1], [1]], inputs: [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 4], [0, 1, 2, 4]] },
    );
    const w = kernelWeightsFromModel(merged);
    const spans = w.layers.map((l) => gateSpans(l.gates, 4 * l.units, l.inputSize + l.units));
    expect(spans.every((s) => s !== null)).toBe(true);
    // The recurrent part of a row is one member's 8 units of 32, plus its input runs: far under the dense count.
    const l1 = w.layers[1];
    expect(spans[1]!.runs.length / 2 / (4 * l1.units)).toBeLessThanOrEqual(2);
    const S = 3;
    const sparse = new LstmStack(w, S);
    const dense = new LstmStack(w, S, false);
    const frames = randomFrames(300, 9);
    const x = new Float32Array(S * 5);
    const hs = new Float64Array(w.head.outputs);
    const hd = new Float64Array(w.head.outputs);
    let nonzero = 0;
    for (const f of frames) {
      for (let s = 0; s < S; s++) for (let c = 0; c < 5; c++) x[s * 5 + c] = Number.isFinite(f.values[c]) ? f.values[c] * (s + 1) * 0.3 : 0;
      sparse.step(x);
      dense.step(x);
      for (let s = 0; s < S; s++) {
        for (let l = 0; l < 2; l++) expect(Array.from(sparse.hidden(l, s))).toEqual(Array.from(dense.hidden(l, s)));
        sparse.head(s, hs);
        dense.head(s, hd);
        expect(Array.from(hs)).toEqual(Array.from(hd));
        nonzero += hs.some((v) => v !== 0) ? 1 : 0;
      }
    }
    expect(nonzero).toBeGreaterThan(800);
    for (const m of members) m.model.dispose();
    merged.dispose();
  });
});
