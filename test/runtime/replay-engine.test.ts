// The replay engine on hand-made frames, where every ADE/FDE is known in closed form: an oracle predictor (reads
// the recorded future), the oracle plus a constant offset, and hold-last on a ramp.
import { describe, expect, it } from "vitest";
import { holdLast } from "../../dynamics/baselines/hold-last.js";
import type { ActionSequence, Predictor } from "../../dynamics/types.js";
import { frameChannel } from "../../perception/channels.js";
import { Validity, type Drive, type Frame } from "../../perception/types.js";
import { policyPreset } from "../../policy/presets.js";
import { computeMetrics } from "../../sim/metrics.js";
import { replayDrive, replayFrameSpec, replayFrames, STATE_CHANNELS } from "../../sim/replay/engine.js";

const RATE = 20;
const H = 5;
const ACTIONS = ["speed_cmd", "steer_cmd"];
const SPEC = replayFrameSpec({ rate: RATE, channels: ["speed", "speed_cmd", "steer_cmd"].map((c) => frameChannel(c)) });
const NAMES = SPEC.channels.map((c) => c.name);
const col = (n: string) => NAMES.indexOf(n);

/** speed_cmd ramps 0.01 per tick from 1.0, steer_cmd is 0.02 · sin; speed follows speed_cmd. */
function frames(n: number, t0 = 1000, missing: Record<string, number[]> = {}): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const values = new Float32Array(NAMES.length).fill(NaN);
    const valid = new Uint8Array(NAMES.length);
    const set = (c: string, v: number) => {
      if (missing[c]?.includes(i)) return;
      values[col(c)] = v;
      valid[col(c)] = Validity.Fresh;
    };
    set("speed_cmd", 1 + 0.01 * i);
    set("steer_cmd", 0.02 * Math.sin(i / 10));
    set("speed", 1 + 0.01 * i);
    set("heading", 0.1);
    out.push({ t: t0 + i / RATE, values, valid });
  }
  return out;
}

/** Predicts the recorded future exactly (plus `offset`), read from the frame series it is replayed on. */
function oracle(fs: readonly Frame[], offset = 0): Predictor {
  let i = 0;
  return {
    name: "oracle",
    reset: () => void (i = 0),
    step(frame: Frame): ActionSequence {
      const mean = new Float32Array(H * ACTIONS.length);
      for (let k = 0; k < H; k++)
        ACTIONS.forEach((a, c) => {
          const f = fs[Math.min(fs.length - 1, i + 1 + k)];
          mean[k * ACTIONS.length + c] = (Number.isNaN(f.values[col(a)]) ? 0 : f.values[col(a)]) + offset;
        });
      i++;
      return { t0: frame.t + 1 / RATE, dt: 1 / RATE, channels: ACTIONS, mean, model: "oracle" };
    },
  };
}

const drive = (channels = ["speed", "speed_cmd", "steer_cmd", "heading"]): Drive => ({
  name: "synthetic",
  path: "(memory)",
  format: "csv",
  channels: channels.map((name) => ({ name, unit: "", t: new Float64Array([0]), values: new Float64Array([0]), source: "test" })),
  rejected: {},
  issues: [],
});

const policy = policyPreset("robot-1-10");
const baseline = () => holdLast({ frameChannels: NAMES, actions: ACTIONS, rate: RATE, horizon: H });
const replay = (fs: Frame[], predictor: Predictor, d = drive()) =>
  replayFrames(d, fs, {}, { frameSpec: SPEC, predictor, policy, actions: ACTIONS, baselines: [baseline()] });

describe("replay engine", () => {
  it("scores a perfect predictor 0, an offset one by the offset, hold-last on a ramp in closed form, on the same ticks", () => {
    const fs = frames(100);
    const exact = replay(fs, oracle(fs));
    // Ticks whose horizon lies inside the drive: 100 − H.
    expect(exact.detail.model.ticks).toBe(100 - H);
    expect(exact.detail.model.ade).toBeCloseTo(0, 6);
    expect(exact.detail.model.per_channel.speed_cmd).toEqual({ ade: 0, fde: 0, ticks: 100 - H });

    const off = replay(fs, oracle(fs, 0.25));
    expect(off.detail.model.per_channel.speed_cmd.ade).toBeCloseTo(0.25, 5);
    expect(off.detail.model.per_channel.steer_cmd.fde).toBeCloseTo(0.25, 5);
    // metrics.ade (from the run's ticks) is the same figure as the replay detail's.
    expect(computeMetrics(off.run).ade).toBe(off.detail.model.ade);

    // Hold-last on a ramp of 0.01 per tick: step k is off by 0.01·(k+1); ADE = 0.01·(H+1)/2, FDE = 0.01·H.
    const hold = off.detail.baselines.hold_last;
    expect(hold.ticks).toBe(off.detail.model.ticks);
    expect(hold.per_channel.speed_cmd.ade).toBeCloseTo((0.01 * (H + 1)) / 2, 5);
    expect(hold.per_channel.speed_cmd.fde).toBeCloseTo(0.01 * H, 5);
  });

  it("held-out blocks: only predictions whose frame and whole horizon lie in a block, model and baselines alike", () => {
    const fs = frames(100);
    const r = replayFrames(drive(), fs, {}, { frameSpec: SPEC, predictor: oracle(fs, 0.1), policy, actions: ACTIONS, baselines: [baseline()], heldOut: [{ t0: 1001, t1: 1003 }] });
    // Frames 20..60 lie in [1001, 1003]; the horizon of frame i ends at t_i + H/20, so i <= 60 − H.
    expect(r.detail.held_out!.model.ticks).toBe(60 - H - 20 + 1);
    expect(r.detail.held_out!.baselines.hold_last.ticks).toBe(60 - H - 20 + 1);
    expect(r.detail.held_out!.model.per_channel.speed_cmd.ade).toBeCloseTo(0.1, 5);
    expect(r.detail.held_out!.blocks).toBe(1);
    expect(replay(fs, oracle(fs)).detail.held_out).toBeNull();
  });

  it("never scores a horizon with a Missing action: that channel loses exactly the ticks whose horizon covers the gap", () => {
    const fs = frames(100, 1000, { speed_cmd: [50] });
    const r = replay(fs, oracle(fs));
    // Predictions made at frames 45..49 cover frame 50.
    expect(r.detail.model.per_channel.speed_cmd.ticks).toBe(100 - H - H);
    expect(r.detail.model.per_channel.steer_cmd.ticks).toBe(100 - H);
    expect(r.detail.model.ticks).toBe(100 - 2 * H);
    expect(r.detail.baselines.hold_last.per_channel.speed_cmd.ticks).toBe(100 - 2 * H);
    expect(r.run.ticks[47].prediction_error).toBeNull();
    expect(r.run.ticks[47].executed).toEqual({ speed_cmd: expect.any(Number), steer_cmd: expect.any(Number) });
    expect(r.run.ticks[50].executed).not.toHaveProperty("speed_cmd");
  });

  it("a drive without the model's action channels: replayed, ADE/FDE null, and the report says why", () => {
    const fs = frames(60, 5, { speed_cmd: [...Array(60).keys()], steer_cmd: [...Array(60).keys()] });
    const r = replay(fs, oracle(fs), drive(["speed", "heading"]));
    expect(r.run.ticks).toHaveLength(60);
    expect(r.detail.actions_missing).toEqual(ACTIONS);
    expect(r.detail.model).toEqual({ ade: null, fde: null, ticks: 0, per_channel: { speed_cmd: { ade: null, fde: null, ticks: 0 }, steer_cmd: { ade: null, fde: null, ticks: 0 } } });
    expect(r.detail.notes.join(" ")).toMatch(/records no speed_cmd, steer_cmd/);
    expect(computeMetrics(r.run).ade).toBeNull();
    expect(r.run.ticks.every((t) => Object.keys(t.executed).length === 0)).toBe(true);
  });

  it("tick times are relative to the first frame; state channels the drive lacks are listed, not invented as motion", () => {
    const fs = frames(40, 1.65e9);
    const r = replay(fs, oracle(fs));
    expect(r.detail.t0).toBe(fs[0].t);
    expect(r.run.ticks[1].t).toBeCloseTo(0.05, 6);
    expect(r.detail.state_missing).toEqual(STATE_CHANNELS.filter((c) => c !== "speed" && c !== "heading"));
    expect(r.run.ticks[10].speed).toBeCloseTo(1.1, 5);
    expect(r.run.road).toBeNull();
    expect(r.run.ticks[10].s).toBeNull();
  });

  it("a non-finite prediction and a throwing predictor: the policy falls back, commands stay finite, both are counted", () => {
    const fs = frames(60);
    const base = oracle(fs);
    let n = 0;
    const bad: Predictor = {
      name: "bad",
      reset: () => base.reset(),
      step(f) {
        const s = base.step(f);
        n++;
        if (n % 10 === 3) throw new Error("kernel failed");
        if (n % 10 === 7) return { ...s, mean: s.mean.map(() => NaN) };
        return s;
      },
    };
    const r = replay(fs, bad);
    expect(r.detail.predictor_errors).toBe(6);
    expect(computeMetrics(r.run).nonfinite_commands).toBe(0);
    expect(r.run.ticks.every((t) => Object.values(t.command).every((v) => v !== null && Number.isFinite(v)))).toBe(true);
    expect(Object.keys(r.detail.fallback_reasons).length).toBeGreaterThan(0);
    expect(computeMetrics(r.run).fallback_share).toBeGreaterThan(0);
    // A NaN prediction is not averaged into the error.
    expect(Number.isFinite(r.detail.model.ade!)).toBe(true);
    expect(r.run.ticks[6].prediction_error).toBeNull();
  });

  it("counts the limits that acted by name", () => {
    const fs = frames(60);
    // Ask for 1 rad of steering: beyond the 1/10 car's 0.34 rad envelope.
    const wild: Predictor = { ...oracle(fs), name: "wild", step: (f) => ({ t0: f.t + 0.05, dt: 0.05, channels: ACTIONS, mean: new Float32Array(H * 2).fill(1), model: "wild" }), reset: () => {} };
    const r = replay(fs, wild);
    expect(r.detail.limits.steer_angle).toBeGreaterThan(0);
    expect(computeMetrics(r.run).limit_events).toBeGreaterThan(0);
    expect(r.run.ticks.some((t) => t.limits.includes("steer_angle"))).toBe(true);
  });

  it("replayDrive on an in-memory drive is replayFrames on framesFromDrive's frames", () => {
    const t = Float64Array.from({ length: 200 }, (_, i) => 10 + i / 50);
    const ch = (name: string, f: (x: number) => number) => ({ name, unit: "", source: "test", t, values: Float64Array.from(t, f) });
    const d: Drive = { ...drive(), channels: [ch("speed", (x) => x - 9), ch("speed_cmd", (x) => x - 9), ch("steer_cmd", (x) => 0.01 * Math.sin(x))] };
    const a = replayDrive(d, { frameSpec: SPEC, predictor: baseline(), policy, actions: ACTIONS });
    expect(a.detail.frames).toBeGreaterThan(70);
    expect(a.detail.model.ticks).toBeGreaterThan(60);
    expect(a.run.ticks).toHaveLength(a.detail.frames);
  });
});
