import { describe, expect, it } from "vitest";
import { ACTION_CHANNELS, LIMIT_TABLES, applyOverrides, listParamKeys, policyPreset } from "../../policy/index.js";

// Tests written for StrykerJS survivors of policy/overrides.ts (docs/mutation.md lists each mutant and its test).

const car = policyPreset("passenger-car");

describe("listParamKeys", () => {
  it("lists every scalar, every numeric table with each entry, the string lists whole, and a spread threshold per action channel", () => {
    const n = car.referenceSpeeds.length;
    const table = (k: string): string[] => [`policy.${k}`, ...Array.from({ length: n }, (_, i) => `policy.${k}[${i}]`)];
    const expected = [
      "policy.wheelbase",
      "policy.channels",
      ...table("referenceSpeeds"),
      ...LIMIT_TABLES.flatMap(table),
      ...["maxSpeed", "maxReverseSpeed", "nominalDt", "maxDt", "lookahead", "blend"].map((k) => `policy.${k}`),
      ...["action", "holdTime", "stopDecel", "recoverTime", "staleLimit", "criticalChannels"].map((k) => `policy.fallback.${k}`),
      ...ACTION_CHANNELS.map((ch) => `policy.fallback.maxStd.${ch}`),
    ];
    expect([...listParamKeys(car)].sort()).toEqual([...expected].sort());
  });

  it("adds the action channels under fallback.maxStd only, not at the top or under fallback", () => {
    const keys = listParamKeys(car);
    for (const ch of ACTION_CHANNELS) {
      expect(keys).not.toContain(`policy.${ch}`);
      expect(keys).not.toContain(`policy.fallback.${ch}`);
    }
  });
});

describe("applyOverrides' coercion of text", () => {
  it("turns text into a number only where the parameter is a number: a numeric text for a string key stays text", () => {
    expect(() => applyOverrides(car, { "policy.fallback.action": "1" })).toThrow('policy.fallback.action = "1": must be "hold" or "stop"');
    expect(applyOverrides(car, { "policy.fallback.criticalChannels": ["speed", "7"] }).fallback.criticalChannels).toEqual(["speed", "7"]);
    expect(applyOverrides(car, { "policy.maxSpeed": " 12.5 " }).maxSpeed).toBe(12.5);
  });

  it("numeric text for a spread threshold the file leaves unset is a number too, like for one it sets", () => {
    expect(car.fallback.maxStd.speed_cmd).toBeUndefined();
    const p = applyOverrides(car, { "policy.fallback.maxStd.speed_cmd": "0.5", "policy.fallback.maxStd.steer_cmd": "0.2" });
    expect(p.fallback.maxStd).toEqual({ steer_cmd: 0.2, accel_cmd: 1.5, speed_cmd: 0.5 });
    expect(() => applyOverrides(car, { "policy.fallback.maxStd.speed_cmd": "wide" })).toThrow('policy.fallback.maxStd.speed_cmd = "wide": must be a number');
  });
});
