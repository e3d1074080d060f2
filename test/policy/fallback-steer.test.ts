import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { envelopeAt, fallbackSteer, policyPreset, readFallbackPath, type FallbackPath, type PolicyInput, type PolicyResult } from "../../policy/index.js";
import { memoryAfter, prediction, run } from "./helpers.js";

const car = policyPreset("passenger-car"); // holdTime 0.5 s: hold for 10 ticks, then stop
const dt = car.nominalDt;
const v = 10;
const start = { steer_cmd: 0.01, accel_cmd: 0 };
const curve: FallbackPath = { offset: 0, heading: 0, curvature: 0.02 };
const onCurve = Math.atan(car.wheelbase * curve.curvature); // 0.053 rad

/** Settled in model mode at t=0 with steer_cmd 0.01, then `n` ticks with no prediction (fallback → stop). */
function dropout(n: number, path: (i: number) => FallbackPath | undefined): PolicyResult[] {
  const inputs: PolicyInput[] = Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return { state: { t: i * dt, speed: v }, path: path(i) };
  });
  return run(car, inputs, memoryAfter(0, start));
}

describe("fallbackSteer", () => {
  it("on the path with no error it steers the path's curvature", () => {
    expect(fallbackSteer(curve, car.wheelbase, v)).toBeCloseTo(onCurve, 12);
    expect(fallbackSteer({ offset: 0, heading: 0, curvature: 0 }, car.wheelbase, v)).toBe(0);
  });

  it("steers back toward the path: right when left of it or pointing left, left when right of it", () => {
    const straight = { offset: 0, heading: 0, curvature: 0 };
    expect(fallbackSteer({ ...straight, offset: 0.5 }, car.wheelbase, v)).toBeLessThan(0);
    expect(fallbackSteer({ ...straight, heading: 0.05 }, car.wheelbase, v)).toBeLessThan(0);
    expect(fallbackSteer({ ...straight, offset: -0.5 }, car.wheelbase, v)).toBeGreaterThan(0);
  });

  it("a path with a non-finite or missing field is not used", () => {
    expect(readFallbackPath({ offset: 0, heading: NaN, curvature: 0 })).toBeNull();
    expect(readFallbackPath({ offset: 0, heading: 0 })).toBeNull();
    expect(readFallbackPath("path")).toBeNull();
    expect(readFallbackPath(curve)).toEqual(curve);
  });
});

describe("hold and stop steer along a fresh path, rate-limited; a stale path holds", () => {
  it("with a fresh path the steering moves to the path's steering within the envelope's rate limits, in hold and in stop", () => {
    const rs = dropout(40, () => curve);
    expect(rs.map((r) => r.command.mode)).toContain("fallback");
    expect(rs.at(-1)!.command.mode).toBe("stop");
    const env = envelopeAt(car, v);
    let prev = start.steer_cmd;
    for (const r of rs) {
      const s = r.command.values.steer_cmd!;
      expect(r.why.steerSource).toBe("path");
      expect(r.why.requested.steer_cmd).toBeCloseTo(onCurve, 12);
      expect(Math.abs(s - prev)).toBeLessThanOrEqual(env.steerRateLim * dt + 1e-12);
      expect(s).toBeGreaterThanOrEqual(prev - 1e-12); // toward the path's steering, never past it
      expect(s).toBeLessThanOrEqual(onCurve + 1e-12);
      prev = s;
    }
    // It needs more than one tick (the limits act) and gets there.
    expect(rs[0]!.command.values.steer_cmd).toBeLessThan(onCurve - 1e-3);
    expect(rs[0]!.command.limits.length).toBeGreaterThan(0);
    expect(rs.at(-1)!.command.values.steer_cmd).toBeCloseTo(onCurve, 9);
    // Stopping still decelerates.
    expect(rs.at(-1)!.command.values.accel_cmd).toBeLessThan(0);
  });

  it("with a stale path (none given) the steering holds the last safe value, as before", () => {
    const rs = dropout(40, () => undefined);
    expect(rs.at(-1)!.command.mode).toBe("stop");
    for (const r of rs) {
      expect(r.why.steerSource).toBe("held");
      expect(r.command.values.steer_cmd).toBe(start.steer_cmd);
    }
  });

  it("a path going stale mid-stop falls back to holding the last safe steering; a fresh one resumes tracking", () => {
    const rs = dropout(30, (i) => (i <= 15 || i > 20 ? curve : undefined));
    expect(rs[14]!.why.steerSource).toBe("path");
    expect(rs[17]!.why.steerSource).toBe("held");
    expect(rs[17]!.why.requested.steer_cmd).toBe(start.steer_cmd); // lastSafe: the model's last command
    expect(rs[29]!.why.steerSource).toBe("path");
  });

  it("reversing holds the steering: the tracking law is for forward motion", () => {
    const inputs: PolicyInput[] = [1, 2, 3].map((i) => ({ state: { t: i * dt, speed: -0.5 }, path: curve }));
    for (const r of run(car, inputs, memoryAfter(0, start))) {
      expect(r.why.steerSource).toBe("held");
      expect(r.command.values.steer_cmd).toBe(start.steer_cmd);
    }
  });

  it("model mode ignores the path", () => {
    const r = run(car, [{ prediction: prediction(dt, start), state: { t: dt, speed: v }, path: curve }], memoryAfter(0, start))[0]!;
    expect(r.command.mode).toBe("model");
    expect(r.why.steerSource).toBe("model");
    expect(r.command.values.steer_cmd).toBeCloseTo(start.steer_cmd, 6);
  });

  it("any path (huge, NaN, Infinity) gives a finite steering inside the angle and rate limits (seeded)", () => {
    const num = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0));
    const arbPath = fc.record({ offset: num, heading: num, curvature: num });
    fc.assert(
      fc.property(fc.array(fc.option(arbPath, { nil: undefined }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 30, noNaN: true }), (paths, speed) => {
        const inputs: PolicyInput[] = paths.map((p, k) => ({ state: { t: (k + 1) * dt, speed }, path: p }));
        const rs = run(car, inputs, memoryAfter(0, start));
        const env = envelopeAt(car, speed);
        let prev = start.steer_cmd;
        for (const r of rs) {
          const s = r.command.values.steer_cmd!;
          expect(Number.isFinite(s)).toBe(true);
          expect(Math.abs(s)).toBeLessThanOrEqual(env.steerLim + 1e-12);
          if (r.why.overridden.length === 0) expect(Math.abs(s - prev)).toBeLessThanOrEqual(env.steerRateLim * dt + 1e-12);
          prev = s;
        }
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });
});
