import { describe, expect, it } from "vitest";
import { ErrorAccumulator } from "../../dynamics/metrics.js";

describe("metrics: ADE/FDE", () => {
  it("per channel in physical units; overall in units of each action's training std", () => {
    const acc = new ErrorAccumulator(["speed_cmd", "steer_cmd"], 2, [2, 0.1]);
    // step-major [k][a]: speed errors 1, 3; steer errors 0.1, 0.3
    acc.add([1, 0.1, 3, 0.3], [0, 0, 0, 0]);
    acc.add([0, 0, 0, 0], [0, 0, 0, 0]);
    const s = acc.summary();
    expect(s.per_channel.speed_cmd.ade).toBeCloseTo(1, 9); // (2 + 0) / 2
    expect(s.per_channel.speed_cmd.fde).toBeCloseTo(1.5, 9);
    expect(s.per_channel.steer_cmd.ade).toBeCloseTo(0.1, 9);
    expect(s.ade).toBeCloseTo((1 / 2 + 0.1 / 0.1) / 2, 9);
    expect(s.fde).toBeCloseTo((1.5 / 2 + 0.15 / 0.1) / 2, 9);
  });
});
