// A seed ensemble merged into one ordinary model (dynamics/ensemble.ts): its predictions are the average of its
// members' through tfjs, the real-time JS and SIMD kernels and a float16 export; lam.json records it and the source
// choice is redone on the merged net; K = 1 is the member itself. On windows of the real RAV4 minute.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { mergeModels, mergeRuns, trainEnsemble, type EnsembleRunResult } from "../../dynamics/ensemble.js";
import { FastPredictor, type PredictorModel } from "../../dynamics/predictor.js";
import { simdAvailable, type KernelKind } from "../../dynamics/kernel-choice.js";
import { cutWindows, type FrameSeries } from "../../dynamics/dataset.js";
import { evaluate, predictWindows } from "../../dynamics/evaluate.js";
import { decodeHead } from "../../dynamics/codec.js";
import { loadModel, saveModel, sha256, type ModelStore } from "../../dynamics/save.js";
import { exportModel } from "../../dynamics/quantise.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { main } from "../../runtime/main.js";
import { testModel } from "./predictor-fixtures.js";

const rav4 = resolve(import.meta.dirname, "../../../shared/data/comma2k19-rav4");
const spec: ModelSpec = {
  features: ["speed", "yaw_rate", "accel", "steer_cmd", "accel_cmd"],
  actions: ["steer_cmd", "accel_cmd"],
  rate: 20,
  history: 16,
  horizon: 8,
  layers: 2,
  units: 8,
};
let series: FrameSeries;

beforeAll(async () => {
  await tf.setBackend("cpu");
  series = await loadSeries(rav4, spec);
});

function memoryStore(): ModelStore {
  const files = new Map<string, Uint8Array>();
  return {
    read: async (n) => {
      const f = files.get(n);
      if (!f) throw new Error(`no ${n}`);
      return f;
    },
    write: async (n, d) => void files.set(n, d),
    where: (n) => n,
  };
}

const softplusInv = (y: number) => Math.log(Math.expm1(y));
const kernels: KernelKind[] = simdAvailable() ? ["js", "simd"] : ["js"];

describe("mergeModels: one LSTM of K·units is the average of K members", () => {
  // Random, non-trivial weights (a trained net's head starts at zero) and a different head scale per member, so the
  // block layout, the gate order and the folding of each member's scale into the head all matter.
  const scales = [
    [0.02, 0.3],
    [0.05, 0.1],
    [0.01, 0.6],
  ];
  const common = scales[0];
  let members: PredictorModel[];
  let merged: PredictorModel;
  beforeAll(() => {
    members = [11, 12, 13].map((seed, m) => {
      const pm = testModel(spec, seed);
      return { ...pm, head: { ...pm.head, scale: scales[m] } };
    });
    const model = mergeModels(
      members.map((m) => m.model),
      spec,
      scales,
      common,
    );
    merged = { model, spec: { ...spec, units: 3 * spec.units }, featureNorm: members[0].featureNorm, head: { ...members[0].head, scale: common } };
  });

  it("has K·units, gate blocks of each member side by side, and zeros between members", () => {
    const [k, r] = merged.model.getLayer("lstm_1").getWeights().map((t) => t.dataSync());
    const KU = 24;
    expect(merged.model.getLayer("lstm_0").getWeights()[0].shape).toEqual([5, 4 * KU]);
    // Forget-gate column of member 2, unit 3: its recurrent input from member 0's units is 0, from its own is the member's.
    const col = 1 * KU + 2 * 8 + 3;
    for (let row = 0; row < 8; row++) expect(r[row * 4 * KU + col]).toBe(0);
    const own = members[2].model.getLayer("lstm_1").getWeights()[1].dataSync();
    for (let row = 0; row < 8; row++) expect(r[(16 + row) * 4 * KU + col]).toBe(own[row * 32 + 8 + 3]);
    expect(k[(0 + 1) * 4 * KU + col]).toBe(0);
  });

  it("tfjs: mean = the members' average mean, spread pre-activation = their average (real RAV4 windows)", () => {
    const w = cutWindows([series], [{ drive: series.name, role: "test", start: 200, end: 500, t0: 0, t1: 0 }], spec, members[0].featureNorm, members[0].head);
    expect(w.n).toBeGreaterThan(250);
    const raws = members.map((m) => predictWindows(m.model, w));
    const rawM = predictWindows(merged.model, w);
    const A = 2;
    const h = spec.horizon;
    const per = h * A * 2;
    let worstMean = 0;
    let worstSpread = 0;
    for (let i = 0; i < w.n; i++) {
      const last = w.last.subarray(i * A, (i + 1) * A);
      const ds = members.map((m, j) => decodeHead(raws[j].subarray(i * per, (i + 1) * per), last, m.head, h));
      const dm = decodeHead(rawM.subarray(i * per, (i + 1) * per), last, merged.head, h);
      for (let q = 0; q < h * A; q++) {
        const avg = (ds[0].mean[q] + ds[1].mean[q] + ds[2].mean[q]) / 3;
        worstMean = Math.max(worstMean, Math.abs(dm.mean[q] - avg) / common[q % A]);
        const pre = (raws[0][i * per + 2 * q + 1] + raws[1][i * per + 2 * q + 1] + raws[2][i * per + 2 * q + 1]) / 3;
        worstSpread = Math.max(worstSpread, Math.abs(rawM[i * per + 2 * q + 1] - pre));
      }
    }
    expect(worstMean).toBeLessThan(1e-5);
    expect(worstSpread).toBeLessThan(1e-5);
    // Not vacuous: the members disagree by far more than that.
    expect(Math.abs(raws[0][1] - raws[1][1])).toBeGreaterThan(1e-2);
  });

  for (const kind of kernels) {
    it(`real-time predictor (${kind} kernel): mean and spread = the members' average over 400 ticks of the drive`, () => {
      const fast = (m: PredictorModel) => new FastPredictor(m, { frameChannels: series.channels, kernel: kind });
      const ps = members.map(fast);
      const pm = fast(merged);
      let worstMean = 0;
      let worstSpread = 0;
      for (let t = 0; t < 400; t++) {
        const f = series.frames[200 + t];
        const ds = ps.map((p) => p.step(f));
        const d = pm.step(f);
        for (let q = 0; q < d.mean.length; q++) {
          const a = q % 2;
          const avg = (ds[0].mean[q] + ds[1].mean[q] + ds[2].mean[q]) / 3;
          worstMean = Math.max(worstMean, Math.abs(d.mean[q] - avg) / common[a]);
          // Each member's spread pre-activation, back from its std: (softplus(raw1) + eps) · scale.
          const pre = ds.reduce((s, x, j) => s + softplusInv(x.std![q] / scales[j][a] - members[j].head.eps), 0) / 3;
          worstSpread = Math.max(worstSpread, Math.abs(softplusInv(d.std![q] / common[a] - merged.head.eps) - pre));
        }
      }
      expect(worstMean).toBeLessThan(2e-5);
      expect(worstSpread).toBeLessThan(1e-3);
    });
  }

  it("a float16 export of the merged model loads and predicts as the float32 one (to float16 precision)", async () => {
    const store = memoryStore();
    const meta = { version: 1, spec: merged.spec, normalisation: { features: merged.featureNorm, actions: merged.featureNorm }, head: merged.head };
    // saveModel gives the float32 lam.json; exportModel rewrites it quantised.
    const normA = { channels: [...spec.actions], mean: [0, 0], std: [1, 1] };
    const saved = await saveModel(memoryStore(), merged.model, { ...meta, normalisation: { features: merged.featureNorm, actions: normA } });
    await exportModel(store, merged.model, saved as unknown as Record<string, unknown> & { weightsSha256: string }, { quantize: "float16" }, sha256);
    const back = await loadModel(store);
    const a = new FastPredictor(merged, { frameChannels: series.channels });
    const b = new FastPredictor({ model: back.model, spec: back.meta.spec, featureNorm: back.meta.normalisation.features, head: back.meta.head }, { frameChannels: series.channels });
    let worst = 0;
    for (let t = 0; t < 100; t++) {
      const x = a.step(series.frames[300 + t]);
      const y = b.step(series.frames[300 + t]);
      for (let q = 0; q < x.mean.length; q++) worst = Math.max(worst, Math.abs(x.mean[q] - y.mean[q]) / common[q % 2]);
    }
    expect(worst).toBeLessThan(0.05);
    back.model.dispose();
  });
});

describe("trainEnsemble on the RAV4 minute (kernel trainer, held-out tail)", () => {
  let run: EnsembleRunResult;
  const s1: ModelSpec = { ...spec, layers: 1 };
  beforeAll(async () => {
    run = await trainEnsemble([series], s1, { epochs: 2, seed: 3, holdoutTail: 0.3, trainer: "kernel", residualOver: "best" }, 2);
  }, 300_000);

  it("records the members in lam.json, is K·units wide, and its held-out metrics are the merged model's", async () => {
    expect(run.meta.spec.units).toBe(16);
    expect(run.meta.training.ensemble.k).toBe(2);
    expect(run.meta.training.ensemble.seeds).toEqual([3, 4]);
    expect(run.meta.training.ensemble.members.map((m) => m.seed)).toEqual([3, 4]);
    expect(run.members[0].meta.head.scale).toEqual(run.members[1].meta.head.scale); // the scale does not depend on the seed
    // The source choice was made on the merged net: its validation ratio ≤ 1 per channel, and the report's model ADE is the merged net's.
    const v = run.meta.training.validation!;
    for (const a of s1.actions) expect(v.per_channel[a].ratio).toBeLessThanOrEqual(1);
    const store = memoryStore();
    const saved = await saveModel(store, run.model, run.meta);
    const back = await loadModel(store);
    expect((back.meta.training as typeof run.meta.training).ensemble).toEqual(run.meta.training.ensemble);
    const test = run.blocks.filter((b) => b.role === "test");
    const again = evaluate(back, [series], test, { [series.name]: "test_blocks" });
    expect(again.model.ade).toBeCloseTo(saved.metrics!.model.ade, 12);
    back.model.dispose();
  });

  it("the trained members' average mean is the merged model's on the held-out windows", () => {
    const test = run.blocks.filter((b) => b.role === "test");
    const w = cutWindows([series], test, s1, run.meta.normalisation.features, run.meta.head);
    const raw = run.members.map((m) => predictWindows(m.model, w));
    const rawM = predictWindows(run.model, w);
    let worst = 0;
    let spread = 0;
    for (let q = 0; q < rawM.length; q += 2) {
      worst = Math.max(worst, Math.abs(rawM[q] - (raw[0][q] + raw[1][q]) / 2));
      spread = Math.max(spread, Math.abs(raw[0][q] - raw[1][q]));
    }
    expect(worst).toBeLessThan(1e-5);
    expect(spread).toBeGreaterThan(1e-4); // the two seeds did learn different nets
  });

  it("K = 1 is the member itself: same weights, head, source choice and held-out metrics", () => {
    const one = mergeRuns([series], [run.members[0]]);
    const a = one.model.getWeights().map((t) => Array.from(t.dataSync()));
    const b = run.members[0].model.getWeights().map((t) => Array.from(t.dataSync()));
    expect(a).toEqual(b);
    const { ensemble, ...training } = one.meta.training;
    expect(ensemble.k).toBe(1);
    expect(one.meta.head).toEqual(run.members[0].meta.head);
    expect(training).toEqual(run.members[0].meta.training);
    expect(one.meta.metrics).toEqual(run.members[0].meta.metrics);
    one.model.dispose();
  });

  it("refuses to merge members that do not share their normalisation, naming it", () => {
    const m = run.members[1];
    const other = { ...m, meta: { ...m.meta, normalisation: { ...m.meta.normalisation, features: { ...m.meta.normalisation.features, mean: m.meta.normalisation.features.mean.map((x) => x + 1) } } } };
    expect(() => mergeRuns([series], [run.members[0], other])).toThrow(/member seed 4: normalisation differs/);
    expect(() => mergeModels([], spec, [], [1, 1])).toThrow(/at least one member/);
  });
});

describe("lam train --ensemble", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: { write: (s: string) => void out.push(s) }, stderr: { write: (s: string) => void err.push(s) } } };
  };
  const args = (dir: string) => ["train", rav4, "--out", join(dir, "m"), "--holdout-tail", "0.3", "--history", "0.8", "--horizon", "0.4", "--units", "4", "--epochs", "1",
    "--features", "speed,yaw_rate,steer_cmd,accel_cmd", "--actions", "steer_cmd,accel_cmd", "--json"];

  it("refuses a bad K and --finetune; writes one model of K·units whose lam.json and --json name the members", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-ensemble-"));
    try {
      const bad = io();
      expect(await main([...args(dir), "--ensemble", "0"], bad.io)).toBe(2);
      expect(bad.err.join("")).toMatch(/--ensemble=0 must be a positive integer/);
      const ft = io();
      expect(await main([...args(dir), "--ensemble", "2", "--finetune", "dynamics/models/car"], ft.io)).toBe(2);
      expect(ft.err.join("")).toMatch(/--ensemble .* cannot be combined with --finetune/);
      const t = io();
      expect(await main([...args(dir), "--ensemble", "2", "--seed", "5"], t.io), t.err.join("")).toBe(0);
      const summary = JSON.parse(t.out.join(""));
      expect(summary.ensemble.seeds).toEqual([5, 6]);
      const lam = JSON.parse(await readFile(join(dir, "m", "lam.json"), "utf8"));
      expect(lam.spec.units).toBe(8);
      expect(lam.training.ensemble).toEqual(summary.ensemble);
      expect(summary.metrics.ratio_to_best_baseline).toBe(lam.metrics.ratio_to_best_baseline);
      const e = io();
      expect(await main(["eval", rav4, "--model", join(dir, "m"), "--json"], e.io), e.err.join("")).toBe(0);
      expect(JSON.parse(e.out.join("")).ratio_to_best_baseline).toBeCloseTo(lam.metrics.ratio_to_best_baseline, 10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("runs the same way with the tfjs trainer (trainRun is the common path)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-ensemble-"));
    try {
      const t = io();
      expect(await main([...args(dir), "--ensemble", "2", "--trainer", "tfjs"], t.io), t.err.join("")).toBe(0);
      const lam = JSON.parse(await readFile(join(dir, "m", "lam.json"), "utf8"));
      expect(lam.spec.units).toBe(8);
      expect(lam.training.ensemble.seeds).toEqual([1, 2]);
      expect(lam.training.options.trainer).toBeUndefined(); // only the kernel is recorded
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
