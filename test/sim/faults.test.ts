import { describe, it, expect } from "vitest";
import { sensorSuite, type Truth } from "../../sim/index.js";
import type { FaultSpec } from "../../scenarios/index.js";
import type { Sample } from "../../perception/index.js";

const truth: Truth = { speed: 10, accel: 0.5, lat_accel: 0.2, yaw_rate: 0.1, steer: 0.05, x: 1, y: 2, heading: 0.3 };

/** Runs the suite at 100 Hz physics for `seconds`, delivering at 20 Hz; returns delivered samples with their delivery time. */
function collect(faults: FaultSpec[], seconds = 10, seed = 7) {
  const suite = sensorSuite({ faults, seed, duration: seconds });
  const out: { at: number; s: Sample }[] = [];
  for (let i = 0; i < seconds * 100; i++) {
    const t = i / 100;
    suite.observe(t, truth);
    if (i % 5 === 0) for (const s of suite.deliver(t)) out.push({ at: t, s });
  }
  for (const s of suite.deliver(seconds)) out.push({ at: seconds, s });
  return { out, counts: suite.faultCounts(), produced: suite.produced() };
}

const inWindow = (s: Sample, from: number, to: number) => s.t >= from - 1e-9 && s.t < to - 1e-9;

describe("sensors and fault injection", () => {
  it("produces each sensor at its own rate", () => {
    const { out, produced } = collect([], 2);
    expect(produced).toEqual({ accel: 200, lat_accel: 200, yaw_rate: 200, speed: 100, steer: 100, x: 20, y: 20, heading: 20 });
    expect(out.filter((o) => o.s.channel === "speed").length).toBe(100);
    expect(out.every((o) => o.s.t <= o.at + 1e-9)).toBe(true);
  });

  it("dropout with prob 1 removes exactly the window's samples, and counts them", () => {
    const f: FaultSpec = { kind: "dropout", channel: ["speed", "steer"], from: 2, to: 5, prob: 1 };
    const { out, counts } = collect([f]);
    const speed = out.filter((o) => o.s.channel === "speed");
    expect(speed.length).toBe(500 - 150);
    expect(speed.some((o) => inWindow(o.s, 2, 5))).toBe(false);
    expect(counts.speed).toEqual({ dropout: 150 });
    expect(counts.steer).toEqual({ dropout: 150 });
  });

  it("dropout with prob 0.5 removes about half, reproducibly per seed", () => {
    const f: FaultSpec = { kind: "dropout", channel: "accel", from: 0, prob: 0.5 };
    const a = collect([f]);
    const n = a.counts.accel!.dropout!;
    expect(n).toBeGreaterThan(420);
    expect(n).toBeLessThan(580);
    expect(collect([f]).counts.accel!.dropout).toBe(n);
    expect(collect([f], 10, 8).counts.accel!.dropout).not.toBe(n);
  });

  it("NaN bursts replace every value in the window", () => {
    const f: FaultSpec = { kind: "nan", channel: "yaw_rate", from: 3, to: 4, prob: 1 };
    const { out, counts } = collect([f]);
    const nan = out.filter((o) => o.s.channel === "yaw_rate" && Number.isNaN(o.s.value));
    expect(nan.length).toBe(100);
    expect(nan.every((o) => inWindow(o.s, 3, 4))).toBe(true);
    expect(counts.yaw_rate).toEqual({ nan: 100 });
  });

  it("latency delays delivery but keeps the measurement stamp", () => {
    const f: FaultSpec = { kind: "latency", channel: "speed", from: 2, to: 3, delay: 0.3, jitter: 0 };
    const { out } = collect([f]);
    const late = out.filter((o) => o.s.channel === "speed" && inWindow(o.s, 2, 3));
    expect(late.length).toBe(50);
    expect(late.every((o) => o.at - o.s.t >= 0.3 - 1e-9)).toBe(true);
    const onTime = out.filter((o) => o.s.channel === "speed" && !inWindow(o.s, 2, 3));
    expect(onTime.every((o) => o.at - o.s.t < 0.05 + 1e-9)).toBe(true);
  });

  it("time jumps move the stamps (backwards too), not the delivery", () => {
    const f: FaultSpec = { kind: "time_jump", channel: ["x", "y", "heading"], from: 4, to: 5, offset: -0.5 };
    const { out, counts } = collect([f]);
    const x = out.filter((o) => o.s.channel === "x").map((o) => o.s.t);
    const backwards = x.filter((t, i) => i > 0 && t < x[i - 1]);
    expect(backwards.length).toBe(1);
    expect(counts.x).toEqual({ time_jump: 10 });
  });

  it("noise has the configured standard deviation; bias shifts the mean", () => {
    const { out } = collect([
      { kind: "noise", channel: "lat_accel", from: 0, std: 0.5 },
      { kind: "bias", channel: "lat_accel", from: 0, value: 1 },
    ]);
    const v = out.filter((o) => o.s.channel === "lat_accel").map((o) => (o.s.value as number) - truth.lat_accel);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
  });

  it("the recorded command is delivered as action-channel samples", () => {
    const suite = sensorSuite({ faults: [], seed: 1, duration: 1 });
    suite.recordCommand(0.5, { steer_cmd: 0.1, accel_cmd: -1 });
    expect(suite.deliver(0.5).map((s) => [s.channel, s.value, s.source])).toEqual([
      ["accel_cmd", -1, "vehicle"],
      ["steer_cmd", 0.1, "vehicle"],
    ]);
  });
});
