import { describe, expect, it } from "vitest";
import type { ActionSequence, Predictor } from "../../dynamics/types.js";
import { Validity, type Frame, type FrameSpec } from "../../perception/index.js";
import { Decider } from "../../pipeline/index.js";
import { policyPreset } from "../../policy/index.js";

// The tick deadline with an injected clock: a predictor whose step "takes" a chosen number of milliseconds.

const spec: FrameSpec = {
  rate: 20, // one frame period = the default budget: 50 ms
  channels: [
    { name: "speed", interp: "linear", staleAfter: 0.5 },
    { name: "steer", interp: "linear", staleAfter: 0.5 },
  ],
};
const policy = policyPreset("passenger-car");

function frame(i: number): Frame {
  return { t: i / spec.rate, values: Float32Array.from([10, 0]), valid: Uint8Array.from([Validity.Fresh, Validity.Fresh]) };
}

/** A fake wall clock and a predictor that advances it by costs[i] ms on its i-th step. */
function setup(costs: readonly number[], opts: { deadlineFallback?: boolean; deadlineMs?: number } = {}) {
  let now = 1000;
  let steps = 0;
  const predictor: Predictor = {
    name: "timed",
    reset() {},
    step(f: Frame): ActionSequence {
      now += costs[steps++] ?? 1;
      return { t0: f.t, dt: 0.05, channels: ["steer_cmd", "accel_cmd"], mean: new Float32Array(8), model: "timed" };
    },
  };
  const decider = new Decider({ frameSpec: spec, predictor, policy, timer: () => now, ...opts });
  return Array.from({ length: costs.length }, (_, i) => decider.tick(frame(i)));
}

describe("Decider tick deadline", () => {
  it("measures each tick with the injected timer and flags the one over budget", () => {
    const rs = setup([10, 49, 51, 10, 10]);
    expect(rs.map((r) => r.tickMs)).toEqual([10, 49, 51, 10, 10]);
    expect(rs.map((r) => r.deadlineMissed)).toEqual([false, false, true, false, false]);
  });

  it("with deadlineFallback, the tick after a miss is a deadline_missed fault and leaves model mode", () => {
    const rs = setup([10, 10, 80, 10, 10], { deadlineFallback: true });
    expect(rs.map((r) => r.command.mode)).toEqual(["model", "model", "model", "fallback", "fallback"]);
    expect(rs[3]!.why.faults.map((f) => f.reason)).toEqual(["deadline_missed"]);
    expect(rs[3]!.why.reason).toBe("deadline_missed");
    // Only the overrun tick's successor carries the fault: the one after is healthy again (recovering).
    expect(rs[4]!.why.faults).toEqual([]);
  });

  it("without deadlineFallback (replay, simulation) a miss is reported but never changes a command", () => {
    const rs = setup([10, 80, 80, 10], { deadlineFallback: false });
    expect(rs.map((r) => r.deadlineMissed)).toEqual([false, true, true, false]);
    expect(rs.every((r) => r.command.mode === "model")).toBe(true);
  });

  it("an explicit budget replaces the frame period", () => {
    const rs = setup([80, 120, 10], { deadlineMs: 100, deadlineFallback: true });
    expect(rs.map((r) => r.deadlineMissed)).toEqual([false, true, false]);
    expect(rs.map((r) => r.command.mode)).toEqual(["model", "model", "fallback"]);
  });
});
