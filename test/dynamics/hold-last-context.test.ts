// "Last action" means one thing everywhere: the last observed finite value of the action since the stream (or the
// evaluation block) began, else the head's fallback — ActionTrack's rule, which the hold-last baseline streams. So a
// head answering "hold_last" (head.source, or a net residual over hold-last that outputs zero) IS the hold-last
// baseline, through evaluate and through every streaming predictor, also where the newest frame's action is Missing
// or NaN. Before, the head's context jumped to the fallback (the training mean) on such a frame: on the F1TENTH
// held-out tails 2 of 1029 windows differed and put speed_cmd, answered by "hold_last", at 1.013 of its own baseline.
import { beforeAll, describe, expect, it } from "vitest";
import { resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Validity, type Frame } from "../../perception/types.js";
import { BatchPredictor, FastPredictor, predictorModel, type PredictorModel } from "../../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { holdLast } from "../../dynamics/baselines/index.js";
import { channelIndex, headContext, heldBefore, type HeadSpec } from "../../dynamics/codec.js";
import { evaluate, scoreBaselines } from "../../dynamics/evaluate.js";
import { headPrior } from "../../dynamics/prior/head.js";
import { defaultPrior } from "../../dynamics/prior/spec.js";
import { loadModel } from "../../dynamics/save.js";
import { cutWindows, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import type { LamJson, LoadedModel } from "../../dynamics/lam-json.js";
import type { Predictor } from "../../dynamics/types.js";
import { defaultModelDir, dirStore, packageRoot } from "../../runtime/model-dir.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { prng } from "../../dynamics/prng.js";
import { frameChannels, testModel, testSpec } from "./predictor-fixtures.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Fallbacks far from any action value, so that a context that fell back stands out. */
const FALLBACK = [40, -40];

/** A model answering every action by `source`, or (zero) its net zeroed: a residual of 0 over hold-last. */
function withHead(m: PredictorModel, over: Partial<HeadSpec>, zero = false): PredictorModel {
  if (zero) {
    const head = m.model.getLayer("head");
    tf.tidy(() => head.setWeights(head.getWeights().map((w) => tf.zerosLike(w))));
  }
  return { ...m, head: { ...m.head, fallback: FALLBACK, ...over } };
}

/**
 * Smooth actions with gaps: action 0 Missing two frames in every 20 and NaN-flagged-valid once, action 1 Missing once
 * in 20; both Missing over `silent` (e.g. a block's first frames, longer than the history).
 */
function gappyFrames(n: number, seed: number, silent: readonly [number, number][] = []): Frame[] {
  const rng = prng(seed);
  const a0 = frameChannels.indexOf("steer_cmd");
  const a1 = frameChannels.indexOf("accel_cmd");
  return Array.from({ length: n }, (_, i) => {
    const values = Float32Array.from(frameChannels, (_c, j) => Math.sin(i / 15 + j) * (1 + j) + (rng.next() - 0.5) * 0.2);
    const valid = new Uint8Array(frameChannels.length).fill(Validity.Fresh);
    const miss = (j: number) => {
      values[j] = NaN;
      valid[j] = Validity.Missing;
    };
    if (i % 20 === 0 || i % 20 === 1) miss(a0);
    if (i % 20 === 10) values[a0] = NaN; // corrupt: NaN although flagged valid
    if (i % 20 === 12) miss(a1);
    if (silent.some(([s, e]) => i >= s && i < e)) (miss(a0), miss(a1));
    return { t: 100 + i / 20, values, valid };
  });
}

/** Steps every predictor and the hold-last baseline over `frames` (all reset at `resets`); returns how many ticks differed. */
function streamAgainstHoldLast(predictors: readonly Predictor[], m: PredictorModel, channels: readonly string[], frames: readonly Frame[], resets: readonly number[] = []) {
  const base = holdLast({ frameChannels: channels, actions: m.spec.actions, rate: m.spec.rate, horizon: m.spec.horizon, fallback: m.head.fallback });
  let differ = 0;
  frames.forEach((f, i) => {
    if (resets.includes(i)) [base, ...predictors].forEach((p) => p.reset());
    const want = Array.from(base.step(f).mean);
    for (const p of predictors) if (JSON.stringify(Array.from(p.step(f).mean)) !== JSON.stringify(want)) differ++;
  });
  return differ;
}

/** Ticks whose newest frame has some action unobserved after an observation since the last reset (where the old context fell back). */
function heldTicks(frames: readonly Frame[], channels: readonly string[], actions: readonly string[], resets: readonly number[] = []): number {
  const idx = channelIndex(channels, actions);
  let seen = new Array<boolean>(actions.length).fill(false);
  let n = 0;
  frames.forEach((f, i) => {
    if (resets.includes(i)) seen = seen.map(() => false);
    const ok = Array.from(idx, (j) => f.valid[j] !== Validity.Missing && Number.isFinite(f.values[j]));
    if (ok.some((o, a) => !o && seen[a])) n++;
    ok.forEach((o, a) => (seen[a] ||= o));
  });
  return n;
}

function loaded(m: PredictorModel): LoadedModel {
  return { model: m.model, meta: { spec: m.spec, head: m.head, normalisation: { features: m.featureNorm } } as unknown as LamJson };
}

/** Evaluates `m` on `blocks`; returns the report and how many windows' means differ from the hold-last baseline's. */
function evaluateAgainstHoldLast(m: PredictorModel, series: FrameSeries, blocks: readonly Block[]) {
  const lm = loaded(m);
  const scored = scoreBaselines(lm.meta, [series], blocks, { keepMeans: true });
  const per = m.spec.horizon * m.spec.actions.length;
  const hold = scored.means!.hold_last;
  let differ = 0;
  const report = evaluate(lm, [series], blocks, {}, {
    baselines: scored,
    onModel: (i, mean) => {
      if (JSON.stringify(Array.from(mean)) !== JSON.stringify(Array.from(hold.subarray(i * per, (i + 1) * per)))) differ++;
    },
  });
  return { report, differ };
}

/** Evaluation windows whose newest frame has an action Missing or NaN (where the old context fell back). */
function newestUnobserved(series: FrameSeries, blocks: readonly Block[], m: PredictorModel): number {
  const w = cutWindows([series], blocks, m.spec, m.featureNorm, m.head);
  const idx = channelIndex(series.channels, m.spec.actions);
  let n = 0;
  for (let i = 0; i < w.n; i++) {
    const f = series.frames[w.end[i] - 1];
    if (Array.from(idx).some((j) => f.valid[j] === Validity.Missing || !Number.isFinite(f.values[j]))) n++;
  }
  return n;
}

const block = (drive: string, start: number, end: number): Block => ({ drive, role: "test", start, end, t0: 0, t1: 0 });

describe("a head answering hold-last is the hold-last baseline where the newest action is Missing (synthetic)", () => {
  const spec = testSpec();
  const channels = [...frameChannels];
  const frames = gappyFrames(240, 3, [[0, 3], [120, 136]]);

  it("the drive exercises it: ticks whose newest action is unobserved after an observed one", () => {
    expect(heldTicks(frames, channels, spec.actions, [120])).toBeGreaterThan(30);
  });

  for (const [name, over, zero] of [
    ["head.source hold_last", { source: ["hold_last", "hold_last"] }, false],
    ["a zero residual over hold-last", {}, true],
  ] as const) {
    it(`${name}: FastPredictor (JS, SIMD), BatchPredictor and the tfjs window path give the baseline's means, tick by tick, across a reset`, () => {
      const m = withHead(testModel(spec), over as Partial<HeadSpec>, zero);
      const fast = [new FastPredictor(m, { frameChannels: channels, kernel: "js" }), new FastPredictor(m, { frameChannels: channels, kernel: "simd", reuseOutput: true })];
      const tfjs = new TfjsWindowPredictor(m, { frameChannels: channels });
      expect(streamAgainstHoldLast([...fast, tfjs], m, channels, frames, [120])).toBe(0);
      // Two agents on different drives keep their own held actions; resetting one forgets only its own.
      const batch = new BatchPredictor(m, 2, { frameChannels: channels });
      const other = gappyFrames(240, 9, [[50, 70]]);
      const base = [0, 1].map(() => holdLast({ frameChannels: channels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback: FALLBACK }));
      let differ = 0;
      frames.forEach((f, i) => {
        if (i === 120) (batch.resetAgent(0), base[0].reset());
        const got = batch.step([f, other[i]]);
        [f, other[i]].forEach((fr, k) => (differ += JSON.stringify(Array.from(got[k].mean)) === JSON.stringify(Array.from(base[k].step(fr).mean)) ? 0 : 1));
      });
      expect(differ).toBe(0);
    });

    it(`${name}: evaluate scores the baseline's means on every window, so each action's ratio is exactly 1 (blocks reset the held action)`, () => {
      const m = withHead(testModel(spec), over as Partial<HeadSpec>, zero);
      const series: FrameSeries = { name: "gappy", channels, frames };
      // The second block starts with both actions silent for longer than the history: its first windows must fall
      // back (the baseline restarts there), not reach back into the first block.
      const blocks = [block("gappy", 0, 120), block("gappy", 120, 240)];
      const { report, differ } = evaluateAgainstHoldLast(m, series, blocks);
      expect(report.windows).toBeGreaterThan(40);
      expect(newestUnobserved(series, blocks, m)).toBeGreaterThan(5);
      expect(differ).toBe(0);
      for (const a of spec.actions) expect(report.model.per_channel[a].ade).toBe(report.baselines.hold_last.per_channel[a].ade);
    });
  }

  it("with a head prior, the prior reads the held actions (kept apart from the context it overwrites)", () => {
    const m = withHead(testModel(spec), { prior: defaultPrior("car", spec.rate) }, true);
    const prior = headPrior(m.head.prior!, channels, spec.actions);
    const idx = channelIndex(channels, spec.actions);
    const preds = [new FastPredictor(m, { frameChannels: channels, kernel: "js" }), new TfjsWindowPredictor(m, { frameChannels: channels })];
    const held = new Float64Array(2);
    let differ = 0;
    let heldMatters = 0;
    frames.forEach((f, i) => {
      if (i === 120) preds.forEach((p) => p.reset());
      const from = i >= 120 ? 120 : 0;
      // A zero residual over the prior: every step's mean is the prior's action on the held last actions.
      const want = headContext(f, idx, m.head, undefined, prior, heldBefore(frames, from, i + 1, idx, held));
      const old = headContext(f, idx, m.head, undefined, prior);
      if (Array.from(want).some((v, a) => v !== old[a])) heldMatters++;
      for (const p of preds) {
        const mean = p.step(f).mean;
        for (let k = 0; k < spec.horizon; k++) if (mean[k * 2] !== want[0] || mean[k * 2 + 1] !== want[1]) differ++;
      }
    });
    expect(heldMatters).toBeGreaterThan(10);
    expect(differ).toBe(0);
  });
});

describe("on a real drive (F1TENTH DS1, bundled default model) with action samples removed", () => {
  let m: PredictorModel;
  let series: FrameSeries;

  beforeAll(async () => {
    const base = predictorModel(await loadModel(dirStore(defaultModelDir())));
    m = { ...base, head: { ...base.head, source: base.spec.actions.map(() => "hold_last" as const) } };
    const s = await loadSeries(resolve(packageRoot(), "../shared/data/f1tenth/DS1"), m.spec);
    const [speed, steer] = channelIndex(s.channels, ["speed_cmd", "steer_cmd"]);
    // Remove samples as a lossy link would: speed_cmd every 53rd frame (two in a row every 212th), steer_cmd every
    // 71st, and one corrupt (NaN flagged valid) speed_cmd every 97th.
    const frames = s.frames.map((f, i) => {
      const values = Float32Array.from(f.values);
      const valid = Uint8Array.from(f.valid);
      const drop = (j: number) => ((values[j] = NaN), (valid[j] = Validity.Missing));
      if (i % 53 === 0 || i % 212 === 1) drop(speed);
      if (i % 71 === 0) drop(steer);
      if (i % 97 === 50) values[speed] = NaN;
      return { t: f.t, values, valid };
    });
    series = { ...s, frames };
  });

  it("evaluate: every window's means are the hold-last baseline's; speed_cmd and steer_cmd at exactly 1.0 of it", () => {
    const n = series.frames.length;
    const blocks = [block(series.name, 0, 400), block(series.name, 400, n)];
    const { report, differ } = evaluateAgainstHoldLast(m, series, blocks);
    expect(report.windows).toBeGreaterThan(200);
    expect(newestUnobserved(series, blocks, m)).toBeGreaterThan(5);
    expect(differ).toBe(0);
    for (const a of m.spec.actions) expect(report.model.per_channel[a].ade).toBe(report.baselines.hold_last.per_channel[a].ade);
  });

  it("the real-time predictor (SIMD and JS kernels) and the tfjs path give the baseline's means on every tick", () => {
    const ch = series.channels;
    const fast = [new FastPredictor(m, { frameChannels: ch }), new FastPredictor(m, { frameChannels: ch, kernel: "js" })];
    expect(streamAgainstHoldLast(fast, m, ch, series.frames, [400])).toBe(0);
    // tfjs (a full forward pass per tick) on 240 ticks from a reset.
    expect(streamAgainstHoldLast([new TfjsWindowPredictor(m, { frameChannels: ch })], m, ch, series.frames.slice(300, 540))).toBe(0);
  }, 60_000);
});
