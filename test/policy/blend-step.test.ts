import { describe, expect, it } from "vitest";
import { applyOverrides, policyPreset, policyStep } from "../../policy/index.js";
import { memoryAfter } from "./helpers.js";

const car = policyPreset("passenger-car");
const t = 2;
const mem = memoryAfter(t - car.nominalDt, { steer_cmd: 0, accel_cmd: 0 });
const one = (steer: number, accel: number) => ({ t0: t, dt: 0.1, channels: ["steer_cmd", "accel_cmd"], mean: new Float32Array([steer, accel]), model: "m" });

describe("blending with the reference controller", () => {
  it("blend 0 is the model alone, whatever the reference says", () => {
    const r = policyStep({ prediction: one(0.001, 0.1), state: { t, speed: 5 }, reference: { steer_cmd: 0.02, accel_cmd: -0.1 } }, mem, car);
    expect(r.command.values.accel_cmd).toBeCloseTo(0.1, 6);
    expect(r.why.blend).toEqual({ steer_cmd: 0, accel_cmd: 0 });
  });

  it("blend w takes (1 − w)·model + w·reference, per channel where the reference is finite", () => {
    const p = applyOverrides(car, { "policy.blend": 0.25 });
    const r = policyStep({ prediction: one(0.004, 0.2), state: { t, speed: 5 }, reference: { steer_cmd: NaN, accel_cmd: -0.2 } }, mem, p);
    expect(r.why.requested.accel_cmd).toBeCloseTo(0.75 * 0.2 + 0.25 * -0.2, 6);
    expect(r.command.values.accel_cmd).toBeCloseTo(0.1, 6);
    expect(r.why.requested.steer_cmd).toBeCloseTo(0.004, 6);
    expect(r.why.blend).toEqual({ steer_cmd: 0, accel_cmd: 0.25 });
  });

  it("the blended request still goes through the envelope", () => {
    const p = applyOverrides(car, { "policy.blend": 1 });
    const r = policyStep({ prediction: one(0, 0), state: { t, speed: 5 }, reference: { steer_cmd: 0, accel_cmd: 9 } }, mem, p);
    expect(r.command.values.accel_cmd).toBeCloseTo(5 * car.nominalDt, 9);
    expect(r.command.limits).toEqual(["lon_jerk"]);
  });
});

describe("which prediction step is acted on", () => {
  const seq = { t0: t, dt: 0.1, channels: ["steer_cmd", "accel_cmd"], mean: new Float32Array([0, 0, 0, 0.1, 0, 0.2, 0, 0.3]), model: "m" };
  it("the step at tick time + lookahead, interpolated between rows", () => {
    expect(policyStep({ prediction: seq, state: { t, speed: 5 } }, mem, car).why.requested.accel_cmd).toBe(0);
    const p = applyOverrides(car, { "policy.lookahead": 0.15 });
    const r = policyStep({ prediction: seq, state: { t, speed: 5 } }, mem, p);
    expect(r.why.step).toBeCloseTo(1.5, 9);
    expect(r.why.requested.accel_cmd).toBeCloseTo(0.15, 6);
  });
  it("a prediction made a tick ago is read one step in; one that ends before the tick is stale", () => {
    const r = policyStep({ prediction: { ...seq, t0: t - 0.1 }, state: { t, speed: 5 } }, mem, car);
    expect(r.why.step).toBeCloseTo(1, 9);
    expect(r.why.requested.accel_cmd).toBeCloseTo(0.1, 6);
    const old = policyStep({ prediction: { ...seq, t0: t - 0.5 }, state: { t, speed: 5 } }, mem, car);
    expect(old.why.faults.map((f) => f.reason)).toEqual(["stale_prediction"]);
  });
});
