// Per action, a head answers with the net or with the best baseline chosen on validation (head.source: hold_last,
// linear, ar). The baseline numbers must be the streaming baselines' own, in the real-time predictor, the tfjs
// reference path and evaluation alike; and on a drive where the net cannot win, no action is answered by the net.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { Validity, type Frame } from "../../perception/types.js";
import { FastPredictor } from "../../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { arPredictor, linearExtrapolation, SourceTrack, type ArFit } from "../../dynamics/baselines/index.js";
import { checkHead, decodeHead, type HeadSpec } from "../../dynamics/model.js";
import { chooseSources, tailSplit, trainRun } from "../../dynamics/train-run.js";
import { evaluate } from "../../dynamics/evaluate.js";
import { blocksFromRecord, type FrameSeries } from "../../dynamics/dataset.js";
import { prng } from "../../dynamics/prng.js";
import type { EvalReport } from "../../dynamics/lam-json.js";
import { frameChannels, maxAbsDiff, randomFrames, testModel, testSpec } from "./predictor-fixtures.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const AR: ArFit = { p: 3, phi: [[0.5, -0.2, 0.1], [0.3, 0.1, -0.05]] };

describe("head.source baselines", () => {
  it("decodeHead takes a linear/AR action's mean from the baseline means and refuses to guess without them", () => {
    const head: HeadSpec = { kind: "residual-hold", scale: [1, 2], fallback: [0, 0], eps: 1e-3, source: ["linear", "model"] };
    const raw = [0.5, 0, 0.25, 0, 1, 0, 1, 0];
    const base = [7, 8, 9, 10];
    const d = decodeHead(raw, [1, 2], head, 2, undefined, base);
    expect(Array.from(d.mean)).toEqual([7, 2.5, 9, 4]);
    expect(() => decodeHead(raw, [1, 2], head, 2)).toThrow(/head.source\[0\]="linear" needs the baseline's mean/);
  });

  it("checkHead: an unknown source and an 'ar' source without its fit are named", () => {
    const head: HeadSpec = { kind: "residual-hold", scale: [1, 2], fallback: [0, 0], eps: 1e-3 };
    expect(() => checkHead({ ...head, source: ["model", "kalman" as never] }, 2)).toThrow(/head.source\[1\]="kalman" is not one of/);
    expect(() => checkHead({ ...head, source: ["ar", "model"] }, 2)).toThrow(/head.ar \(the AR fit\) is missing/);
    expect(() => checkHead({ ...head, source: ["ar", "model"], ar: { p: 2, phi: [[0, NaN], [0, 0]] } }, 2)).toThrow(/phi\[0\]=\[0,null\]/);
    expect(() => checkHead({ ...head, source: ["ar", "linear"], ar: AR }, 2)).not.toThrow();
  });

  it("SourceTrack gives the streaming baselines' numbers exactly, through Missing/NaN actions and a reset", () => {
    const spec = testSpec();
    const cfg = { frameChannels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback: [0.5, -0.5] };
    const track = new SourceTrack(frameChannels, spec.actions, spec.rate, spec.horizon, { source: ["linear", "ar"], fallback: [0.5, -0.5], ar: AR });
    const lin = linearExtrapolation(cfg);
    const ar = arPredictor(cfg, AR);
    const base = new Float32Array(spec.horizon * 2);
    randomFrames(200, 3, 0.2).forEach((f, i) => {
      if (i === 90) [track, lin, ar].forEach((p) => p.reset());
      track.step(f, base);
      const l = lin.step(f).mean;
      const r = ar.step(f).mean;
      for (let k = 0; k < spec.horizon; k++) {
        expect(base[k * 2]).toBe(l[k * 2]);
        expect(base[k * 2 + 1]).toBe(r[k * 2 + 1]);
      }
    });
  });

  it("FastPredictor (JS and SIMD kernels) and the tfjs window path agree with linear/AR/hold-last/model sources", () => {
    const spec = testSpec();
    const m0 = testModel(spec);
    for (const source of [["linear", "ar"], ["ar", "hold_last"], ["model", "linear"]] as const) {
      const m = { ...m0, head: { ...m0.head, source: [...source], ar: { p: 3, phi: AR.phi } } };
      const fast = [new FastPredictor(m, { frameChannels, kernel: "js" }), new FastPredictor(m, { frameChannels, kernel: "simd" })];
      const ref = new TfjsWindowPredictor(m, { frameChannels });
      const cfg = { frameChannels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback: m.head.fallback };
      const baselines = { linear: linearExtrapolation(cfg), ar: arPredictor(cfg, AR) } as const;
      let worst = 0;
      randomFrames(120, 17).forEach((f, i) => {
        if (i === 70) [...fast, ref, ...Object.values(baselines)].forEach((p) => p.reset());
        const r = ref.step(f);
        for (const k of fast) worst = Math.max(worst, maxAbsDiff(k.step(f).mean, r.mean));
        const lin = baselines.linear.step(f).mean;
        const ar = baselines.ar.step(f).mean;
        source.forEach((s, a) => {
          if (s === "model") return;
          const want = s === "linear" ? lin : s === "ar" ? ar : null;
          for (let k = 0; k < spec.horizon; k++) {
            // hold-last: the last usable action (headContext), else the baseline's exact number.
            if (want) expect(r.mean[k * 2 + a]).toBe(want[k * 2 + a]);
            else expect(r.mean[k * 2 + a]).toBe(r.mean[a]);
          }
        });
      });
      expect(worst).toBeLessThan(5e-6);
    }
  });
});

describe("chooseSources", () => {
  const sum = (s: number, t: number) => ({ ade: 0, fde: 0, per_channel: { speed_cmd: { ade: s, fde: 0 }, steer_cmd: { ade: t, fde: 0 } } });
  const report = (model: ReturnType<typeof sum>, hold: ReturnType<typeof sum>, linear: ReturnType<typeof sum>, ar: ReturnType<typeof sum>): EvalReport => ({
    model,
    baselines: { hold_last: hold, linear, ar4: ar },
    windows: 3,
    ratio_to_best_baseline: 1,
    best_baseline: "hold_last",
    data: {},
  });
  it("per action, the lowest validation ADE; the net only when strictly below every baseline; ties to the simpler baseline", () => {
    const c = chooseSources(report(sum(0.5, 0.1), sum(0.6, 0.3), sum(0.4, 0.2), sum(0.3, 0.2)), ["speed_cmd", "steer_cmd"]);
    expect(c.source).toEqual(["ar", "model"]);
    expect(c.per_channel.speed_cmd).toEqual({ model_ade: 0.5, hold_last_ade: 0.6, linear_ade: 0.4, ar_ade: 0.3, ratio: 1 });
    expect(c.per_channel.steer_cmd.ratio).toBeCloseTo(0.5, 12);
    const t = chooseSources(report(sum(0.4, 0.3), sum(0.4, 0.5), sum(0.4, 0.3), sum(0.5, 0.3)), ["speed_cmd", "steer_cmd"]);
    expect(t.source).toEqual(["hold_last", "linear"]);
  });
});

/** A drive whose action is white noise around a slow sine, uncorrelated with every feature: nothing to learn. */
function noiseDrive(seconds: number, seed: number): FrameSeries {
  const rng = prng(seed);
  const frames: Frame[] = [];
  for (let i = 0; i < seconds * 20; i++) {
    const speed = 5 + Math.sin(i / 40);
    const cmd = rng.next() * 2 - 1;
    frames.push({ t: 50 + i / 20, values: Float32Array.from([speed, rng.next() - 0.5, cmd]), valid: Uint8Array.from([Validity.Fresh, Validity.Fresh, Validity.Fresh]) });
  }
  return { name: "noise", channels: ["speed", "accel", "speed_cmd"], frames };
}

describe("a model that never loses to a baseline", () => {
  it("on noise actions every action is answered by its best validation baseline, so model ÷ baseline on the held-out tail is that baseline's own ratio", async () => {
    const s = noiseDrive(120, 5);
    const spec = { features: ["speed", "accel", "speed_cmd"], actions: ["speed_cmd"], rate: 20, history: 10, horizon: 5, layers: 1, units: 8 };
    const run = await trainRun([s], spec, { epochs: 2, seed: 3, holdoutTail: 0.3, blockSeconds: 10, trainer: "tfjs" });
    const v = run.meta.training!.validation!;
    // The net would not beat the baselines on validation (it cannot predict noise better than they do)…
    expect(v.source[0]).not.toBe("model");
    expect(run.meta.head.source).toEqual(v.source);
    expect(v.per_channel.speed_cmd.ratio).toBeLessThanOrEqual(1);
    // …so on the held-out last 30 % the model's error is exactly the chosen baseline's.
    const m = run.meta.metrics!;
    const name = v.source[0] === "ar" ? "ar4" : v.source[0];
    expect(m.model.per_channel.speed_cmd.ade).toBe(m.baselines[name].per_channel.speed_cmd.ade);
    const test = run.meta.training!.split.filter((b) => b.role === "test");
    expect(test).toHaveLength(1);
    expect(test[0].t0).toBeGreaterThanOrEqual(s.frames[Math.round(s.frames.length * 0.7)].t);
    // And lam eval on the same drive (blocks from the record) scores the same windows and numbers.
    const again = evaluate({ model: run.model, meta: { ...run.meta, version: 1, weightsSha256: "" } }, [s], blocksFromRecord(s, run.meta.training!.split.filter((b) => b.role === "test") as never), { noise: "test_blocks" });
    expect(again.model.per_channel.speed_cmd.ade).toBe(m.model.per_channel.speed_cmd.ade);
    run.model.dispose();
  }, 120_000);

  it("tailSplit: train/validation before the cut, one test block after it with a history + horizon gap", () => {
    const s = noiseDrive(100, 1);
    const spec = testSpec({ features: ["speed"], actions: ["speed_cmd"], history: 10, horizon: 5 });
    const blocks = tailSplit([s], spec, 10, 0.3);
    const cut = Math.round(2000 * 0.7);
    expect(blocks.filter((b) => b.role === "test")).toEqual([{ drive: "noise", role: "test", start: cut + 15, end: 2000, t0: s.frames[cut + 15].t, t1: s.frames[1999].t }]);
    expect(blocks.filter((b) => b.role !== "test").every((b) => b.end <= cut)).toBe(true);
    expect(blocks.some((b) => b.role === "val")).toBe(true);
    expect(() => tailSplit([s], spec, 10, 1)).toThrow(/holdout tail=1/);
  });
});
