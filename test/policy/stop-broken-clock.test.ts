// Issue 8 #1: with status "stop: clock" the speed command stayed at 2.345 m/s, because a clock that does not advance
// (t stuck at 1e300, where + 0.05 changes nothing; or going backwards; or NaN) gave the stop ramp dt = 0.
import { describe, expect, it } from "vitest";
import { policyPreset } from "../../policy/presets.js";
import type { PolicyMemory } from "../../policy/step.js";
import { memoryAfter, run } from "./helpers.js";

const params = policyPreset("robot-1-10");

/** In stop mode at 2.345 m/s, as after a clock fault. */
function stopping(t: number): PolicyMemory {
  const m = memoryAfter(t, { speed_cmd: 2.345, steer_cmd: 0.03 });
  return { ...m, mode: { mode: "stop", reason: "clock", faultFor: 1, faultTicks: 20, healthyFor: null } };
}

const ticks = (n: number, t: (k: number) => number) =>
  Array.from({ length: n }, (_, k) => ({ state: { t: t(k), speed: 2.345, staleChannels: [] as string[] } }));

describe("stop mode ramps speed_cmd to zero whatever the clock does", () => {
  const cases: [string, number, (k: number) => number][] = [
    ["stuck at 1e300 (t + dt == t)", 1e300, () => 1e300 + 0.05],
    ["repeating the same t", 100, () => 100],
    ["going backwards", 100, (k) => 100 - 0.05 * (k + 1)],
    ["not finite", 100, () => NaN],
  ];
  for (const [what, t0, t] of cases) {
    it(`clock ${what}`, () => {
      const out = run(params, ticks(400, t), stopping(t0));
      const speeds = out.map((r) => r.command.values.speed_cmd!);
      expect(out.every((r) => r.command.mode === "stop")).toBe(true);
      for (let k = 1; k < speeds.length; k++) expect(speeds[k]!).toBeLessThanOrEqual(speeds[k - 1]!);
      expect(speeds.at(-1)).toBe(0);
      // No faster than the stop deceleration allows per nominal tick.
      expect(2.345 - speeds[0]!).toBeLessThanOrEqual(params.fallback.stopDecel * params.nominalDt + 1e-9);
    });
  }
});
