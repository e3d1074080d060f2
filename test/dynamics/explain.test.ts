// lam eval --explain: permutation importance is seeded, exactly zero for an input the net cannot see, and
// positive where the net reads the input; the CLI prints it in the text and the JSON.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { permutationImportance } from "../../dynamics/explain.js";
import { wholeDrive, type FrameSeries } from "../../dynamics/dataset.js";
import type { LoadedModel } from "../../dynamics/lam-json.js";
import { importanceText } from "../../runtime/commands/eval.js";
import { frameChannels, randomFrames, testModel, testSpec } from "./predictor-fixtures.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function blinded(): LoadedModel {
  const spec = testSpec({ layers: 1, units: 8, history: 8, horizon: 3 });
  const m = testModel(spec, 5);
  // Zero the first LSTM's input weights of feature 1 ("accel"): the net cannot see it.
  const lstm = m.model.getLayer("lstm_0");
  const [k, r, b] = lstm.getWeights();
  const kv = k.arraySync() as number[][];
  kv[1] = kv[1].map(() => 0);
  lstm.setWeights([tf.tensor2d(kv), r, b]);
  const meta = {
    version: 1,
    spec,
    normalisation: { features: m.featureNorm, actions: { channels: [...spec.actions], mean: [0, 0], std: [1, 1] } },
    head: { ...m.head, source: ["model", "hold_last"] as ("model" | "hold_last")[] },
    weightsSha256: "",
  };
  return { model: m.model, meta };
}

describe("permutation importance", () => {
  it("is 0 for an input the net cannot see, > 0 for inputs it reads, and the same for the same seed", () => {
    const loaded = blinded();
    const s: FrameSeries = { name: "r", channels: frameChannels, frames: randomFrames(160, 9, 0) };
    const blocks = [wholeDrive(s)];
    const a = permutationImportance(loaded, [s], blocks, { seed: 4 });
    expect(a.per_feature.accel.steer_cmd).toBe(0);
    expect(a.per_feature.accel.accel_cmd).toBe(0);
    expect(a.per_feature.speed.steer_cmd).toBeGreaterThan(0);
    expect(a.per_feature.steer_cmd.steer_cmd).toBeGreaterThan(0);
    expect(a.answered_by).toEqual({ steer_cmd: "model", accel_cmd: "hold_last" });
    expect(permutationImportance(loaded, [s], blocks, { seed: 4 })).toEqual(a);
    expect(permutationImportance(loaded, [s], blocks, { seed: 5 }).per_feature.speed.steer_cmd).not.toBe(a.per_feature.speed.steer_cmd);
    const text = importanceText(a);
    expect(text).toMatch(/seed 4, 3 shuffles, 150 windows/);
    expect(text).toMatch(/^ {2}accel +\+?0 \(0\.0%\) +\+?0 \(0\.0%\)$/m);
    loaded.model.dispose();
  });

  it("needs at least two windows to shuffle", () => {
    const loaded = blinded();
    const s: FrameSeries = { name: "r", channels: frameChannels, frames: randomFrames(11, 9, 0) };
    expect(() => permutationImportance(loaded, [s], [wholeDrive(s)])).toThrow(/at least 2 windows, the held-out data gives 1/);
    loaded.model.dispose();
  });
});
