// head.residual_over: the net's residual over the per-action baseline (hold-last, linear, AR). The baseline forecast
// must be the streaming baselines' own in the real-time predictor, the tfjs reference path, evaluation and the
// training targets; a zero residual is exactly that baseline; lam.json records it and reloads to the same numbers.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../runtime/main.js";
import * as tf from "@tensorflow/tfjs";
import { FastPredictor } from "../../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { arPredictor, linearExtrapolation, needsSourceTrack, residualTargets, SourceTrack, trackedBaseline, windowBaselines, type ArFit } from "../../dynamics/baselines/index.js";
import { checkHead, decodeHead, type HeadSpec } from "../../dynamics/codec.js";
import { trainRun } from "../../dynamics/train-run.js";
import { baselineAde, scoreBaselines } from "../../dynamics/baseline-scores.js";
import { evaluate } from "../../dynamics/evaluate.js";
import { permutationImportance } from "../../dynamics/explain.js";
import { cutWindows, fitHeadScale, fitNormalisation, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import { loadModel, saveModel, type ModelStore } from "../../dynamics/save.js";
import { defaultPrior } from "../../dynamics/prior/spec.js";
import type { LamJson } from "../../dynamics/lam-json.js";
import { frameChannels, maxAbsDiff, randomFrames, testModel, testSpec } from "./predictor-fixtures.js";
import { oscillator } from "./synthetic.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function memoryStore(): ModelStore {
  const files = new Map<string, Uint8Array>();
  return { read: async (n) => files.get(n)!, write: async (n, d) => void files.set(n, d), where: (n) => n };
}

const AR: ArFit = { p: 3, phi: [[0.5, -0.2, 0.1], [0.3, 0.1, -0.05]] };
const head0: HeadSpec = { kind: "residual-hold", scale: [1, 2], fallback: [0, 0], eps: 1e-3 };

/** Zeroes the head's mean outputs (the even ones), as a residual-over run starts. */
function zeroMeans(model: tf.LayersModel): void {
  const layer = model.getLayer("head");
  const ws = layer.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
  const out = ws[1].length;
  for (let o = 0; o < out; o += 2) {
    ws[1][o] = 0;
    for (let r = 0; r < ws[0].length / out; r++) ws[0][r * out + o] = 0;
  }
  const shapes = layer.getWeights().map((w) => w.shape);
  layer.setWeights(ws.map((w, i) => tf.tensor(w, shapes[i])));
}

describe("decoding and checking head.residual_over", () => {
  it("the net's residual is added to the baseline's forecast, scaled; hold_last stays last + residual; no forecast, no guess", () => {
    const head: HeadSpec = { ...head0, residual_over: ["ar", "hold_last"], ar: AR };
    const raw = [0.5, 0, 0.25, 0, 1, 0, -1, 0];
    const d = decodeHead(raw, [1, 2], head, 2, undefined, [7, 8, 9, 10]);
    expect(Array.from(d.mean)).toEqual([7.5, 2.5, 10, 0]);
    expect(() => decodeHead(raw, [1, 2], head, 2)).toThrow(/head\.residual_over\[0\]="ar" needs the baseline's mean/);
    // A baseline source still wins over the residual: the action is that baseline alone.
    const src = decodeHead(raw, [1, 2], { ...head, source: ["linear", "model"] }, 2, undefined, [7, 8, 9, 10]);
    expect(Array.from(src.mean)).toEqual([7, 2.5, 9, 0]);
    // All hold_last decodes bit for bit as no field at all.
    const a = decodeHead(raw, [1, 2], head0, 2);
    const b = decodeHead(raw, [1, 2], { ...head0, residual_over: ["hold_last", "hold_last"] }, 2);
    expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
    expect(Array.from(b.std)).toEqual(Array.from(a.std));
  });

  it("checkHead names a wrong count, an unknown baseline, a missing AR fit and a prior beside it", () => {
    expect(() => checkHead({ ...head0, residual_over: ["ar"] as never }, 2)).toThrow(/head\.residual_over must list 2/);
    expect(() => checkHead({ ...head0, residual_over: ["ar", "kalman"] as never, ar: AR }, 2)).toThrow(/head\.residual_over\[1\]="kalman" is not one of hold_last, linear, ar/);
    expect(() => checkHead({ ...head0, residual_over: ["ar", "linear"] }, 2)).toThrow(/head\.ar \(the AR fit\) is missing/);
    expect(() => checkHead({ ...head0, residual_over: ["linear", "hold_last"], prior: defaultPrior("car", 20) }, 2)).toThrow(/residual is over the prior's action/);
    expect(() => checkHead({ ...head0, residual_over: ["ar", "linear"], ar: AR }, 2)).not.toThrow();
  });

  it("SourceTrack streams the residual's baseline with the streaming baselines' exact numbers", () => {
    const spec = testSpec();
    const h = { residual_over: ["ar", "linear"], fallback: [0.5, -0.5], ar: AR };
    expect([trackedBaseline(h, 0), trackedBaseline(h, 1), needsSourceTrack(h)]).toEqual(["ar", "linear", true]);
    expect(needsSourceTrack({ residual_over: ["hold_last", "hold_last"], fallback: [0, 0] })).toBe(false);
    const track = new SourceTrack(frameChannels, spec.actions, spec.rate, spec.horizon, h);
    const cfg = { frameChannels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback: [0.5, -0.5] };
    const [ar, lin] = [arPredictor(cfg, AR), linearExtrapolation(cfg)];
    const base = new Float32Array(spec.horizon * 2);
    randomFrames(150, 4, 0.2).forEach((f, i) => {
      if (i === 80) [track, ar, lin].forEach((p) => p.reset());
      track.step(f, base);
      const r = ar.step(f).mean;
      const l = lin.step(f).mean;
      for (let k = 0; k < spec.horizon; k++) {
        expect(base[k * 2]).toBe(r[k * 2]);
        expect(base[k * 2 + 1]).toBe(l[k * 2 + 1]);
      }
    });
  });
});

/** A drive of random frames (Missing and NaN mixed in) as a FrameSeries. */
function randomDrive(n: number, seed: number): FrameSeries {
  return { name: "rand", channels: [...frameChannels], frames: randomFrames(n, seed) };
}

describe("a residual-over-AR/linear head: the same numbers in the real-time predictor, tfjs and eval", () => {
  const spec = testSpec();
  const over = { residual_over: ["ar", "linear"] as const, ar: AR };

  it("with a zero residual every path answers exactly the baseline", () => {
    const m0 = testModel(spec);
    zeroMeans(m0.model);
    const m = { ...m0, head: { ...m0.head, ...over, residual_over: [...over.residual_over] } };
    const paths = [new FastPredictor(m, { frameChannels, kernel: "js" }), new FastPredictor(m, { frameChannels, kernel: "simd" }), new TfjsWindowPredictor(m, { frameChannels })];
    const cfg = { frameChannels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback: m.head.fallback };
    const [ar, lin] = [arPredictor(cfg, AR), linearExtrapolation(cfg)];
    randomFrames(60, 9).forEach((f) => {
      const r = ar.step(f).mean;
      const l = lin.step(f).mean;
      for (const p of paths) {
        const got = p.step(f).mean;
        for (let k = 0; k < spec.horizon; k++) {
          expect(got[k * 2]).toBe(r[k * 2]);
          expect(got[k * 2 + 1]).toBe(l[k * 2 + 1]);
        }
      }
    });
    // Eval: the model's per-channel ADE is the AR baseline's on steer_cmd and the linear one's on accel_cmd, exactly.
    const s = randomDrive(200, 3);
    const meta = lamJson(m.head, m.featureNorm);
    const rep = evaluate({ model: m.model, meta }, [s], [{ drive: "rand", role: "test", start: 0, end: 200, t0: 0, t1: 0 }], { rand: "test_blocks" });
    expect(rep.model.per_channel.steer_cmd.ade).toBe(rep.baselines.ar3.per_channel.steer_cmd.ade);
    expect(rep.model.per_channel.accel_cmd.ade).toBe(rep.baselines.linear.per_channel.accel_cmd.ade);
    // Explain scores the net's own mean over the same forecast: no input moves a zero residual.
    const imp = permutationImportance({ model: m.model, meta }, [s], [{ drive: "rand", role: "test", start: 0, end: 200, t0: 0, t1: 0 }], { repeats: 1 });
    expect(imp.ade.steer_cmd).toBeCloseTo(rep.baselines.ar3.per_channel.steer_cmd.ade, 6);
    for (const f of spec.features) expect(Object.values(imp.per_feature[f])).toEqual([0, 0]);
    m.model.dispose();
  });

  it("with random weights: the JS and SIMD kernels match tfjs, and eval scores what the predictor predicts", () => {
    const m0 = testModel(spec, 11);
    const m = { ...m0, head: { ...m0.head, ...over, residual_over: [...over.residual_over] } };
    const fast = [new FastPredictor(m, { frameChannels, kernel: "js" }), new FastPredictor(m, { frameChannels, kernel: "simd" })];
    const ref = new TfjsWindowPredictor(m, { frameChannels });
    let worst = 0;
    let moved = 0;
    const cfg = { frameChannels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback: m.head.fallback };
    const ar = arPredictor(cfg, AR);
    randomFrames(100, 21).forEach((f, i) => {
      if (i === 55) [...fast, ref, ar].forEach((p) => p.reset());
      const r = ref.step(f);
      for (const k of fast) worst = Math.max(worst, maxAbsDiff(k.step(f).mean, r.mean));
      moved = Math.max(moved, maxAbsDiff(r.mean, ar.step(f).mean));
    });
    expect(worst).toBeLessThan(5e-6);
    expect(moved).toBeGreaterThan(0.01); // the residual is not zero here: the check above compares real outputs

    // One window per block: eval's window (H frames, baseline streamed from the block start) is the predictor's
    // window at tick H − 1 after a reset at the block start.
    const H = spec.history;
    const h = spec.horizon;
    const s = randomDrive(400, 8);
    const blocks: Block[] = [];
    for (let st = 0; st + H + h <= 400; st += H + h + 3) blocks.push({ drive: "rand", role: "test", start: st, end: st + H + h, t0: 0, t1: 0 });
    const sum = [0, 0];
    let n = 0;
    const aIdx = spec.actions.map((a) => s.channels.indexOf(a));
    for (const b of blocks) {
      const y = s.frames.slice(b.start + H, b.end);
      if (y.some((f) => aIdx.some((j) => !(f.valid[j] && Number.isFinite(f.values[j]))))) continue;
      ref.reset();
      let pred!: Float32Array;
      for (let e = b.start; e < b.start + H; e++) pred = ref.step(s.frames[e]).mean;
      for (let k = 0; k < h; k++) for (let a = 0; a < 2; a++) sum[a] += Math.abs(pred[k * 2 + a] - y[k].values[aIdx[a]]) / h;
      n++;
    }
    const rep = evaluate({ model: m.model, meta: lamJson(m.head, m.featureNorm) }, [s], blocks, { rand: "test_blocks" });
    expect(rep.windows).toBe(n);
    expect(n).toBeGreaterThan(5);
    expect(rep.model.per_channel.steer_cmd.ade).toBeCloseTo(sum[0] / n, 5);
    expect(rep.model.per_channel.accel_cmd.ade).toBeCloseTo(sum[1] / n, 5);
    m.model.dispose();
  });

  function lamJson(head: HeadSpec, features: LamJson["normalisation"]["features"]): LamJson {
    const actions = { channels: [...spec.actions], mean: [0, 0], std: [1, 1] };
    return { version: 1, spec, normalisation: { features, actions }, head, baselines: { ar: AR }, weightsSha256: "" };
  }
});

describe("training targets: the residual over the chosen baseline", () => {
  it("residualTargets makes y − last equal y − forecast, so fitHeadScale is the std of future − forecast", () => {
    const s = oscillator("osc", 60, 20, 2);
    const spec = { features: ["speed", "accel", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 5, layers: 1, units: 8 };
    const blocks: Block[] = [{ drive: "osc", role: "train", start: 0, end: 1200, t0: 0, t1: 0 }];
    const norm = fitNormalisation([s], blocks, spec.features);
    const w = cutWindows([s], blocks, spec, norm, { fallback: [0] });
    const head = { fallback: [0], ar: { p: 2, phi: [[1.2, -0.3]] }, residual_over: ["ar"] };
    const base = windowBaselines([s], blocks, w, spec.actions, spec.rate, head)!;
    const r = residualTargets(w, base, head);
    let q = 0;
    let m = 0;
    for (let j = 0; j < w.y.length; j++) {
      const i = Math.floor(j / spec.horizon);
      expect(r.y[j] - r.last[i]).toBeCloseTo(w.y[j] - base[j], 5);
      m += (w.y[j] - base[j]) / w.y.length;
    }
    for (let j = 0; j < w.y.length; j++) q += (w.y[j] - base[j] - m) ** 2 / w.y.length;
    expect(fitHeadScale(r)[0]).toBeCloseTo(Math.sqrt(q), 4);
    expect(residualTargets(w, base, { ...head, residual_over: ["hold_last"] })).toBe(w);
    // The per-baseline validation ADEs that "best" picks from.
    const ade = baselineAde(scoreBaselines({ spec, normalisation: { features: norm }, head: { fallback: [0] }, baselines: { ar: head.ar } }, [s], blocks), spec.actions);
    let hold = 0;
    for (let j = 0; j < w.y.length; j++) hold += Math.abs(w.y[j] - w.last[Math.floor(j / spec.horizon)]) / w.y.length;
    expect(ade.hold_last[0]).toBeCloseTo(hold, 6);
    expect(ade.ar[0]).toBeGreaterThan(0);
  });

  for (const trainer of ["tfjs", "kernel"] as const) {
    it(`${trainer}: a net that never moved from its zero residual is exactly the AR baseline on the held-out tail; lam.json records it`, async () => {
      const s = oscillator("osc", 90, 20, 5);
      const spec = { features: ["speed", "accel", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 5, layers: 1, units: 8 };
      const run = await trainRun([s], spec, { epochs: 1, seed: 2, holdoutTail: 0.3, trainer, residualOver: "ar", sources: "model", learningRate: 0 });
      expect(run.result.bestEpoch).toBe(0);
      expect(run.meta.head.residual_over).toEqual(["ar"]);
      expect(run.meta.head.ar).toEqual(run.meta.baselines!.ar);
      const m = run.meta.metrics!;
      expect(m.model.per_channel.steer_cmd.ade).toBe(m.baselines.ar4.per_channel.steer_cmd.ade);
      // Saved and loaded, the folder scores the same numbers.
      const store = memoryStore();
      await saveModel(store, run.model, run.meta);
      const loaded = await loadModel(store);
      expect(loaded.meta.head.residual_over).toEqual(["ar"]);
      const test = run.blocks.filter((b) => b.role === "test");
      const again = evaluate(loaded, [s], test, { osc: "test_blocks" });
      expect(again.model.per_channel.steer_cmd.ade).toBe(m.model.per_channel.steer_cmd.ade);
      loaded.model.dispose();
      run.model.dispose();
    }, 120_000);
  }

  it("fine-tuning keeps the base's residual and scale; naming another baseline refits the scale and restarts the residual at zero", async () => {
    const s = oscillator("osc", 90, 20, 5);
    const spec = { features: ["speed", "accel", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 5, layers: 1, units: 8 };
    const first = await trainRun([s], spec, { epochs: 2, seed: 2, holdoutTail: 0.3, trainer: "kernel", residualOver: "ar", sources: "model" });
    const base = { model: first.model, meta: { ...first.meta, version: 1, weightsSha256: "x" } };
    const kept = await trainRun([s], spec, { epochs: 1, seed: 2, holdoutTail: 0.3, trainer: "kernel", finetune: base, freezeEncoder: true, sources: "model" });
    expect(kept.meta.head.residual_over).toEqual(["ar"]);
    expect(kept.meta.head.scale).toEqual(first.meta.head.scale);
    const held = await trainRun([s], spec, { epochs: 1, seed: 2, holdoutTail: 0.3, trainer: "kernel", finetune: base, freezeEncoder: true, sources: "model", residualOver: "hold_last", learningRate: 0 });
    expect(held.meta.head.residual_over).toBeUndefined();
    expect(held.meta.head.scale).not.toEqual(first.meta.head.scale);
    // Restarted at zero and never moved: exactly hold-last on the tail.
    expect(held.meta.metrics!.model.per_channel.steer_cmd.ade).toBe(held.meta.metrics!.baselines.hold_last.per_channel.steer_cmd.ade);
    first.model.dispose();
  }, 120_000);

  it("residualOver best: the baseline of lowest validation ADE per action, and the trained net is then kept only where it beats every baseline on validation", async () => {
    const s = oscillator("osc", 120, 20, 7);
    const spec = { features: ["speed", "accel", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 5, layers: 1, units: 8 };
    const run = await trainRun([s], spec, { epochs: 3, seed: 1, holdoutTail: 0.3, trainer: "kernel", residualOver: "best" });
    const v = run.meta.training!.validation!;
    const ades = { hold_last: v.per_channel.steer_cmd.hold_last_ade, linear: v.per_channel.steer_cmd.linear_ade!, ar: v.per_channel.steer_cmd.ar_ade! };
    const best = (Object.keys(ades) as (keyof typeof ades)[]).reduce((a, b) => (ades[b] < ades[a] ? b : a), "hold_last" as keyof typeof ades);
    expect(run.meta.head.residual_over ?? ["hold_last"]).toEqual([best]);
    expect(run.meta.training!.options.residualOver).toBe("best");
    expect(v.per_channel.steer_cmd.ratio).toBeLessThanOrEqual(1);
    run.model.dispose();
  }, 120_000);
});

describe("lam train --residual-over on the real RAV4 minute", () => {
  const rav4 = resolve(import.meta.dirname, "../../../shared/data/comma2k19-rav4");
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: { write: (s: string) => void out.push(s) }, stderr: { write: (s: string) => void err.push(s) } } };
  };
  it("records the per-action baseline in lam.json, lam eval scores the same held-out numbers, and a bad value is named", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-residual-"));
    try {
      const args = ["train", rav4, "--out", join(dir, "m"), "--holdout-tail", "0.3", "--history", "1.0", "--units", "8", "--epochs", "2",
        "--features", "speed,yaw_rate,accel,steer_cmd,accel_cmd", "--actions", "steer_cmd,accel_cmd", "--json"];
      const bad = io();
      expect(await main([...args, "--residual-over", "kalman"], bad.io)).toBe(2);
      expect(bad.err.join("")).toMatch(/--residual-over=kalman must be best, hold_last, linear, ar or last/);
      const t = io();
      expect(await main([...args, "--residual-over", "best"], t.io), t.err.join("")).toBe(0);
      const lam = JSON.parse(await readFile(join(dir, "m", "lam.json"), "utf8"));
      expect(lam.training.options.residualOver).toBe("best");
      // Per action the baseline of lowest validation ADE (the validation record carries every candidate's ADE).
      const want = ["steer_cmd", "accel_cmd"].map((a) => {
        const c = lam.training.validation.per_channel[a];
        const ades: [string, number][] = [["hold_last", c.hold_last_ade], ["linear", c.linear_ade], ["ar", c.ar_ade]];
        return ades.reduce((b, x) => (x[1] < b[1] ? x : b))[0];
      });
      expect(lam.head.residual_over ?? ["hold_last", "hold_last"]).toEqual(want);
      const e = io();
      expect(await main(["eval", rav4, "--model", join(dir, "m"), "--json"], e.io), e.err.join("")).toBe(0);
      expect(JSON.parse(e.out.join("")).ratio_to_best_baseline).toBeCloseTo(lam.metrics.ratio_to_best_baseline, 10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("a fresh model's residual is over the best baseline by default; --residual-over last is the old head, refused with --finetune", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-residual-default-"));
    try {
      const args = (out: string) => ["train", rav4, "--out", join(dir, out), "--holdout-tail", "0.3", "--history", "1.0", "--units", "8", "--epochs", "2",
        "--features", "speed,yaw_rate,accel,steer_cmd,accel_cmd", "--actions", "steer_cmd,accel_cmd", "--json"];
      for (const [out, extra] of [["default", []], ["best", ["--residual-over", "best"]], ["last", ["--residual-over", "last"]]] as const) {
        const t = io();
        expect(await main([...args(out), ...extra], t.io), t.err.join("")).toBe(0);
      }
      const read = async (out: string) => JSON.parse(await readFile(join(dir, out, "lam.json"), "utf8"));
      const [def, best, last] = [await read("default"), await read("best"), await read("last")];
      // The default is --residual-over best, byte for byte: same weights, same record.
      expect(def.weightsSha256).toBe(best.weightsSha256);
      expect(def.training.options.residualOver).toBe("best");
      expect(def.head).toEqual(best.head);
      // "last": the residual over the last action with the small random head start, as the bundled models were trained.
      expect(last.training.options.residualOver).toBeUndefined();
      expect(last.head.residual_over).toBeUndefined();
      expect(last.weightsSha256).not.toBe(best.weightsSha256);
      const bad = io();
      expect(await main(["train", rav4, "--out", join(dir, "ft"), "--finetune", join(dir, "best"), "--epochs", "1", "--residual-over", "last"], bad.io)).toBe(2);
      expect(bad.err.join("")).toMatch(/--residual-over last applies to a fresh model/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
