import { describe, expect, it } from "vitest";
import { generateScenario, generateScenarios, scenarioYaml } from "../../sim/generate.js";
import { parseScenario, ScenarioSchema } from "../../scenarios/index.js";

describe("procedural scenarios", () => {
  it("a generated scenario round-trips through its YAML file", () => {
    for (const g of generateScenarios(30, { seed: 5 })) {
      const direct = ScenarioSchema.parse(g);
      expect(parseScenario(scenarioYaml(g), `${g.name}.yaml`)).toEqual(direct);
    }
  });

  it("is a function of (seed, index): same seed same scenario, another seed another", () => {
    expect(scenarioYaml(generateScenario(7, { seed: 3 }))).toBe(scenarioYaml(generateScenario(7, { seed: 3 })));
    expect(generateScenario(7, { seed: 4 }).road).not.toEqual(generateScenario(7, { seed: 3 }).road);
  });

  it("draws both vehicles, traffic, lane changes and faults", () => {
    const all = generateScenarios(80, { seed: 9 }).map((g) => ScenarioSchema.parse(g));
    expect(new Set(all.map((s) => s.vehicle.model))).toEqual(new Set(["car", "robot"]));
    expect(all.every((s) => (s.vehicle.model === "robot") === s.actions.includes("speed_cmd"))).toBe(true);
    const kinds = new Set(all.flatMap((s) => s.traffic.map((a) => (a.kind === "lead" && a.lane_change ? "cut_in" : a.kind === "lead" && a.profile.length ? "profile" : a.kind))));
    expect(kinds).toEqual(new Set(["lead", "stopped", "cut_in", "profile"]));
    expect(all.some((s) => s.reference.route.length > 0)).toBe(true);
    expect(all.some((s) => s.faults.length > 0)).toBe(true);
    expect(generateScenarios(10, { seed: 9, vehicle: "robot" }).every((g) => g.vehicle.model === "robot")).toBe(true);
  });
});
