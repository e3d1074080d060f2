import { describe, expect, it } from "vitest";
import {
  envelopeAt,
  interpolateBySpeed,
  lateralAccel,
  policyPreset,
  policyStep,
  resolveBounds,
  type LimitName,
  type PolicyMemory,
} from "../../policy/index.js";
import { memoryAfter, prediction } from "./helpers.js";

describe("interpolateBySpeed", () => {
  const speeds = [0.1, 0.3, 20, 30];
  const lims = [80, 5, 5, 4];
  it("is linear between reference speeds and held beyond both ends", () => {
    expect(interpolateBySpeed(speeds, lims, 0.2)).toBeCloseTo(42.5, 12);
    expect(interpolateBySpeed(speeds, lims, 25)).toBeCloseTo(4.5, 12);
    expect(interpolateBySpeed(speeds, lims, 0.3)).toBe(5);
    expect(interpolateBySpeed(speeds, lims, 0)).toBe(80);
    expect(interpolateBySpeed(speeds, lims, 99)).toBe(4);
  });
  it("uses |speed| (reverse has the same limits) and treats NaN as the low-speed end", () => {
    expect(interpolateBySpeed(speeds, lims, -25)).toBeCloseTo(4.5, 12);
    expect(interpolateBySpeed(speeds, lims, NaN)).toBe(80);
  });
  it("works with a single reference speed", () => {
    expect(interpolateBySpeed([5], [2], 0)).toBe(2);
    expect(interpolateBySpeed([5], [2], 50)).toBe(2);
  });
  it("envelopeAt reads every table", () => {
    const e = envelopeAt(policyPreset("passenger-car"), 25);
    expect(e).toEqual({ speed: 25, steerLim: 0.45, steerRateLim: 0.45, lonAccLim: 4.5, lonJerkLim: 4.5, latAccLim: 4.5, latJerkLim: 6.5, actualSteerDiffLim: 0.45 });
  });
});

describe("resolveBounds", () => {
  it("names the tighter of two limits the request exceeds, not the looser", () => {
    const r = resolveBounds(1, [
      { limit: "steer_angle", lo: -0.5, hi: 0.5 },
      { limit: "lat_accel", lo: -0.3, hi: 0.3 },
    ]);
    expect(r.value).toBe(0.3);
    expect(r.acted.map((b) => b.limit)).toEqual(["lat_accel"]);
  });
  it("names both of two equal limits", () => {
    const r = resolveBounds(-1, [
      { limit: "steer_angle", lo: -0.3, hi: 0.3 },
      { limit: "lat_accel", lo: -0.3, hi: 0.3 },
    ]);
    expect(r.value).toBe(-0.3);
    expect(r.acted.map((b) => b.limit)).toEqual(["steer_angle", "lat_accel"]);
  });
  it("a lower-priority limit that cannot be met is overridden, and named when it pulled the value", () => {
    // Rate limit allows [0.7, 0.9] but the angle limit allows only up to 0.3.
    const a = resolveBounds(0.8, [
      { limit: "steer_angle", lo: -0.3, hi: 0.3 },
      { limit: "steer_rate", lo: 0.7, hi: 0.9 },
    ]);
    expect(a.value).toBe(0.3);
    expect(a.acted.map((b) => b.limit)).toEqual(["steer_angle"]);
    expect(a.overridden.map((b) => b.limit)).toEqual(["steer_rate"]);
    // Request inside the angle limit, but the rate limit pulls it to the angle limit's edge.
    const b = resolveBounds(0, [
      { limit: "steer_angle", lo: -0.3, hi: 0.3 },
      { limit: "steer_rate", lo: 0.7, hi: 0.9 },
    ]);
    expect(b.value).toBe(0.3);
    expect(b.acted.map((x) => x.limit)).toEqual(["steer_rate"]);
  });
  it("an untouched request names nothing", () => {
    const r = resolveBounds(0.1, [{ limit: "steer_angle", lo: -0.3, hi: 0.3 }]);
    expect(r).toEqual({ value: 0.1, acted: [], overridden: [] });
  });
});

describe("the limits list names exactly the limits that changed the command", () => {
  const car = policyPreset("passenger-car");
  const robot = policyPreset("robot-1-10");
  const t = 1;
  const dt = car.nominalDt;

  interface Case {
    name: string;
    params: typeof car;
    memory: PolicyMemory;
    speed: number;
    steer?: number;
    request: Record<string, number>;
    limits: LimitName[];
    /** Expected applied values (only the channels listed). */
    applied?: Record<string, number>;
  }
  const cases: Case[] = [
    { name: "nothing", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0.01, accel_cmd: 0.5 }), speed: 10, request: { steer_cmd: 0.012, accel_cmd: 0.6 }, limits: [] },
    // 0.2 m/s: the lateral limits allow nearly pi/2, the angle limit 0.6 rad.
    { name: "steer_angle", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0.6, accel_cmd: 0 }), speed: 0.2, request: { steer_cmd: 0.9, accel_cmd: 0 }, limits: ["steer_angle"], applied: { steer_cmd: 0.6 } },
    // 20 m/s: 5 m/s² lateral ⇒ |steer| <= atan(5·2.66/400) ≈ 0.0332 rad.
    { name: "lat_accel", params: car, memory: memoryAfter(t - dt, { steer_cmd: Math.atan((5 * 2.66) / 400), accel_cmd: 0 }), speed: 20, request: { steer_cmd: 0.05, accel_cmd: 0 }, limits: ["lat_accel"], applied: { steer_cmd: Math.atan((5 * 2.66) / 400) } },
    { name: "steer_rate", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0, accel_cmd: 0 }), speed: 0.2, request: { steer_cmd: 0.1, accel_cmd: 0 }, limits: ["steer_rate"], applied: { steer_cmd: 0.6 * dt } },
    // 10 m/s: lateral jerk 7 m/s³ allows Δtan(steer) = 7·0.05·2.66/100 ≈ 0.0093, less than the 0.028 rad of steer rate.
    { name: "lat_jerk", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0, accel_cmd: 0 }), speed: 10, request: { steer_cmd: 0.02, accel_cmd: 0 }, limits: ["lat_jerk"], applied: { steer_cmd: Math.atan((7 * dt * 2.66) / 100) } },
    // Measured steer −0.3 allows at most +0.3 (0.6 from it), though the last command was 0.5.
    { name: "actual_steer_diff", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0.5, accel_cmd: 0 }), speed: 0.2, steer: -0.3, request: { steer_cmd: 0.5, accel_cmd: 0 }, limits: ["actual_steer_diff"], applied: { steer_cmd: 0.3 } },
    { name: "lon_accel (accel_cmd)", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0, accel_cmd: 5 }), speed: 10, request: { steer_cmd: 0, accel_cmd: 7 }, limits: ["lon_accel"], applied: { accel_cmd: 5 } },
    { name: "lon_jerk (accel_cmd)", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0, accel_cmd: 0 }), speed: 10, request: { steer_cmd: 0, accel_cmd: 2 }, limits: ["lon_jerk"], applied: { accel_cmd: 5 * dt } },
    // 0.5 m/s over maxSpeed: accel_cmd may be at most −0.5 m/s².
    { name: "max_speed (accel_cmd)", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0, accel_cmd: -0.5 }), speed: 25.5, request: { steer_cmd: 0, accel_cmd: 1 }, limits: ["max_speed"], applied: { accel_cmd: -0.5 } },
    { name: "max_speed (speed_cmd)", params: robot, memory: memoryAfter(t - 0.02, { speed_cmd: 5, steer_cmd: 0 }), speed: 5, request: { speed_cmd: 6, steer_cmd: 0 }, limits: ["max_speed"], applied: { speed_cmd: 5 } },
    // speed_cmd rising at 6.5 m/s² (the limit at 2 m/s): jerk would allow more, the acceleration limit not.
    { name: "lon_accel (speed_cmd)", params: robot, memory: memoryAfter(t - 0.02, { speed_cmd: 2, steer_cmd: 0 }, { speed_cmd: 6.5 }), speed: 2, request: { speed_cmd: 3, steer_cmd: 0 }, limits: ["lon_accel"], applied: { speed_cmd: 2 + 6.5 * 0.02 } },
    { name: "lon_jerk (speed_cmd)", params: robot, memory: memoryAfter(t - 0.02, { speed_cmd: 2, steer_cmd: 0 }), speed: 2, request: { speed_cmd: 3, steer_cmd: 0 }, limits: ["lon_jerk"], applied: { speed_cmd: 2 + 35 * 0.02 * 0.02 } },
    { name: "two channels at once", params: car, memory: memoryAfter(t - dt, { steer_cmd: 0, accel_cmd: 0 }), speed: 0.2, request: { steer_cmd: -0.1, accel_cmd: -3 }, limits: ["steer_rate", "lon_jerk"] },
  ];

  it.each(cases)("$name", (c) => {
    const { command, why } = policyStep({ prediction: prediction(t, c.request), state: { t, speed: c.speed, ...(c.steer !== undefined ? { steer: c.steer } : {}) } }, c.memory, c.params);
    expect(command.mode).toBe("model");
    expect(command.limits).toEqual(c.limits);
    for (const [ch, v] of Object.entries(c.applied ?? {})) expect(command.values[ch], ch).toBeCloseTo(v, 6);
    // Each intervention reports the channel's request, the value sent, and the edge it was held to.
    for (const i of why.interventions) {
      expect(i.requested).toBeCloseTo(c.request[i.channel]!, 6);
      expect(i.applied).toBe(command.values[i.channel]);
      expect(i.bound).toBe(i.applied);
    }
    // A channel was changed if and only if some limit is named for it.
    for (const ch of c.params.channels) {
      const changed = Math.fround(c.request[ch]!) !== command.values[ch];
      expect(why.interventions.some((i) => i.channel === ch), ch).toBe(changed);
    }
  });

  it("an overridden rate limit is reported in why.overridden, not in limits", () => {
    const { why } = policyStep({ prediction: prediction(t, { steer_cmd: 0.5, accel_cmd: 0 }), state: { t, speed: 0.2, steer: -0.3 } }, memoryAfter(t - dt, { steer_cmd: 0.5, accel_cmd: 0 }), car);
    expect(why.overridden.map((o) => `${o.channel}:${o.limit}`)).toEqual(["steer_cmd:steer_rate"]);
  });

  it("lateral acceleration is judged at the measured speed", () => {
    const { command } = policyStep({ prediction: prediction(t, { steer_cmd: 0.05, accel_cmd: 0 }), state: { t, speed: 20 } }, memoryAfter(t - dt, { steer_cmd: 0.05, accel_cmd: 0 }), car);
    expect(Math.abs(lateralAccel(20, command.values.steer_cmd!, car.wheelbase))).toBeLessThanOrEqual(5 + 1e-9);
  });
});

describe("lateralAccel", () => {
  it("is v²·tan(δ)/L (mutation testing found no test of its value)", () => {
    expect(lateralAccel(10, 0.1, 2.5)).toBeCloseTo((100 * Math.tan(0.1)) / 2.5, 12);
    expect(lateralAccel(-3, -0.2, 0.33)).toBeCloseTo((9 * Math.tan(-0.2)) / 0.33, 12);
  });
});
