// One owner for rate and time step (pipeline/rate.ts): the model's frame rate, the control rate (Scenario.rate in
// the simulator) and the policy's nominalDt are checked against each other where a pipeline is built.
import { describe, expect, it } from "vitest";
import { holdLast } from "../../dynamics/baselines/hold-last.js";
import { frameChannel } from "../../perception/channels.js";
import { Decider, periodOf, pipelineRate, policyAtRate } from "../../pipeline/index.js";
import { policyPreset } from "../../policy/presets.js";

const FEATURES = ["speed", "steer", "speed_cmd", "steer_cmd"];
const ACTIONS = ["speed_cmd", "steer_cmd"];
const decider = (modelRate: number, controlRate?: number) =>
  new Decider({
    frameSpec: { rate: modelRate, channels: FEATURES.map((c) => frameChannel(c)) },
    predictor: holdLast({ frameChannels: FEATURES, actions: ACTIONS, rate: modelRate, horizon: 5 }),
    policy: policyPreset("robot-1-10"),
    ...(controlRate === undefined ? {} : { controlRate }),
  });

describe("pipeline rate", () => {
  it("dt = 1 / rate, and a rate that is no rate is refused by name", () => {
    expect(periodOf(20)).toBe(0.05);
    expect(() => periodOf(0, "control rate")).toThrow(/control rate=0 Hz/);
    expect(() => periodOf(NaN)).toThrow(/rate=NaN/);
  });

  it("a control rate that is not a whole multiple of the model's is refused, naming both", () => {
    expect(() => pipelineRate(20, 50)).toThrow(/control rate 50 Hz .* model's rate 20 Hz/);
    expect(() => pipelineRate(20, 10)).toThrow(/control rate 10 Hz .* model's rate 20 Hz/);
    expect(() => decider(20, 30)).toThrow(/control rate 30 Hz .* model's rate 20 Hz/);
    expect(pipelineRate(20, 40)).toEqual({ modelRate: 20, controlRate: 40, dt: 0.025 });
    expect(pipelineRate(20)).toEqual({ modelRate: 20, controlRate: 20, dt: 0.05 });
  });

  it("the policy's nominalDt is the control period (the robot preset's 50 Hz default on a 20 Hz model runs at 0.05 s)", () => {
    const preset = policyPreset("robot-1-10");
    expect(preset.nominalDt).toBe(0.02);
    expect(decider(20).policy.nominalDt).toBe(0.05);
    expect(decider(20, 40).policy.nominalDt).toBe(0.025);
    expect(policyAtRate(preset, pipelineRate(50))).toBe(preset);
    expect(decider(50).policy.nominalDt).toBe(0.02);
    // A preset whose maxDt is below the control period would call every tick a clock fault: refused, both named.
    expect(() => policyAtRate({ ...preset, maxDt: 0.04 }, pipelineRate(20))).toThrow(/maxDt=0.04 s .* control period 0.05 s \(20 Hz\)/);
  });
});
