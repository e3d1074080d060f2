import { describe, it, expect } from "vitest";
import { savgol, computeMetrics, type ScenarioRun, type TickRecord } from "../../sim/index.js";

describe("Savitzky–Golay", () => {
  it("matches scipy's savgol_coeffs(5, 2) in the interior", () => {
    const y = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const out = savgol(y, 5, 2, 0, 1);
    // The impulse response is the coefficient vector [-3, 12, 17, 12, -3] / 35.
    expect(out.slice(2, 7).map((v) => v * 35)).toEqual([-3, 12, 17, 12, -3].map((c) => expect.closeTo(c, 9)));
  });

  it("differentiates a quadratic exactly, edges included", () => {
    const y = Array.from({ length: 20 }, (_, i) => 1 + 2 * (i * 0.1) + 3 * (i * 0.1) ** 2);
    savgol(y, 15, 2, 1, 0.1).forEach((d, i) => expect(d).toBeCloseTo(2 + 6 * i * 0.1, 9));
  });
});

function run(ticks: Partial<TickRecord>[], over: Partial<ScenarioRun> = {}): ScenarioRun {
  const full = ticks.map((t, i) => ({
    t: i / 10, x: 0, y: 0, heading: 0, speed: 10, accel: 0, lat_accel: 0, yaw_rate: 0, steer: 0, s: i, lateral_offset: 0, ref_speed: null, ttc: null,
    command: {}, executed: {}, reference: {}, mode: "model" as const, limits: [], fallback: null, prediction: null, prediction_error: null, tick_ms: null, ...t,
  }));
  return {
    name: "m", description: "", rate: 10, duration: full.length / 10, seed: 0, vehicle: "car", actions: [], ticks: full, collisions: [], expected_distance: 10,
    criteria: { min_ttc_s: 0.95, max_lat_accel: 4.89, max_lon_accel: 2.4, min_lon_accel: -4.05, max_lon_jerk: 4.13, max_yaw_rate: 0.95, max_lane_deviation_m: 0.8, min_progress: 0.8 },
    fault_counts: {}, sensor_samples: {}, deadline_ms: 100, road: null, ...over,
  };
}

describe("metrics", () => {
  it("a constant acceleration ramp has that acceleration and zero jerk", () => {
    const m = computeMetrics(run(Array.from({ length: 50 }, () => ({ accel: 1.5 }))));
    expect(m.max_lon_accel).toBe(1.5);
    expect(m.min_lon_accel).toBe(1.5);
    expect(m.max_lon_jerk).toBe(0);
  });

  it("yaw rate from the heading, unwrapped across ±π", () => {
    const m = computeMetrics(run(Array.from({ length: 60 }, (_, i) => ({ heading: Math.atan2(Math.sin(3 + 0.05 * i), Math.cos(3 + 0.05 * i)) }))));
    expect(m.max_yaw_rate).toBeCloseTo(0.5, 6);
  });

  it("road-relative metrics are null without a road (replayed drives); ttc null when nothing closes", () => {
    const m = computeMetrics(run(Array.from({ length: 20 }, () => ({ s: null, lateral_offset: null })), { expected_distance: null }));
    expect(m.collisions).toBeNull();
    expect(m.max_lane_deviation_m).toBeNull();
    expect(m.progress).toBeNull();
    expect(m.min_ttc_s).toBeNull();
    expect(m.ade).toBeNull();
  });
});
