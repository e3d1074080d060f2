// The bundled default model on a real recorded drive (F1TENTH DS1 from ../shared/data): the real-time predictor
// agrees with the windowed tfjs forward pass, and stays finite over the whole drive.
import { beforeAll, describe, expect, it } from "vitest";
import { resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { FastPredictor, predictorModel, type PredictorModel } from "../../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { loadModel } from "../../dynamics/save.js";
import type { FrameSeries } from "../../dynamics/dataset.js";
import { defaultModelDir, dirStore, packageRoot } from "../../runtime/model-dir.js";
import { loadSeries } from "../../runtime/drive-frames.js";

const drivePath = resolve(packageRoot(), "../shared/data/f1tenth/DS1");

let m: PredictorModel;
let series: FrameSeries;

beforeAll(async () => {
  await tf.setBackend("cpu");
  m = predictorModel(await loadModel(dirStore(defaultModelDir())));
  series = await loadSeries(drivePath, m.spec);
});

describe("default model on F1TENTH DS1", () => {
  it("fast predictor = tfjs window within 5e-6 of each action's head scale, over 400 ticks", () => {
    const fast = new FastPredictor(m, { frameChannels: series.channels });
    const ref = new TfjsWindowPredictor(m, { frameChannels: series.channels });
    const A = m.spec.actions.length;
    let worst = 0;
    // The last 400 frames of the run (past the standing start).
    const from = Math.max(0, series.frames.length - 400);
    for (let i = from; i < from + 400; i++) {
      const a = fast.step(series.frames[i]);
      const b = ref.step(series.frames[i]);
      for (let k = 0; k < a.mean.length; k++) {
        const scale = m.head.scale[k % A];
        worst = Math.max(worst, Math.abs(a.mean[k] - b.mean[k]) / scale, Math.abs(a.std![k] - b.std![k]) / scale);
      }
    }
    expect(worst).toBeLessThan(5e-6);
  });

  it("gives finite predictions on every frame of the drive", () => {
    const fast = new FastPredictor(m, { frameChannels: series.channels, reuseOutput: true });
    let bad = 0;
    for (const f of series.frames) {
      const p = fast.step(f);
      for (let k = 0; k < p.mean.length; k++) if (!Number.isFinite(p.mean[k]) || !Number.isFinite(p.std![k]) || !(p.std![k] > 0)) bad++;
    }
    expect(series.frames.length).toBeGreaterThan(500); // DS1: 869 frames at 20 Hz
    expect(bad).toBe(0);
  });
});
