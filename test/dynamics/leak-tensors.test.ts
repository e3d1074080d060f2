// No tensor leaks on the prediction paths: tf.memory().numTensors must not grow with the number of predictions.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { FastPredictor } from "../../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { kernelWeightsFromModel } from "../../dynamics/kernel-weights.js";
import { frameChannels, randomFrames, testModel, testSpec } from "./predictor-fixtures.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("tensor leaks", () => {
  it("the fast path: 100k predictions and repeated weight reads leave numTensors flat", () => {
    const m = testModel(testSpec());
    const before = tf.memory().numTensors;
    // Reading weights touches tfjs (getWeights/dataSync); a leak there would add tensors per read.
    for (let i = 0; i < 20; i++) kernelWeightsFromModel(m.model);
    const p = new FastPredictor(m, { frameChannels, reuseOutput: true });
    const frames = randomFrames(1000, 1);
    for (let i = 0; i < 100_000; i++) p.step(frames[i % 1000]);
    expect(tf.memory().numTensors).toBe(before);
    m.model.dispose();
  });

  /*
   * 100k tfjs-window predictions would take ~15 min here (~9 ms each, several times that on the shared 2-core
   * machine), so this runs for ~5 s and at least 100 predictions. A leak in predict/tidy leaks at least one tensor
   * per call, so the count would grow by ≥ 100; the assertion is exact equality after a warm-up call.
   */
  it("the tfjs-window path: numTensors is the same after every prediction for ~5 s", () => {
    const m = testModel(testSpec());
    const p = new TfjsWindowPredictor(m, { frameChannels });
    const frames = randomFrames(500, 2);
    p.step(frames[0]); // warm-up: lazily created backend state
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    let n = 0;
    while (n < 100 || performance.now() - t0 < 5000) {
      p.step(frames[n % 500]);
      n++;
      if (n % 25 === 0) expect(tf.memory().numTensors).toBe(before);
      if (n >= 5000) break;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(n).toBeGreaterThanOrEqual(100);
    m.model.dispose();
  });
});
