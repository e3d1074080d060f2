import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  POLICY_PRESET_NAMES,
  PolicyParamsError,
  applyOverrides,
  listParamKeys,
  parsePolicyParams,
  policyPreset,
} from "../../policy/index.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");

function problems(raw: unknown): string[] {
  try {
    parsePolicyParams(raw, "test.json");
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyParamsError);
    expect((e as Error).message).toContain("test.json");
    return [...(e as PolicyParamsError).problems];
  }
  throw new Error("expected the parameters to be rejected");
}

function car(): Record<string, any> {
  return policyPreset("passenger-car") as unknown as Record<string, any>;
}

describe("policy parameter files", () => {
  it.each(["passenger-car", "robot-1-10"])("policy/params/%s.json validates as read from disk", (name) => {
    const raw = JSON.parse(readFileSync(path.join(repoRoot, "policy/params", `${name}.json`), "utf8"));
    const p = parsePolicyParams(raw, `${name}.json`);
    expect(p.name).toBe(name);
    expect(POLICY_PRESET_NAMES).toContain(name);
    expect(policyPreset(name)).toEqual(p);
  });

  it("the car commands steer+accel and the robot speed+steer, as their models predict", () => {
    expect(policyPreset("passenger-car").channels).toEqual(["steer_cmd", "accel_cmd"]);
    expect(policyPreset("robot-1-10").channels).toEqual(["speed_cmd", "steer_cmd"]);
  });

  it("names an unknown preset and the known ones", () => {
    expect(() => policyPreset("tractor")).toThrow(/unknown policy preset "tractor" \(known: passenger-car, robot-1-10\)/);
  });

  it("presets are copies: editing one does not change the next", () => {
    const a = policyPreset("passenger-car") as any;
    a.latAccLim[0] = 99;
    expect(policyPreset("passenger-car").latAccLim[0]).toBe(5);
  });
});

describe("parsePolicyParams errors name the key and the value", () => {
  it("a non-positive table entry", () => {
    const raw = car();
    raw.lonJerkLim[2] = -1;
    expect(problems(raw)).toEqual(["policy.lonJerkLim[2] = -1: must be > 0"]);
  });

  it("missing, unknown and wrongly typed keys, all reported at once", () => {
    const raw = car();
    delete raw.wheelbase;
    raw.maxSpeedd = 3;
    raw.maxSpeed = "fast";
    raw.fallback.action = "panic";
    expect(problems(raw).sort()).toEqual(
      [
        "policy.wheelbase = undefined: required",
        "policy.maxSpeedd: unknown key",
        'policy.maxSpeed = "fast": must be a number',
        'policy.fallback.action = "panic": must be "hold" or "stop"',
      ].sort(),
    );
  });

  it("tables must match referenceSpeeds in length, and reference speeds must increase", () => {
    const raw = car();
    raw.latAccLim = [5, 5, 5];
    raw.referenceSpeeds = [0.1, 20, 20, 30];
    expect(problems(raw)).toEqual([
      "policy.referenceSpeeds[2] = 20: must be > referenceSpeeds[1] (20)",
      "policy.latAccLim = [5,5,5]: must have 4 entries, one per referenceSpeeds entry (has 3)",
    ]);
  });

  it("non-finite numbers, steering beyond pi/2, blend outside 0..1, maxDt < nominalDt, repeated and unknown channels", () => {
    const raw = car();
    raw.steerRateLim[0] = Infinity;
    expect(problems(raw)).toEqual(["policy.steerRateLim[0] = Infinity: must be finite"]);
    const b = car();
    b.steerLim[1] = 2;
    b.maxDt = 0.01;
    b.channels = ["steer_cmd", "steer_cmd"];
    expect(problems(b)).toEqual([
      "policy.steerLim[1] = 2: must be <= pi/2",
      'policy.channels = ["steer_cmd","steer_cmd"]: must not repeat a channel',
      "policy.maxDt = 0.01: must be >= nominalDt (0.05)",
    ]);
    const c = car();
    c.blend = 1.5;
    c.channels = ["throttle"];
    c.fallback.maxStd.throttle = 1;
    expect(problems(c).sort()).toEqual(
      [
        "policy.blend = 1.5: must be <= 1",
        'policy.channels[0] = "throttle": must be one of steer_cmd, accel_cmd, speed_cmd',
        "policy.fallback.maxStd.throttle: unknown key",
      ].sort(),
    );
  });

  it("rejects what is not an object at all", () => {
    expect(problems(null)).toEqual(["policy = null: must be an object"]);
    expect(problems([1])).toEqual(["policy = [1]: must be an object"]);
  });
});

describe("applyOverrides", () => {
  const base = policyPreset("passenger-car");

  it("sets one table entry, a whole table from a scalar, a nested key, and a number given as text", () => {
    const p = applyOverrides(base, {
      "policy.latAccLim[1]": 2.5,
      "policy.lonJerkLim": 3,
      "policy.fallback.holdTime": "0.25",
      "policy.blend": 0.3,
    });
    expect(p.latAccLim).toEqual([5, 2.5, 5, 4]);
    expect(p.lonJerkLim).toEqual([3, 3, 3, 3]);
    expect(p.fallback.holdTime).toBe(0.25);
    expect(p.blend).toBe(0.3);
    expect(base.latAccLim).toEqual([5, 5, 5, 4]);
    expect(base.blend).toBe(0);
  });

  it("replaces referenceSpeeds together with tables of a new length, validated as a whole", () => {
    const p = applyOverrides(base, {
      "policy.referenceSpeeds": [0, 30],
      "policy.steerLim": [0.6, 0.4],
      "policy.steerRateLim": [0.6, 0.4],
      "policy.lonAccLim": 4,
      "policy.lonJerkLim": 4,
      "policy.latAccLim": 4,
      "policy.latJerkLim": 6,
      "policy.actualSteerDiffLim": [0.6, 0.4],
    });
    expect(p.referenceSpeeds).toEqual([0, 30]);
    expect(p.lonAccLim).toEqual([4, 4]);
    expect(() => applyOverrides(base, { "policy.referenceSpeeds": [0, 30] })).toThrow(/policy\.steerLim = \[0\.6,0\.6,0\.5,0\.4\]: must have 2 entries/);
  });

  it("an unknown key is an error that lists the known keys", () => {
    let err: unknown;
    try {
      applyOverrides(base, { "policy.maxLatAccel": 2.5 }, "lam tune --param");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyParamsError);
    const msg = (err as Error).message;
    expect(msg).toContain("lam tune --param");
    expect(msg).toContain("policy.maxLatAccel: unknown parameter key (known: policy.wheelbase,");
    expect(msg).toContain("policy.latAccLim[1]");
    expect(msg).toContain("policy.fallback.recoverTime");
    expect(() => applyOverrides(base, { "latAccLim[1]": 1 })).toThrow(/latAccLim\[1\]: unknown parameter key/);
    expect(() => applyOverrides(base, { "policy.latAccLim[9]": 1 })).toThrow(/unknown parameter key/);
    expect(() => applyOverrides(base, { "policy.name": "x" })).toThrow(/unknown parameter key/);
  });

  it("a bad value is an error naming the key and value", () => {
    expect(() => applyOverrides(base, { "policy.latAccLim[1]": -2 })).toThrow("policy.latAccLim[1] = -2: must be > 0");
    expect(() => applyOverrides(base, { "policy.maxSpeed": "fast" })).toThrow('policy.maxSpeed = "fast": must be a number');
  });

  it("every listed key is accepted and setting it to its own value changes nothing", () => {
    for (const name of POLICY_PRESET_NAMES) {
      const p = policyPreset(name);
      const keys = listParamKeys(p);
      expect(keys).toContain("policy.maxSpeed");
      expect(keys).toContain("policy.steerRateLim[0]");
      expect(keys).toContain("policy.fallback.maxStd.accel_cmd");
      expect(keys).not.toContain("policy.name");
      for (const k of keys) {
        const current = k
          .slice("policy".length)
          .split(/\.|\[|\]/)
          .filter((s) => s !== "")
          .reduce<any>((o, seg) => (o === undefined ? undefined : o[seg]), p);
        if (current === undefined) continue; // a spread threshold for a channel the file leaves unset
        expect(applyOverrides(p, { [k]: current }), k).toEqual(p);
      }
    }
  });

  it("can add a spread threshold for a channel the file leaves unset", () => {
    expect(applyOverrides(base, { "policy.fallback.maxStd.speed_cmd": 0.5 }).fallback.maxStd).toEqual({ steer_cmd: 0.1, accel_cmd: 1.5, speed_cmd: 0.5 });
  });
});
