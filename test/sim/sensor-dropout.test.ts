import { describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";

interface SimJson {
  scenarios: { name: string; passed: boolean; failed: string[]; policy: string | null; metrics: Record<string, number | null> }[];
  driver: string;
}

// The bundled scene-aware car model and the default preset, model alone, through the same path as `lam sim`.
describe("sensor-dropout: speed and steering stale for 3 s at a curve entry", () => {
  it("passes: the fallback stop keeps steering along the fresh path instead of holding the wheel out of the lane", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["sim", "sensor-dropout", "--json"], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
    const j = JSON.parse(out.join("")) as SimJson;
    const s = j.scenarios[0]!;
    expect(j.driver).toBe("model");
    expect(s.name).toBe("sensor-dropout");
    expect(s.policy).toBe("passenger-car");
    // The dropout did put the policy out of model mode: the fallback steering was exercised.
    expect(s.metrics.fallback_share).toBeGreaterThan(0.05);
    expect(s.failed).toEqual([]);
    expect(s.metrics.collisions).toBe(0);
    expect(s.metrics.max_lane_deviation_m).toBeLessThan(0.5);
    expect(s.passed).toBe(true);
    expect(code, err.join("")).toBe(0);
  }, 120_000);
});
