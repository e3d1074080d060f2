import { describe, expect, it } from "vitest";
import { PolicyParamsError, parsePolicyParams, policyParamsSchema, policyPreset } from "../../policy/index.js";

// Tests written for StrykerJS survivors of policy/params.ts (docs/mutation.md lists each mutant and its test).

const car = (): Record<string, unknown> => structuredClone(policyPreset("passenger-car")) as unknown as Record<string, unknown>;

function caught(f: () => unknown): PolicyParamsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyParamsError);
    return e as PolicyParamsError;
  }
  throw new Error("expected the parameters to be rejected");
}

describe("policyParamsSchema's cross-field checks", () => {
  it("report zod 'custom' issues at the offending key, one per problem", () => {
    const raw = {
      ...car(),
      referenceSpeeds: [0.1, 0.1, 20, 30],
      lonJerkLim: [5, 5, 4],
      steerLim: [2, 0.6, 0.5, 0.4],
      channels: ["steer_cmd", "steer_cmd"],
      maxDt: 0.01,
    };
    const r = policyParamsSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.code, i.path.join("."), i.message])).toEqual([
      ["custom", "referenceSpeeds.1", "must be > referenceSpeeds[0] (0.1)"],
      ["custom", "lonJerkLim", "must have 4 entries, one per referenceSpeeds entry (has 3)"],
      ["custom", "steerLim.0", "must be <= pi/2"],
      ["custom", "channels", "must not repeat a channel"],
      ["custom", "maxDt", "must be >= nominalDt (0.05)"],
    ]);
  });

  it("accept a steering limit of exactly pi/2 and maxDt equal to nominalDt (the bounds are inclusive)", () => {
    const p = parsePolicyParams({ ...car(), steerLim: [Math.PI / 2, 0.6, 0.5, 0.4], maxDt: 0.05 });
    expect(p.steerLim[0]).toBe(Math.PI / 2);
    expect(p.maxDt).toBe(p.nominalDt);
    expect(caught(() => parsePolicyParams({ ...car(), steerLim: [Math.PI / 2 + 1e-9, 0.6, 0.5, 0.4] })).problems).toEqual([
      `policy.steerLim[0] = ${Math.PI / 2 + 1e-9}: must be <= pi/2`,
    ]);
    expect(caught(() => parsePolicyParams({ ...car(), maxDt: 0.049 })).problems).toEqual(["policy.maxDt = 0.049: must be >= nominalDt (0.05)"]);
  });
});

describe("PolicyParamsError", () => {
  it("is named, and lists each problem on its own indented line after the source", () => {
    const e = caught(() => parsePolicyParams({ ...car(), wheelbase: -1, maxSpeed: 0 }, "car.json"));
    expect(e.name).toBe("PolicyParamsError");
    expect(e.source).toBe("car.json");
    expect(e.message).toBe("car.json: invalid policy parameters:\n  policy.wheelbase = -1: must be > 0\n  policy.maxSpeed = 0: must be > 0");
  });

  it('names the source "policy params" when none is given', () => {
    const e = caught(() => parsePolicyParams({ ...car(), wheelbase: 0 }));
    expect(e.source).toBe("policy params");
    expect(e.message.startsWith("policy params: invalid policy parameters:\n  policy.wheelbase = 0: must be > 0")).toBe(true);
  });
});

describe("how a rejected value is shown", () => {
  it("a value JSON cannot write (a symbol, a function) is shown as text, not a crash", () => {
    expect(caught(() => parsePolicyParams({ ...car(), wheelbase: Symbol("w") })).problems).toEqual(["policy.wheelbase = Symbol(w): must be a number"]);
    const fn = (): number => 1;
    expect(caught(() => parsePolicyParams({ ...car(), maxSpeed: fn })).problems).toEqual([`policy.maxSpeed = ${String(fn)}: must be a number`]);
  });

  it("a value whose JSON is up to 60 characters is shown whole, a longer one cut to 57 plus ...", () => {
    const sixty = "x".repeat(58); // JSON adds the two quotes
    expect(caught(() => parsePolicyParams({ ...car(), wheelbase: sixty })).problems).toEqual([`policy.wheelbase = "${sixty}": must be a number`]);
    const long = "y".repeat(59);
    expect(caught(() => parsePolicyParams({ ...car(), wheelbase: long })).problems).toEqual([`policy.wheelbase = "${"y".repeat(56)}...: must be a number`]);
  });

  it('a value of the wrong type is "must be a number", a missing one "required"', () => {
    const { wheelbase: _, ...missing } = car();
    expect(caught(() => parsePolicyParams(missing)).problems).toEqual(["policy.wheelbase = undefined: required"]);
    expect(caught(() => parsePolicyParams({ ...car(), wheelbase: "2.66" })).problems).toEqual(['policy.wheelbase = "2.66": must be a number']);
    expect(caught(() => parsePolicyParams({ ...car(), wheelbase: null })).problems).toEqual(["policy.wheelbase = null: must be a number"]);
  });

  it("a missing choice says which values it takes, not just required (zod reports it as a bad value, not a bad type)", () => {
    const raw = car();
    const { action: _, ...fallback } = raw.fallback as Record<string, unknown>;
    expect(caught(() => parsePolicyParams({ ...raw, fallback })).problems).toEqual(['policy.fallback.action = undefined: must be "hold" or "stop"']);
    expect(caught(() => parsePolicyParams({ ...raw, channels: ["steer_cmd", undefined] })).problems).toEqual([
      "policy.channels[1] = undefined: must be one of steer_cmd, accel_cmd, speed_cmd",
    ]);
  });
});
