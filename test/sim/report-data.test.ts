// What the reports plot, on hand-made frames where every value is known: the k-ahead series is the prediction
// made k ticks earlier, and the error-against-horizon curves are the per-step errors (hold-last on a ramp is off
// by 0.01·(step+1) at each step; an oracle plus an offset by the offset).
import { describe, expect, it } from "vitest";
import { holdLast } from "../../dynamics/baselines/hold-last.js";
import type { ActionSequence, Predictor } from "../../dynamics/types.js";
import { frameChannel } from "../../perception/channels.js";
import { Validity, type Drive, type Frame } from "../../perception/types.js";
import { policyPreset } from "../../policy/presets.js";
import { replayFrameSpec, replayFrames } from "../../sim/replay/engine.js";
import { aheadSeries, aheadSteps, poolHorizon, predictionAhead } from "../../sim/report/index.js";

const RATE = 20;
const H = 20;
const ACTIONS = ["speed_cmd", "steer_cmd"];
const SPEC = replayFrameSpec({ rate: RATE, channels: ["speed", "speed_cmd", "steer_cmd"].map((c) => frameChannel(c)) });
const NAMES = SPEC.channels.map((c) => c.name);
const col = (n: string) => NAMES.indexOf(n);

/** speed_cmd ramps 0.01 per tick from 1.0, steer_cmd is 0.02 · sin. */
function frames(n: number, t0 = 1000): Frame[] {
  return Array.from({ length: n }, (_, i) => {
    const values = new Float32Array(NAMES.length).fill(NaN);
    const valid = new Uint8Array(NAMES.length);
    const set = (c: string, v: number) => ((values[col(c)] = v), (valid[col(c)] = Validity.Fresh));
    set("speed_cmd", 1 + 0.01 * i);
    set("steer_cmd", 0.02 * Math.sin(i / 10));
    set("speed", 1 + 0.01 * i);
    return { t: t0 + i / RATE, values, valid };
  });
}

/** Reads the recorded future (plus `offset`), or with `tag` a value naming its tick, step and channel. */
function oracle(fs: readonly Frame[], opts: { offset?: number; tag?: boolean } = {}): Predictor {
  let i = 0;
  return {
    name: "oracle",
    reset: () => void (i = 0),
    step(frame: Frame): ActionSequence {
      const mean = new Float32Array(H * ACTIONS.length);
      for (let s = 0; s < H; s++)
        ACTIONS.forEach((a, c) => {
          const f = fs[Math.min(fs.length - 1, i + 1 + s)];
          mean[s * ACTIONS.length + c] = opts.tag ? i * 1000 + s * 10 + c : f.values[col(a)] + (opts.offset ?? 0);
        });
      i++;
      return { t0: frame.t + 1 / RATE, dt: 1 / RATE, channels: ACTIONS, mean, model: "oracle" };
    },
  };
}

const drive: Drive = {
  name: "synthetic",
  path: "(memory)",
  format: "csv",
  channels: ["speed", "speed_cmd", "steer_cmd"].map((name) => ({ name, unit: "", t: new Float64Array([0]), values: new Float64Array([0]), source: "test" })),
  rejected: {},
  issues: [],
};
const policy = policyPreset("robot-1-10");
const replay = (fs: Frame[], predictor: Predictor, onTick?: (seq: ActionSequence | undefined, i: number) => void) =>
  replayFrames(drive, fs, {}, {
    frameSpec: SPEC,
    predictor,
    policy,
    actions: ACTIONS,
    baselines: [holdLast({ frameChannels: NAMES, actions: ACTIONS, rate: RATE, horizon: H })],
    onTick: onTick && ((r, i) => onTick(r.prediction, i)),
  });

describe("k ticks ahead", () => {
  it("leads of 0.5 s and 1 s within the horizon", () => {
    expect(aheadSteps(20, 20)).toEqual([10, 20]);
    expect(aheadSteps(20, 10)).toEqual([10]);
    expect(aheadSteps(10, 20)).toEqual([5, 10]);
    expect(aheadSteps(2, 4)).toEqual([2]); // 0.5 s is the first step: not plotted twice
    expect(aheadSteps(20, 5)).toEqual([]);
  });

  it("the replay records, per tick, the step of its own prediction that lands k ticks later", () => {
    const fs = frames(80);
    const seqs: ActionSequence[] = [];
    const out = replay(fs, oracle(fs, { tag: true }), (s) => seqs.push(s!));
    out.run.ticks.forEach((t, i) => {
      for (const k of [10, 20]) for (const [c, ch] of ACTIONS.entries()) {
        expect(t.prediction!.ahead![String(k)][ch]).toBe(seqs[i].mean[(k - 1) * ACTIONS.length + c]);
        expect(t.prediction!.ahead![String(k)][ch]).toBe(i * 1000 + (k - 1) * 10 + c);
      }
    });
    // A predictor whose first step is two ticks out: lead k is its step k − 2.
    const late: ActionSequence = { t0: 1000 + 2 / RATE, dt: 1 / RATE, channels: ["a"], mean: Float32Array.from({ length: 20 }, (_, s) => s), model: "x" };
    expect(predictionAhead(late, 1000, RATE)).toEqual({ "10": { a: 8 }, "20": { a: 18 } });
  });

  it("the k-ahead series at tick n is what the prediction made at tick n − k gave, null before and across a time break", () => {
    const fs = frames(80);
    const out = replay(fs, oracle(fs, { tag: true }));
    for (const k of [10, 20]) {
      const series = aheadSeries(out.run.ticks, "steer_cmd", k, RATE);
      series.forEach((v, n) => expect(v).toBe(n < k ? null : (n - k) * 1000 + (k - 1) * 10 + 1));
    }
    // Ticks 40… moved 5 s later: no value whose source lies before the break.
    const broken = out.run.ticks.map((t, n) => (n >= 40 ? { ...t, t: t.t + 5 } : t));
    const s10 = aheadSeries(broken, "speed_cmd", 10, RATE);
    expect(s10.slice(40, 50)).toEqual(new Array(10).fill(null));
    expect(s10[50]).toBe(40 * 1000 + 90);
    expect(s10[39]).toBe(29 * 1000 + 90);
  });
});

describe("error against horizon", () => {
  it("is the per-step error of the model and of each baseline on the model's ticks; its mean is the ADE", () => {
    const fs = frames(100);
    const out = replay(fs, oracle(fs, { offset: 0.5 }));
    const h = out.detail.horizon!;
    expect(h.step_s).toBeCloseTo(1 / RATE, 12);
    expect(h.ticks).toEqual({ speed_cmd: 100 - H, steer_cmd: 100 - H });
    for (const ch of ACTIONS) {
      expect(h.model[ch]).toHaveLength(H);
      for (const v of h.model[ch]) expect(v).toBeCloseTo(0.5, 5);
    }
    // Hold-last on a ramp of 0.01 per tick: step s is 0.01·(s+1) off.
    h.baselines.hold_last.speed_cmd.forEach((v, s) => expect(v).toBeCloseTo(0.01 * (s + 1), 5));
    const mean = (xs: readonly (number | null)[]) => xs.reduce((a: number, b) => a + b!, 0) / xs.length;
    expect(mean(h.baselines.hold_last.speed_cmd)).toBeCloseTo(out.detail.baselines.hold_last.per_channel.speed_cmd.ade!, 5);
    expect(mean(h.model.steer_cmd)).toBeCloseTo(out.detail.model.per_channel.steer_cmd.ade!, 5);
  });

  it("pools drives weighted by the predictions scored on each", () => {
    const a = { step_s: 0.05, ticks: { x: 1 }, model: { x: [1, 2] }, baselines: { b: { x: [3, null] } } };
    const b = { step_s: 0.05, ticks: { x: 3 }, model: { x: [5, 6] }, baselines: { b: { x: [7, 8] } } };
    expect(poolHorizon([a, b])).toEqual({ step_s: 0.05, ticks: { x: 4 }, model: { x: [4, 5] }, baselines: { b: { x: [6, 8] } } });
    expect(poolHorizon([])).toBeNull();
  });
});
