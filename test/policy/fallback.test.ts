import { describe, expect, it } from "vitest";
import type { ActionSequence } from "../../dynamics/types.js";
import {
  addToTally,
  applyOverrides,
  emptyTally,
  initialPolicyMemory,
  policyPreset,
  policyStep,
  type FaultReason,
  type PolicyInput,
  type PolicyMemory,
  type PolicyResult,
} from "../../policy/index.js";
import { prediction, run } from "./helpers.js";

const car = policyPreset("passenger-car"); // holdTime 0.5 s, recoverTime 1 s, staleLimit 0.2 s, dt 0.05 s
const dt = car.nominalDt;
const good = { steer_cmd: 0.01, accel_cmd: 0.3 };

function healthy(i: number, extra: Partial<PolicyInput> = {}): PolicyInput {
  const t = i * dt;
  return { prediction: prediction(t, good), state: { t, speed: 10 }, ...extra };
}

/** Ten healthy ticks, so the policy is settled in model mode. */
function settled(params = car): PolicyMemory {
  const rs = run(params, Array.from({ length: 10 }, (_, i) => healthy(i)));
  expect(rs.at(-1)!.command.mode).toBe("model");
  return rs.at(-1)!.memory;
}

const t10 = 10 * dt;
const seq = (over: Partial<ActionSequence>): ActionSequence => ({ ...prediction(t10, good), ...over });

const triggers: { reason: FaultReason; input: PolicyInput; detail: RegExp }[] = [
  { reason: "model_error", input: { error: "tfjs: out of memory", state: { t: t10, speed: 10 } }, detail: /out of memory/ },
  { reason: "deadline_missed", input: { ...healthy(10), deadlineMissed: true }, detail: /deadline/ },
  { reason: "no_prediction", input: { state: { t: t10, speed: 10 } }, detail: /no prediction/ },
  { reason: "bad_prediction", input: { ...healthy(10), prediction: seq({ mean: new Float32Array(3) }) }, detail: /not a positive multiple of 2 channels/ },
  { reason: "bad_prediction", input: { ...healthy(10), prediction: seq({ mean: [0.1, "x"] as unknown as Float32Array }) }, detail: /prediction\.mean\[1\] = "x"/ },
  { reason: "bad_prediction", input: { ...healthy(10), prediction: "garbage" as unknown as ActionSequence }, detail: /not an ActionSequence/ },
  { reason: "missing_channel", input: { ...healthy(10), prediction: prediction(t10, { steer_cmd: 0 }) }, detail: /lacks accel_cmd/ },
  { reason: "stale_prediction", input: { ...healthy(10), prediction: prediction(t10 - 1, good) }, detail: /covers 1 steps/ },
  { reason: "nonfinite_prediction", input: { ...healthy(10), prediction: seq({ mean: new Float32Array([0, 0, 0, NaN]), channels: ["steer_cmd", "accel_cmd"] }) }, detail: /mean\[3\] = NaN/ },
  { reason: "nonfinite_prediction", input: { ...healthy(10), prediction: seq({ std: new Float32Array([0, Infinity]) }) }, detail: /std\[1\] = Infinity/ },
  { reason: "spread", input: { ...healthy(10), prediction: prediction(t10, good, { steer_cmd: 0.05, accel_cmd: 2 }) }, detail: /accel_cmd std 2\.00 > 1\.5/ },
  { reason: "bad_state", input: { ...healthy(10), state: { t: t10, speed: NaN } }, detail: /state\.speed = NaN/ },
  { reason: "bad_state", input: { ...healthy(10), state: { t: t10, speed: 10, steer: Infinity } }, detail: /state\.steer = Infinity/ },
  { reason: "bad_state", input: { ...healthy(10), state: { t: NaN, speed: 10 } }, detail: /state\.t = NaN/ },
  { reason: "bad_state", input: { ...healthy(10), state: { t: t10, speed: 10, staleChannels: "speed" as unknown as string[] } }, detail: /staleChannels/ },
  { reason: "implausible_state", input: { ...healthy(10), state: { t: t10, speed: 1e6 } }, detail: /> 150 m\/s/ },
  { reason: "clock", input: healthy(5), detail: /backwards/ },
  { reason: "clock", input: healthy(100), detail: /jumped/ },
];

describe("each fallback trigger leaves model mode at once and says why", () => {
  it.each(triggers)("$reason ($detail)", ({ reason, input, detail }) => {
    const before = settled();
    const { command, why } = policyStep(input, before, car);
    expect(command.mode).toBe("fallback");
    expect(why.mode).toBe("fallback");
    expect(why.reason).toBe(reason);
    expect(why.began).toBe(true);
    expect(why.faults.find((f) => f.reason === reason)?.detail).toMatch(detail);
    expect(why.source).toBe("hold");
    for (const v of Object.values(command.values)) expect(Number.isFinite(v)).toBe(true);
  });

  it("a healthy tick has no faults", () => {
    const { why } = policyStep(healthy(10), settled(), car);
    expect(why.faults).toEqual([]);
    expect(why.reason).toBeNull();
  });
});

describe("stale critical channels", () => {
  it("are a fault only once stale for staleLimit, and only for critical channels", () => {
    const inputs = Array.from({ length: 8 }, (_, i) => healthy(10 + i, { state: { t: (10 + i) * dt, speed: 10, staleChannels: ["speed", "gnss_speed"] } }));
    const rs = run(car, inputs, settled());
    // Stale from the first of these ticks: 0, 0.05, 0.10, 0.15 s … the 0.2 s limit is reached on the fifth.
    expect(rs.map((r) => r.command.mode)).toEqual(["model", "model", "model", "model", "fallback", "fallback", "fallback", "fallback"]);
    expect(rs[4]!.why.faults).toEqual([{ reason: "stale_channel", detail: "speed stale for 0.200 s (limit 0.2 s)" }]);
  });

  it("a fresh tick in between restarts the count", () => {
    const stale = (i: number) => healthy(i, { state: { t: i * dt, speed: 10, staleChannels: ["steer"] } });
    const rs = run(car, [stale(10), stale(11), stale(12), stale(13), healthy(14), stale(15), stale(16), stale(17), stale(18)], settled());
    expect(rs.every((r) => r.command.mode === "model")).toBe(true);
  });
});

describe("hold, then stop", () => {
  it("holds the last safe command for holdTime, then stops at the comfortable deceleration", () => {
    const before = settled();
    const last = before.last!;
    const inputs = Array.from({ length: 80 }, (_, i) => ({ state: { t: (10 + i) * dt, speed: 10 } }));
    const rs = run(car, inputs, before);
    const modes = rs.map((r) => r.command.mode);
    // Fault at tick 0; hold covers 0.5 s = 10 ticks; stop from the tick at +0.5 s.
    expect(modes.slice(0, 10)).toEqual(Array(10).fill("fallback"));
    expect(modes.slice(10)).toEqual(Array(70).fill("stop"));
    for (const r of rs.slice(0, 10)) expect(r.command.values).toEqual(last);
    // Stopping: accel ramps down at the jerk limit (5 m/s³ at 10 m/s) to −stopDecel and stays; steering stays.
    const accel = rs.slice(10).map((r) => r.command.values.accel_cmd!);
    expect(accel[0]).toBeCloseTo(last.accel_cmd! - 5 * dt, 9);
    for (let i = 1; i < accel.length; i++) expect(accel[i]! - accel[i - 1]!).toBeGreaterThanOrEqual(-5 * dt - 1e-9);
    expect(accel.at(-1)).toBe(-car.fallback.stopDecel);
    for (const r of rs.slice(10)) expect(r.command.values.steer_cmd).toBe(last.steer_cmd);
    expect(rs[10]!.command.limits).toEqual(["lon_jerk"]);
    expect(rs.every((r) => r.why.reason === "no_prediction")).toBe(true);
  });

  it.each([2, 4, 3.3])("the hold is counted in time, not ticks: at %s × the nominal period it still stops after holdTime", (k) => {
    // Ticks k × nominalDt apart: holdTime (0.5 s) is ceil(10 / k) ticks, far fewer than its 10 nominal ticks.
    const period = k * dt;
    const t0 = 10 * dt;
    const inputs = Array.from({ length: 12 }, (_, i) => ({ state: { t: t0 + i * period, speed: 10 } }));
    const rs = run(car, inputs, settled());
    const firstStop = rs.findIndex((r) => r.command.mode === "stop");
    expect(rs.slice(0, firstStop).every((r) => r.command.mode === "fallback")).toBe(true);
    // The first tick at or past holdTime after the fault (tick 0) stops.
    expect(firstStop).toBe(Math.ceil(car.fallback.holdTime / period - 1e-9));
    expect(firstStop * period).toBeLessThan(car.fallback.holdTime + period);
  });

  it("holdTime 0 with action \"hold\" stops at once: there is nothing to hold", () => {
    const p = applyOverrides(car, { "policy.fallback.holdTime": 0 });
    const rs = run(p, [{ state: { t: t10, speed: 10 } }], settled(p));
    expect(rs[0]!.command.mode).toBe("stop");
  });

  it("recoverTime 0 still needs a healthy tick: a fault that persists keeps the fallback", () => {
    const p = applyOverrides(car, { "policy.fallback.recoverTime": 0 });
    const rs = run(p, [0, 1, 2].map((i) => ({ state: { t: t10 + i * dt, speed: 10 } })), settled(p));
    expect(rs.map((r) => r.command.mode)).toEqual(["fallback", "fallback", "fallback"]);
    // The first healthy tick is enough.
    expect(run(p, [healthy(13)], rs.at(-1)!.memory)[0]!.command.mode).toBe("model");
  });

  it("action \"stop\" skips the hold", () => {
    const p = applyOverrides(car, { "policy.fallback.action": "stop" });
    const rs = run(p, [{ state: { t: t10, speed: 10 } }], settled(p));
    expect(rs[0]!.command.mode).toBe("stop");
    expect(rs[0]!.why.source).toBe("stop");
  });

  it("the hold is bounded in ticks too, so a clock that stops cannot hold forever", () => {
    const inputs = Array.from({ length: 12 }, () => ({ state: { t: t10, speed: 10 } }));
    const modes = run(car, inputs, settled()).map((r) => r.command.mode);
    expect(modes.slice(0, 10)).toEqual(Array(10).fill("fallback"));
    expect(modes.slice(10)).toEqual(["stop", "stop"]);
  });

  it("a speed-commanded robot ramps speed_cmd to zero at stopDecel, under the jerk limit", () => {
    const robot = applyOverrides(policyPreset("robot-1-10"), { "policy.fallback.action": "stop" });
    const rdt = robot.nominalDt;
    const warm: PolicyInput[] = Array.from({ length: 200 }, (_, i) => ({ prediction: prediction(i * rdt, { speed_cmd: 3, steer_cmd: 0 }), state: { t: i * rdt, speed: 3 } }));
    const ws = run(robot, warm);
    expect(ws.at(-1)!.command.values.speed_cmd).toBeCloseTo(3, 9);
    const stop: PolicyInput[] = Array.from({ length: 150 }, (_, i) => ({ state: { t: (200 + i) * rdt, speed: 3 } }));
    const rs = run(robot, stop, ws.at(-1)!.memory);
    const v = rs.map((r) => r.command.values.speed_cmd!);
    for (let i = 1; i < v.length; i++) expect(v[i]! - v[i - 1]!).toBeGreaterThanOrEqual(-robot.fallback.stopDecel * rdt - 1e-9);
    expect(v.at(-1)).toBe(0);
    // 3 m/s at 3 m/s² is a 1 s stop, plus the jerk-limited ramp into it.
    const stoppedAt = v.findIndex((x) => x === 0);
    expect(stoppedAt * rdt).toBeGreaterThan(1);
    expect(stoppedAt * rdt).toBeLessThan(1.3);
  });
});

describe("return to model mode (hysteresis)", () => {
  function afterFault(): PolicyResult {
    const r = policyStep({ state: { t: t10, speed: 10 } }, settled(), car);
    expect(r.command.mode).toBe("fallback");
    return r;
  }

  it("only after recoverTime of unbroken health", () => {
    const f = afterFault();
    const rs = run(car, Array.from({ length: 25 }, (_, i) => healthy(11 + i)), f.memory);
    // Healthy from tick 0 (0 s) … recoverTime 1 s is reached on tick 20.
    expect(rs.slice(0, 20).every((r) => r.command.mode !== "model")).toBe(true);
    expect(rs[20]!.command.mode).toBe("model");
    expect(rs[19]!.why.recovering).toBeCloseTo(0.95, 9);
    expect(rs[20]!.why.reason).toBeNull();
    // The hold ran out on the way (0.5 s): fallback, then stop, then model.
    expect(rs[8]!.command.mode).toBe("fallback");
    expect(rs[9]!.command.mode).toBe("stop");
  });

  it("a fault during recovery restarts the healthy time", () => {
    const f = afterFault();
    const inputs = Array.from({ length: 40 }, (_, i) => (i === 15 ? { ...healthy(11 + i), deadlineMissed: true } : healthy(11 + i)));
    const rs = run(car, inputs, f.memory);
    const firstModel = rs.findIndex((r) => r.command.mode === "model");
    expect(firstModel).toBe(16 + 20);
    expect(rs[15]!.why.recovering).toBeNull();
  });

  it("the way back into model mode is rate limited from the fallback command", () => {
    const f = afterFault();
    const inputs = Array.from({ length: 21 }, (_, i) => ({ ...healthy(11 + i), prediction: prediction((11 + i) * dt, { steer_cmd: 0.01, accel_cmd: 3 }) }));
    const rs = run(car, inputs, f.memory);
    const back = rs[20]!;
    expect(back.command.mode).toBe("model");
    expect(back.command.limits).toContain("lon_jerk");
    expect(Math.abs(back.command.values.accel_cmd! - rs[19]!.command.values.accel_cmd!)).toBeLessThanOrEqual(5 * dt + 1e-9);
  });

  it("recoverTime 0 returns on the first healthy tick", () => {
    const p = applyOverrides(car, { "policy.fallback.recoverTime": 0 });
    const f = policyStep({ state: { t: t10, speed: 10 } }, settled(p), p);
    expect(policyStep(healthy(11), f.memory, p).command.mode).toBe("model");
  });
});

describe("tally", () => {
  it("counts modes, limit ticks, faults and episodes", () => {
    let tally = emptyTally();
    const inputs = [healthy(0), { state: { t: dt, speed: 10 } }, { state: { t: 2 * dt, speed: 10 } }, ...Array.from({ length: 30 }, (_, i) => healthy(3 + i))];
    for (const r of run(car, inputs, initialPolicyMemory())) tally = addToTally(tally, r.why);
    expect(tally.ticks).toBe(33);
    expect(tally.episodes).toEqual({ no_prediction: 1 });
    expect(tally.faults).toEqual({ no_prediction: 2 });
    expect(tally.modes.model + tally.modes.fallback + tally.modes.stop).toBe(33);
    expect(tally.modes.model).toBe(1 + 10);
    expect(tally.limitTicks).toBeGreaterThan(0);
    expect(tally.limits.lon_jerk).toBeGreaterThan(0);
  });
});

describe("a prediction from another timeline", () => {
  it("one whose t0 lies more than a step ahead of the tick is stale, one a step ahead is used", () => {
    const memory = settled();
    const t = 10 * dt;
    const ahead = policyStep({ prediction: prediction(t + 100, good), state: { t, speed: 10 } }, memory, car);
    expect(ahead.why.faults.map((f) => f.reason)).toContain("stale_prediction");
    const next = policyStep({ prediction: prediction(t + 0.05, good), state: { t, speed: 10 } }, memory, car);
    expect(next.why.faults).toEqual([]);
  });
});
