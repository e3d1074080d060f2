import { describe, expect, it } from "vitest";
import { addToTally, applyOverrides, emptyTally, fallbackSteer, readFallbackPath, initialPolicyMemory, listParamKeys, MIN_DT, policyPreset, policyStep, resolveBounds, type PolicyInput } from "../../policy/index.js";
import { memoryAfter, prediction, run } from "./helpers.js";

// Tests written for StrykerJS survivors (docs/mutation.md lists each mutant and the test here that kills it).

const car = policyPreset("passenger-car"); // nominalDt 0.05 s, maxDt 0.2 s
const good = { steer_cmd: 0.01, accel_cmd: 0.3 };
const tick = (t: number, extra: Partial<PolicyInput> = {}): PolicyInput => ({ prediction: prediction(t, good), state: { t, speed: 10 }, ...extra });
const names = (bs: readonly { limit: string }[]): string[] => bs.map((b) => b.limit);

describe("resolveBounds at touching and overridden edges", () => {
  it("a bound whose edge only touches the running interval is met, not overridden", () => {
    const below = resolveBounds(0.5, [
      { limit: "steer_angle", lo: 0, hi: 1 },
      { limit: "steer_rate", lo: -1, hi: 0 },
    ]);
    expect(below).toEqual({ value: 0, acted: [{ limit: "steer_rate", lo: -1, hi: 0 }], overridden: [] });
    const above = resolveBounds(0.5, [
      { limit: "steer_angle", lo: 0, hi: 1 },
      { limit: "steer_rate", lo: 1, hi: 2 },
    ]);
    expect(above).toEqual({ value: 1, acted: [{ limit: "steer_rate", lo: 1, hi: 2 }], overridden: [] });
  });

  it("a request already on the edge an override forced is unchanged and names no limit as acting", () => {
    const r = resolveBounds(0.3, [
      { limit: "steer_angle", lo: -0.3, hi: 0.3 },
      { limit: "steer_rate", lo: 0.7, hi: 0.9 },
    ]);
    expect(r.value).toBe(0.3);
    expect(r.acted).toEqual([]);
    expect(names(r.overridden)).toEqual(["steer_rate"]);
  });

  it("an overridden limit on the far side of the move is not named as acting (down and up)", () => {
    // The value moves down to 0.3; the overridden rate limit wanted it up (its hi equals the request).
    const down = resolveBounds(0.9, [
      { limit: "steer_angle", lo: -0.3, hi: 0.3 },
      { limit: "steer_rate", lo: 0.7, hi: 0.9 },
    ]);
    expect(down.value).toBe(0.3);
    expect(names(down.acted)).toEqual(["steer_angle"]);
    // Mirror image: the value moves up to -0.3; the overridden limit below wanted it lower.
    for (const requested of [-0.5, -0.9]) {
      const up = resolveBounds(requested, [
        { limit: "steer_angle", lo: -0.3, hi: 0.3 },
        { limit: "steer_rate", lo: -0.9, hi: -0.7 },
      ]);
      expect(up.value).toBe(-0.3);
      expect(names(up.acted)).toEqual(["steer_angle"]);
      expect(names(up.overridden)).toEqual(["steer_rate"]);
    }
  });

  it("raising a request names the tighter lower limit, not the looser one", () => {
    const r = resolveBounds(0, [
      { limit: "steer_angle", lo: 0.3, hi: 1 },
      { limit: "lat_accel", lo: 0.1, hi: 1 },
    ]);
    expect(r.value).toBe(0.3);
    expect(names(r.acted)).toEqual(["steer_angle"]);
  });
});

describe("tally", () => {
  it("a tick on which no limit acted does not count as a limit tick", () => {
    const [first] = run(car, [tick(0)]);
    const quiet = { ...first!.why, interventions: [] };
    const t = addToTally(addToTally(emptyTally(), quiet), quiet);
    expect(t.ticks).toBe(2);
    expect(t.limitTicks).toBe(0);
    expect(t.limits).toEqual({});
    const acted = { ...quiet, interventions: [{ limit: "lon_jerk" as const, channel: "accel_cmd" as const, requested: 1, applied: 0.5, bound: 0.5 }] };
    expect(addToTally(t, acted).limitTicks).toBe(1);
  });
});

describe("the tick clock's status at its boundaries", () => {
  const clockOf = (ts: readonly number[]): string[] => run(car, ts.map((t) => tick(t))).map((r) => r.why.clock);

  it("first, ok, repeat (the same t), ok again", () => {
    expect(clockOf([0, 0.05, 0.05, 0.1])).toEqual(["first", "ok", "repeat", "ok"]);
  });
  it("a step of exactly maxDt is ok, a longer one a jump", () => {
    expect(clockOf([0, car.maxDt])).toEqual(["first", "ok"]);
    expect(clockOf([0, 0.25])).toEqual(["first", "jump"]);
  });
  it("a step of exactly MIN_DT is ok and used as dt, a shorter one a repeat", () => {
    const rs = run(car, [tick(0), tick(MIN_DT)]);
    expect(rs[1]!.why.clock).toBe("ok");
    expect(rs[1]!.why.dt).toBe(MIN_DT);
    expect(clockOf([0, MIN_DT / 2])).toEqual(["first", "repeat"]);
  });
  it("a jump is a clock fault naming its size", () => {
    const rs = run(car, [tick(0), tick(0.05), tick(0.8)]);
    expect(rs[2]!.why.faults).toContainEqual({ reason: "clock", detail: "time jumped 0.750 s" });
  });
  it("a time that is not finite counts as nominalDt once a time was seen, as nothing before any", () => {
    const after = run(car, [tick(0), tick(0.05), tick(NaN), tick(NaN), tick(NaN)]);
    expect(after.map((r) => r.memory.mode.faultFor)).toEqual([0, 0, 0, car.nominalDt, 2 * car.nominalDt]);
    const never = run(car, [tick(NaN), tick(NaN), tick(NaN)], initialPolicyMemory());
    expect(never.map((r) => r.memory.mode.faultFor)).toEqual([0, 0, 0]);
    expect(never.map((r) => r.memory.mode.faultTicks)).toEqual([0, 1, 2]);
  });
});

describe("state checks at their edges", () => {
  it("a speed of exactly the plausible limit is plausible, beyond it is not", () => {
    const at = policyStep(tick(0, { state: { t: 0, speed: 150 } }), initialPolicyMemory(), car);
    expect(at.why.faults.map((f) => f.reason)).not.toContain("implausible_state");
    const over = policyStep(tick(0, { state: { t: 0, speed: 150.5 } }), initialPolicyMemory(), car);
    expect(over.why.faults.map((f) => f.reason)).toContain("implausible_state");
  });
  it("staleChannels holding anything but channel names is a bad state", () => {
    const r = policyStep(tick(0, { state: { t: 0, speed: 10, staleChannels: [42] as unknown as string[] } }), initialPolicyMemory(), car);
    expect(r.why.faults).toContainEqual({ reason: "bad_state", detail: "state.staleChannels = array: not a list of channel names" });
  });
  it("policyStep survives input that is not an object at all", () => {
    const r = policyStep(null as unknown as PolicyInput, initialPolicyMemory(), car);
    expect(r.command.mode).not.toBe("model");
    expect(Object.values(r.command.values).every(Number.isFinite)).toBe(true);
    expect(r.why.faults.map((f) => f.reason)).toContain("bad_state");
  });
});

describe("speed_cmd's implied acceleration carried into the jerk limit", () => {
  const robot = policyPreset("robot-1-10"); // dt 0.02 s; at 2 m/s lonAccLim 6.5, lonJerkLim 35
  const memory = memoryAfter(0, { speed_cmd: 2, steer_cmd: 0 }, { speed_cmd: 5 });
  const step = (previous?: Record<string, number>) =>
    policyStep({ prediction: prediction(0.02, { speed_cmd: 10, steer_cmd: 0 }), state: { t: 0.02, speed: 2 }, ...(previous ? { previous: { t: 0, values: previous, mode: "model", limits: [] } } : {}) }, memory, robot);

  it("keeps the last rate when the command sent is the one it made", () => {
    for (const r of [step(), step({ speed_cmd: 2, steer_cmd: 0 })]) {
      expect(r.command.values.speed_cmd).toBeCloseTo(2 + (5 + 35 * 0.02) * 0.02, 12);
      expect(r.command.limits).toContain("lon_jerk");
    }
  });
  it("starts from rate 0 when another controller sent something else", () => {
    const r = step({ speed_cmd: 2.5, steer_cmd: 0 });
    expect(r.command.values.speed_cmd).toBeCloseTo(2.5 + 35 * 0.02 * 0.02, 12);
  });
});

describe("policyStep: what each tick reports and remembers (step.ts survivors)", () => {
  const settledCar = () => run(car, Array.from({ length: 10 }, (_, i) => tick(i * car.nominalDt))).at(-1)!.memory;
  const reasons = (r: { why: { faults: readonly { reason: string }[] } }) => r.why.faults.map((f) => f.reason);

  it("a speed of exactly the plausible limit sizes the envelope; a bad one uses the larger of the last good speed and maxSpeed", () => {
    expect(policyStep(tick(0, { state: { t: 0, speed: 150 } }), initialPolicyMemory(), car).why.envelope.speed).toBe(150);
    const bad = { ...tick(0), state: { t: 0, speed: NaN } };
    expect(policyStep(bad, { ...initialPolicyMemory(), lastSpeed: 40 }, car).why.envelope.speed).toBe(40);
    expect(policyStep(bad, { ...initialPolicyMemory(), lastSpeed: -3 }, car).why.envelope.speed).toBe(car.maxSpeed);
    expect(policyStep(bad, initialPolicyMemory(), car).why.envelope.speed).toBe(car.maxSpeed);
  });

  it("an error of null or the empty string is no predictor error", () => {
    for (const error of [null, ""]) {
      const r = policyStep({ ...tick(0), error: error as unknown as string }, initialPolicyMemory(), car);
      expect(r.why.faults).toEqual([]);
      expect(r.command.mode).toBe("model");
    }
  });

  it("a predictor error without a prediction is one fault, not also no_prediction", () => {
    const r = policyStep({ error: "boom", state: { t: 0, speed: 10 } }, initialPolicyMemory(), car);
    expect(r.why.faults).toEqual([{ reason: "model_error", detail: 'predictor error: "boom"' }]);
    expect(reasons(policyStep({ state: { t: 0, speed: 10 } }, initialPolicyMemory(), car))).toEqual(["no_prediction"]);
    // Another fault beside the missing prediction does not hide it.
    expect(reasons(policyStep({ state: { t: 0, speed: NaN } }, initialPolicyMemory(), car))).toEqual(["bad_state", "no_prediction"]);
  });

  it("a spread exactly at maxStd is allowed, above it is a fault", () => {
    const at = policyStep({ ...tick(0), prediction: prediction(0, good, { steer_cmd: 0, accel_cmd: 1.5 }) }, initialPolicyMemory(), car);
    expect(at.why.faults).toEqual([]);
    const over = policyStep({ ...tick(0), prediction: prediction(0, good, { steer_cmd: 0, accel_cmd: 1.51 }) }, initialPolicyMemory(), car);
    expect(reasons(over)).toEqual(["spread"]);
  });

  it("stop mode ramps a reversing speed_cmd up toward zero at stopDecel", () => {
    const robot = applyOverrides(policyPreset("robot-1-10"), { "policy.fallback.action": "stop" }); // stopDecel 3, dt 0.02
    const r = policyStep({ state: { t: 0.02, speed: -0.5 } }, memoryAfter(0, { speed_cmd: -0.5, steer_cmd: 0 }), robot);
    expect(r.command.mode).toBe("stop");
    expect(r.why.requested.speed_cmd).toBeCloseTo(-0.5 + 3 * 0.02, 12);
    // The jerk limit (from rate 0) lets it move only part of the way this tick, but toward zero.
    expect(r.command.values.speed_cmd).toBeGreaterThan(-0.5);
    expect(r.command.values.speed_cmd).toBeLessThan(-0.44);
  });

  it("in fallback a fresh path is followed also when standing still; no path, or one that gives no finite angle, holds the last safe steering", () => {
    const path = { offset: 0.5, heading: 0, curvature: 0 };
    const still = policyStep({ state: { t: 0.5, speed: 0 }, path }, settledCar(), car);
    expect(still.why.steerSource).toBe("path");
    const memory = { ...memoryAfter(0.45, { steer_cmd: 0.02, accel_cmd: 0 }), lastSafe: { steer_cmd: 0.05, accel_cmd: 0 } };
    const none = policyStep({ state: { t: 0.5, speed: 10 } }, memory, car);
    expect(none.why.steerSource).toBe("held");
    expect(none.why.requested.steer_cmd).toBe(0.05);
    // Finite fields whose pure-pursuit terms overflow to ∞ − ∞: the angle is NaN, so the path is not used.
    const nan = policyStep({ state: { t: 0.5, speed: 10 }, path: { offset: -1e308, heading: 1e308, curvature: 0 } }, memory, car);
    expect(nan.why.steerSource).toBe("held");
    expect(nan.why.requested.steer_cmd).toBe(0.05);
  });

  it("the reference is blended only in model mode", () => {
    const p = applyOverrides(car, { "policy.blend": 0.5 });
    const reference = { steer_cmd: 0.3, accel_cmd: 1 };
    const model = policyStep({ ...tick(0), reference }, initialPolicyMemory(), p);
    expect(model.why.blend).toEqual({ steer_cmd: 0.5, accel_cmd: 0.5 });
    const fallback = policyStep({ state: { t: 0.5, speed: 10 }, reference }, settledCar(), p);
    expect(fallback.why.blend).toEqual({ steer_cmd: 0, accel_cmd: 0 });
    expect(fallback.why.requested).toEqual(settledCar().lastSafe);
  });

  it("a repeated tick keeps speed_cmd's rate and the last time; only speed_cmd has a rate", () => {
    const robot = policyPreset("robot-1-10");
    const r = policyStep({ prediction: prediction(0, { speed_cmd: 2, steer_cmd: 0 }), state: { t: 0, speed: 2 } }, memoryAfter(0, { speed_cmd: 2, steer_cmd: 0 }, { speed_cmd: 5 }), robot);
    expect(r.why.clock).toBe("repeat");
    expect(r.command.mode).toBe("model");
    expect(r.memory.rate).toEqual({ speed_cmd: 5 });
    expect(run(car, [tick(0), tick(0.05)]).at(-1)!.memory.rate).toEqual({});
  });

  it("repeats are measured from the last time that was not a repeat", () => {
    const rs = run(car, [tick(0), tick(6e-7), tick(1.2e-6)]);
    expect(rs.map((r) => r.why.clock)).toEqual(["first", "repeat", "ok"]);
    expect(rs[1]!.memory.t).toBe(0);
    expect(rs[2]!.memory.t).toBe(1.2e-6);
  });

  it("lastSafe follows model-mode commands and stays put in fallback; began marks only the first fault tick", () => {
    const rs = run(car, [tick(0), tick(0.05), { state: { t: 0.1, speed: 10 } }, { state: { t: 0.15, speed: 10 } }]);
    expect(rs[1]!.memory.lastSafe).toEqual(rs[1]!.command.values);
    expect(rs[3]!.memory.lastSafe).toEqual(rs[1]!.command.values);
    expect(rs.map((r) => r.why.began)).toEqual([false, false, true, false]);
  });
});

describe("steering bounds (channel-bounds.ts survivors)", () => {
  it("a measured steering within actualSteerDiffLim of the request changes nothing; farther away it pulls the command to its edge", () => {
    const m = memoryAfter(0, { steer_cmd: 0.125, accel_cmd: 0 });
    const near = policyStep({ prediction: prediction(0.05, { steer_cmd: 0.125, accel_cmd: 0 }), state: { t: 0.05, speed: 10, steer: 0.125 } }, m, car);
    expect(near.command.values.steer_cmd).toBe(0.125);
    expect(near.command.limits).toEqual([]);
    const far = policyStep({ prediction: prediction(0.05, { steer_cmd: -0.4, accel_cmd: 0 }), state: { t: 0.05, speed: 2, steer: 0.3 } }, memoryAfter(0, { steer_cmd: -0.4, accel_cmd: 0 }), car);
    expect(far.command.values.steer_cmd).toBeCloseTo(0.3 - far.why.envelope.actualSteerDiffLim, 12);
    expect(far.command.limits).toContain("actual_steer_diff");
  });

  it("a previous steering beyond ±π/2 (sent by another controller) is kept just inside, so the lateral-jerk limit still pulls toward it", () => {
    const r = policyStep(
      { prediction: prediction(0.05, { steer_cmd: 0, accel_cmd: 0 }), state: { t: 0.05, speed: 10 }, previous: { t: 0, values: { steer_cmd: 3, accel_cmd: 0 }, mode: "model", limits: [] } },
      memoryAfter(0, { steer_cmd: 0, accel_cmd: 0 }),
      car,
    );
    expect(r.command.limits).toContain("lat_jerk");
    expect(r.why.overridden.map((o) => o.limit)).toEqual(["steer_rate", "lat_jerk"]);
  });
});

describe("applyOverrides and listParamKeys (overrides.ts survivors)", () => {
  it("text that is blank is not a number: it stays text and is rejected", () => {
    expect(() => applyOverrides(car, { "policy.fallback.holdTime": " " })).toThrow('policy.fallback.holdTime = " ": must be a number');
    expect(applyOverrides(car, { "policy.fallback.holdTime": " 0.25 " }).fallback.holdTime).toBe(0.25);
  });
  it("a scalar for a list that is no limit table fills that list's own length", () => {
    expect(applyOverrides(car, { "policy.fallback.criticalChannels": "speed" }).fallback.criticalChannels).toEqual(["speed", "speed"]);
    const one = applyOverrides(car, { "policy.referenceSpeeds": [5], "policy.steerLim": 0.5, "policy.steerRateLim": 0.5, "policy.lonAccLim": 4, "policy.lonJerkLim": 4, "policy.latAccLim": 4, "policy.latJerkLim": 6, "policy.actualSteerDiffLim": 0.5 });
    expect(one.steerLim).toEqual([0.5]);
    expect(() => applyOverrides(one, { "policy.channels": "steer_cmd" })).toThrow("must not repeat a channel");
  });
  it("lists index keys only for numeric lists, and errors name 'overrides' when no source is given", () => {
    const keys = listParamKeys(car);
    expect(keys).toContain("policy.channels");
    expect(keys).not.toContain("policy.channels[0]");
    expect(keys).not.toContain("policy.fallback.criticalChannels[0]");
    expect(keys).toContain("policy.fallback.action");
    expect(() => applyOverrides(car, { "policy.maxSpeed": -1 })).toThrow(/^overrides: invalid policy parameters/);
  });
  it("an index of two digits is read as such", () => {
    const speeds = Array.from({ length: 12 }, (_, i) => i);
    const tables = Object.fromEntries(["steerLim", "steerRateLim", "lonAccLim", "lonJerkLim", "latAccLim", "latJerkLim", "actualSteerDiffLim"].map((k) => [`policy.${k}`, 0.5]));
    const wide = applyOverrides(car, { "policy.referenceSpeeds": speeds, ...tables });
    expect(applyOverrides(wide, { "policy.steerLim[11]": 0.25 }).steerLim.slice(10)).toEqual([0.5, 0.25]);
  });
});

describe("fallbackSteer's law (fallback-steer.ts survivors)", () => {
  it("curvature feedforward minus pure pursuit on offset and heading, lookahead 2.2 wheelbases + 0.5 s of speed", () => {
    const path = { offset: 0.5, heading: 0.1, curvature: 0.02 };
    for (const [wheelbase, speed] of [[2.66, 10], [0.33, -2], [1, 0]] as const) {
      const l = 2.2 * wheelbase + 0.5 * Math.abs(speed);
      const expected = Math.atan(wheelbase * (0.02 - (2 * 0.5) / (l * l) - (2 * 0.1) / l));
      expect(fallbackSteer(path, wheelbase, speed)).toBeCloseTo(expected, 12);
    }
  });
  it("no path object at all is no path", () => {
    for (const x of [null, undefined, 3, "path"]) expect(readFallbackPath(x)).toBeNull();
  });
});
