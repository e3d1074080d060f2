import { describe, it, expect, beforeAll } from "vitest";
import { loadCatalog, CATALOG_DIR, parseScenario, type Scenario } from "../../scenarios/index.js";
import { runScenario, referenceDriver, buildReport, withoutTiming, scenarioResult, type ScenarioRun, type Driver } from "../../sim/index.js";
import { nanDriver } from "./drivers.js";

let catalog: Scenario[];
let runs: ScenarioRun[];
beforeAll(() => {
  catalog = loadCatalog(CATALOG_DIR);
  runs = catalog.map((sc) => runScenario(sc, referenceDriver(), { seed: 42 }));
});

const straight = parseScenario(`
name: straight
vehicle: { model: car }
road: { lane_width: 3.5, lanes: 2, segments: [ { type: straight, length: 400 } ] }
ego: { lane: 0, speed: 15 }
duration: 8
reference: { speed: 15 }
`);

describe("closed loop with the reference controller", () => {
  it("runs every catalog scenario for its whole duration with finite state", () => {
    for (const r of runs) {
      const sc = catalog.find((s) => s.name === r.name)!;
      expect(r.ticks.length).toBe(Math.floor(sc.duration * sc.rate + 1e-9));
      expect(r.ticks.every((t) => [t.x, t.y, t.speed, t.heading].every(Number.isFinite))).toBe(true);
    }
  });

  it("passes every catalog scenario (a failure here names the scenario and criteria)", () => {
    const failed = runs.map(scenarioResult).filter((r) => !r.passed).map((r) => `${r.name}: ${r.failed.join(", ")}`);
    expect(failed).toEqual([]);
    for (const r of runs) expect(r.collisions).toEqual([]);
  });

  it("is byte-identical across runs once timing is removed", () => {
    const again = catalog.map((sc) => runScenario(sc, referenceDriver(), { seed: 42 }));
    expect(JSON.stringify(withoutTiming(buildReport(again)))).toBe(JSON.stringify(withoutTiming(buildReport(runs))));
    expect(JSON.stringify(again)).toBe(JSON.stringify(runs));
  });

  it("the seed drives the sensor faults, not the physics, when the driver ignores the sensors", () => {
    const sc = catalog.find((s) => s.name === "sensor-dropout")!;
    const a = runScenario(sc, referenceDriver(), { seed: 1 });
    const b = runScenario(sc, referenceDriver(), { seed: 2 });
    expect(JSON.stringify(a.ticks)).toBe(JSON.stringify(b.ticks));
    expect(a.fault_counts).not.toEqual(b.fault_counts);
  });

  it("delivers the samples the scenario's faults leave, and the executed command as recorded actions", () => {
    const sc = catalog.find((s) => s.name === "sensor-dropout")!;
    const seen: { t: number; ch: string; st: number }[] = [];
    const spy: Driver = {
      reset() {},
      tick(input) {
        for (const s of input.samples) seen.push({ t: input.t, ch: s.channel, st: s.t });
        return referenceDriver().tick(input);
      },
    };
    const run = runScenario(sc, spy, { seed: 5 });
    const speedInWindow = seen.filter((s) => s.ch === "speed" && s.st >= 6 && s.st < 9);
    expect(speedInWindow).toEqual([]);
    expect(run.fault_counts.speed).toEqual({ dropout: 150 });
    expect(seen.filter((s) => s.ch === "steer_cmd").length).toBe(run.ticks.length - 1);
    expect(seen.every((s) => s.st <= s.t + 1e-9)).toBe(true);
  });

  it("measures driver ticks only through the injected clock, under timing", () => {
    let now = 0;
    const run = runScenario(straight, referenceDriver(), { seed: 1, now: () => (now += 2) });
    const res = scenarioResult(run);
    expect(res.timing.p50_tick_ms).toBe(2);
    expect(res.timing.deadline_misses).toBe(0);
    expect(scenarioResult(runScenario(straight, referenceDriver(), { seed: 1 })).timing.p50_tick_ms).toBeNull();
  });
});

describe("closed loop with misbehaving drivers", () => {
  it("never executes a NaN command: holds the last value, counts it, and fails nonfinite_commands", () => {
    const run = runScenario(straight, nanDriver(2, 3), { seed: 1 });
    const res = scenarioResult(run);
    expect(res.metrics.nonfinite_commands).toBe(20);
    expect(res.failed).toContain("nonfinite_commands");
    expect(res.metrics.fallback_share).toBeCloseTo(20 / 160, 9);
    const bad = run.ticks.filter((t) => t.command.steer_cmd === null);
    expect(bad.length).toBe(20);
    expect(bad.every((t) => Number.isFinite(t.executed.steer_cmd) && t.fallback === "nonfinite_command")).toBe(true);
  });

  it("flags uncomfortable braking and a collision by criterion name", () => {
    const sc = catalog.find((s) => s.name === "stopped-vehicle")!;
    const reckless: Driver = { reset() {}, tick: ({ t, reference }) => ({ command: { t, values: { ...reference, accel_cmd: t < 12 ? 0 : -7 }, mode: "model", limits: [] } }) };
    const res = scenarioResult(runScenario(sc, reckless, { seed: 1 }));
    expect(res.passed).toBe(false);
    expect(res.failed).toEqual(expect.arrayContaining(["collisions", "min_ttc_s", "min_lon_accel"]));
    expect(res.metrics.collisions).toBe(1);
  });

  it("ADE/FDE compare each prediction with what the vehicle then executed", () => {
    const horizon = 5;
    const mk = (offset: number): Driver => ({
      reset() {},
      tick: ({ t }) => {
        const mean = new Float32Array(horizon * 2);
        for (let i = 0; i < horizon; i++) (mean[2 * i] = 0 + offset), (mean[2 * i + 1] = 0.5);
        return {
          command: { t, values: { steer_cmd: 0, accel_cmd: 0.5 }, mode: "model", limits: [] },
          prediction: { t0: t + 0.05, dt: 0.05, channels: ["steer_cmd", "accel_cmd"], mean, model: "const" },
        };
      },
    });
    const exact = scenarioResult(runScenario(straight, mk(0), { seed: 1 }));
    expect(exact.metrics.ade).toBe(0);
    expect(exact.metrics.fde).toBe(0);
    const off = scenarioResult(runScenario(straight, mk(0.25), { seed: 1 }));
    // Steer off by 0.25 on one of two channels: mean abs error per step 0.125.
    expect(off.metrics.ade).toBeCloseTo(0.125, 6);
    expect(off.metrics.fde).toBeCloseTo(0.125, 6);
  });
});
