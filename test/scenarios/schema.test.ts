import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { parseScenario, loadCatalog, CATALOG_DIR, ScenarioError, scenarioJsonSchemaText } from "../../scenarios/index.js";

const base = `
name: t
vehicle: { model: car }
road: { lane_width: 3.5, lanes: 2, segments: [ { type: straight, length: 100 } ] }
ego: { lane: 0, speed: 10 }
duration: 5
reference: { speed: 10 }
`;

function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, "bad.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("scenario schema", () => {
  it("fills defaults", () => {
    const sc = parseScenario(base);
    expect(sc.rate).toBe(20);
    expect(sc.actions).toEqual(["steer_cmd", "accel_cmd"]);
    expect(sc.traffic).toEqual([]);
    expect(sc.ego.lateral_offset).toBe(0);
  });

  it("names the field path, the expected type and the value, with file:line:col", () => {
    const e = errorOf(
      base +
        `traffic:
  - { kind: stopped, lane: 0, s: 50 }
  - kind: lead
    lane: 1
    s: 30
    speed: 10
    profile:
      - { t: 2, speed: "fast" }
`,
    );
    expect(e.message).toContain(`traffic[1].profile[0].speed: expected number, got "fast"`);
    expect(e.issues[0].where).toBe("bad.yaml:15:24"); // the opening quote of "fast"
  });

  it("reports unknown fields, bad enum values, bad discriminators and lanes that do not exist", () => {
    expect(errorOf(base.replace("speed: 10 }\ndur", "speed: 10, spede: 3 }\ndur")).message).toContain(`ego: unknown field "spede"`);
    expect(errorOf(base.replace("model: car", "model: truck")).message).toContain(`vehicle.model: expected one of "car", "robot", got "truck"`);
    expect(errorOf(base.replace("type: straight", "type: spiral")).message).toMatch(/road\.segments\[0\]\.type: .*got "spiral"/);
    expect(errorOf(base.replace("lane: 0", "lane: 4")).message).toContain("ego.lane: lane 4 does not exist (road has 2), got 4");
    expect(errorOf(base + "actions: [steer_cmd]\n").message).toContain("actions: needs steer_cmd and exactly one of accel_cmd, speed_cmd");
    expect(errorOf(base + "faults: [ { kind: nan, channel: wheel_tick } ]\n").message).toContain(`faults[0].channel`);
  });

  it("reports a missing field and a YAML syntax error with its line", () => {
    expect(errorOf(base.replace("duration: 5\n", "")).message).toContain("duration: expected number, got nothing");
    const e = errorOf("name: x\nroad: { lanes: 2\nego: 1\n");
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+ YAML: /);
  });

  it("the committed JSON Schema equals the export from the zod schema", () => {
    const committed = readFileSync(new URL("../../scenarios/scenario.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(scenarioJsonSchemaText());
  });

  it("the catalog has at least 12 scenarios, all valid, names unique", () => {
    const all = loadCatalog(CATALOG_DIR);
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(new Set(all.map((s) => s.name)).size).toBe(all.length);
    for (const want of ["lane-keep-straight", "lane-keep-curve", "s-curve", "follow-lead", "lead-brakes-hard", "stop-and-go", "cut-in", "stopped-vehicle", "lane-change-pass", "merge", "sensor-dropout", "noisy-imu", "latency-spikes"])
      expect(all.map((s) => s.name)).toContain(want);
  });
});
