// Early stopping keeps the best validation epoch; an epoch whose loss diverged (non-finite or exploding) is never
// the one kept, with either trainer: the saved model stays finite and no worse on validation than where it started.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { trainRun } from "../../dynamics/train-run.js";
import { oscillator } from "./synthetic.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const spec = { features: ["speed", "accel", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 8, horizon: 4, layers: 1, units: 8 };

describe("a diverged epoch is never kept", () => {
  for (const trainer of ["kernel", "tfjs"] as const) {
    it(`${trainer}: learning rate 200 blows up the loss; the kept weights are the best finite validation epoch`, async () => {
      const s = oscillator("osc", 150, 20, 4);
      const run = await trainRun([s], spec, { epochs: 4, patience: 4, learningRate: 200, lrDecay: 1, seed: 2, trainer, blockSeconds: 10 });
      const v = run.result.valLoss;
      // The run did diverge: some epoch's validation loss is non-finite or far above the start.
      expect(v.some((x) => !Number.isFinite(x) || x > run.result.bestValLoss + 1)).toBe(true);
      expect(Number.isFinite(run.result.bestValLoss)).toBe(true);
      if (run.result.bestEpoch > 0) expect(run.result.bestValLoss).toBe(Math.min(...v.filter(Number.isFinite)));
      for (const w of run.model.getWeights()) expect(Array.from(w.dataSync()).every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(run.meta.metrics!.model.ade)).toBe(true);
      run.model.dispose();
    }, 120_000);
  }
});
