import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend } from "../../dynamics/backend.js";
import { cutWindows, fitHeadScale, fitNormalisation, splitBlocks } from "../../dynamics/dataset.js";
import { buildModel, lstmLayers, STD_EPS, type HeadSpec } from "../../dynamics/model.js";
import { prng } from "../../dynamics/prng.js";
import type { LamJson } from "../../dynamics/save.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { fit } from "../../dynamics/train.js";
import { trainRun, type TrainRunResult } from "../../dynamics/train-run.js";
import { oscillator } from "./synthetic.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd", "accel"], actions: ["steer_cmd"], rate: 20, history: 12, horizon: 8, layers: 1, units: 12 };
const series = [oscillator("osc", 180, 20, 7)];
let run: TrainRunResult;

beforeAll(async () => {
  await chooseBackend({ order: ["wasm", "cpu"] });
  run = await trainRun(series, spec, { epochs: 6, learningRate: 1e-2, seed: 3, blockSeconds: 15 });
});

const weights = (m: tf.LayersModel, names: (n: string) => boolean) =>
  m.layers.filter((l) => names(l.name)).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));

describe("training on a known second-order system", () => {
  it("drives the loss down and beats hold-last on the held-out test blocks", () => {
    const r = run.result;
    expect(r.epochs).toBeGreaterThanOrEqual(2);
    expect(r.loss.at(-1)!).toBeLessThan(r.loss[0]);
    expect(r.bestValLoss).toBeLessThan(r.valLoss[0]);
    const m = run.meta.metrics!;
    expect(m.windows).toBeGreaterThan(50);
    expect(m.model.ade).toBeLessThan(0.7 * m.baselines.hold_last.ade);
    expect(Object.keys(m.baselines).sort()).toEqual(["ar4", "hold_last", "linear"]);
    expect(m.data).toEqual({ osc: "test_blocks" });
  });

  it("records the split by time and the training summary", () => {
    const t = run.meta.training!;
    expect(t.drives).toEqual(["osc"]);
    expect(new Set(t.split.map((b) => b.role))).toEqual(new Set(["train", "val", "test"]));
    expect(t.seed).toBe(3);
    expect(t.date).toBeUndefined();
  });

  it("fine-tuning with a frozen encoder leaves the LSTM weights bit-identical and moves the head", async () => {
    const before = weights(run.model, (n) => n.startsWith("lstm_"));
    const headBefore = weights(run.model, (n) => n === "head");
    const base = { model: run.model, meta: { ...run.meta, version: 1, weightsSha256: "0".repeat(64) } as LamJson };
    // A stiffer system: the head has something to adapt to.
    const shifted = [oscillator("osc2", 120, 20, 11, 0.7)];
    const ft = await trainRun(shifted, spec, { epochs: 2, learningRate: 1e-2, seed: 3, blockSeconds: 15, finetune: base, freezeEncoder: true, patience: 100 });
    expect(ft.result.bestEpoch).toBeGreaterThan(0);
    expect(ft.model).toBe(run.model);
    expect(weights(ft.model, (n) => n.startsWith("lstm_"))).toEqual(before);
    expect(weights(ft.model, (n) => n === "head")).not.toEqual(headBefore);
    expect(ft.meta.normalisation).toEqual(run.meta.normalisation);
    expect(ft.meta.training?.finetunedFrom).toBe("0".repeat(64));
    // The encoder is trainable again afterwards.
    expect(lstmLayers(ft.model).every((l) => l.trainable)).toBe(true);
  });
});

describe("training loop", () => {
  const small = oscillator("s", 60, 20, 2);
  const blocks = splitBlocks([small], spec, { blockSeconds: 10 });
  const norm = fitNormalisation([small], blocks.filter((b) => b.role === "train"), spec.features);
  const fallback = [0];
  const wt = cutWindows([small], blocks.filter((b) => b.role === "train"), spec, norm, { fallback }, { variableLength: prng(1) });
  const wv = cutWindows([small], blocks.filter((b) => b.role === "val"), spec, norm, { fallback });
  const head: HeadSpec = { kind: "residual-hold", scale: fitHeadScale(wt), fallback, eps: STD_EPS };

  it("is deterministic for a seed", async () => {
    const once = async () => {
      const m = buildModel(spec, { seed: 9 });
      const r = await fit(m, head, wt, wv, { epochs: 1, seed: 9, batchSize: 32 });
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return { loss: r.loss, w };
    };
    expect(await once()).toEqual(await once());
  });

  it("an abort stops after the current batch and keeps the best weights", async () => {
    const m = buildModel(spec, { seed: 9 });
    const ac = new AbortController();
    const seen: number[] = [];
    const r = await fit(m, head, wt, wv, {
      epochs: 50,
      seed: 9,
      batchSize: 16,
      signal: ac.signal,
      now: () => 0,
      onProgress: (p) => {
        seen.push(p.batch);
        if (p.batch === 2) ac.abort();
      },
    });
    expect(r.stopped).toBe("aborted");
    expect(seen).toEqual([1, 2]);
    expect(r.epochs).toBe(0);
    expect(Number.isFinite(r.bestValLoss)).toBe(true);
    m.dispose();
  });

  it("refuses empty training data with a clear message", async () => {
    const m = buildModel(spec);
    const empty = { ...wt, n: 0 };
    await expect(fit(m, head, empty, wv, { epochs: 1 })).rejects.toThrow(/no training windows/);
    m.dispose();
  });
});
