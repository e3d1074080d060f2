import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkPrior, defaultPrior, headPrior, priorAction, PriorPredictor } from "../../dynamics/prior/index.js";
import { checkLamJson } from "../../dynamics/save.js";
import { SCENE_CHANNELS } from "../../perception/scene.js";
import { Validity, type Frame } from "../../perception/types.js";

const car = defaultPrior("car", 20);
const scene = (o: Record<string, number>) => (ch: string) => o[ch];
const base = { speed: 15, path_offset: 0, path_heading: 0, target_speed: 15, lead_present: 0, lead_gap: 150, lead_speed: 15 };

describe("driving prior (pure pursuit + IDM over the scene channels)", () => {
  it("steers back towards the path, into a curve, and holds the last steering without a path", () => {
    expect(priorAction(car, scene(base), 0, 0).steer).toBeCloseTo(0, 9);
    expect(priorAction(car, scene({ ...base, path_offset: -0.5 }), 0, 0).steer).toBeGreaterThan(0); // right of the path: steer left
    expect(priorAction(car, scene({ ...base, path_heading: 0.05 }), 0, 0).steer).toBeLessThan(0);
    // On a steady curve, the steady-state angle atan(L κ) (pure pursuit on an arc is exact).
    const k = 0.01;
    const onArc = Object.fromEntries(["path_curv@0s", "path_curv@0.5s", "path_curv@1s", "path_curv@2s", "path_curv@4s"].map((c) => [c, k]));
    expect(priorAction(car, scene({ ...base, ...onArc }), 0, 0).steer).toBeCloseTo(Math.atan(car.wheelbase * k), 3);
    expect(priorAction(car, scene({ speed: 10 }), 0.07, 0).steer).toBe(0.07);
  });

  it("slows for a curve ahead and brakes for a slower lead, jerk-limited from the last command", () => {
    const curve = priorAction(car, scene({ ...base, speed: 25, target_speed: 25, "path_curv@4s": 0.02 }), 0, 0).accel;
    expect(curve).toBeLessThan(0);
    const lead = { ...base, lead_present: 1, lead_gap: 20, lead_speed: 5 };
    expect(priorAction(car, scene(lead), 0, 0).accel).toBeCloseTo(-car.emergencyJerk * car.dt, 9);
    expect(priorAction(car, scene(lead), -3, -3).accel).toBeLessThan(-3);
    // Present flag off: the gap is not a lead.
    expect(priorAction(car, scene({ ...lead, lead_present: 0 }), 0, 0).accel).toBeGreaterThanOrEqual(0);
  });

  it("never returns a non-finite action, whatever the scene values", () => {
    const val = fc.oneof(fc.double(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("speed", ...SCENE_CHANNELS), val), fc.double(), fc.double(), (o, s, a) => {
        const r = priorAction(car, (ch) => {
          const v = o[ch];
          return v !== undefined && Number.isFinite(v) ? v : undefined;
        }, Number.isFinite(s) ? s : 0, a);
        return Number.isFinite(r.steer) && Number.isFinite(r.accel) && Math.abs(r.steer) <= car.maxSteer;
      }),
    );
  });

  it("drives speed_cmd for the robot, and as a predictor holds its action over the horizon", () => {
    const robot = defaultPrior("robot", 20);
    const channels = ["speed", ...SCENE_CHANNELS, "steer_cmd", "speed_cmd"];
    const values = new Float32Array(channels.length);
    const set = (c: string, v: number) => (values[channels.indexOf(c)] = v);
    set("speed", 1);
    set("target_speed", 2);
    set("speed_cmd", 1);
    const frame: Frame = { t: 1, values, valid: new Uint8Array(channels.length).fill(Validity.Fresh) };
    const out = new Float32Array(2);
    headPrior(robot, channels, ["steer_cmd", "speed_cmd"])(frame, [0, 1], out);
    expect(out[1]).toBeGreaterThan(1);
    const p = new PriorPredictor(robot, channels, ["steer_cmd", "speed_cmd"], 3).step(frame);
    expect(Array.from(p.mean)).toEqual([out[0], out[1], out[0], out[1], out[0], out[1]]);
    expect(() => headPrior(defaultPrior("car", 20), channels, ["steer_cmd", "speed_cmd"])).toThrow(/speedCmdGain/);
  });

  it("a lam.json head.prior is checked, naming the bad key", () => {
    expect(() => checkPrior({ ...car, wheelbase: -1 })).toThrow(/head\.prior\.wheelbase=-1/);
    expect(() => checkPrior({ ...car, kind: "mpc" })).toThrow(/head\.prior\.kind="mpc"/);
    const lam = {
      version: 1,
      spec: { features: ["speed"], actions: ["steer_cmd"], rate: 20, history: 2, horizon: 1, layers: 1, units: 1 },
      normalisation: { features: { channels: ["speed"], mean: [0], std: [1] }, actions: { channels: ["steer_cmd"], mean: [0], std: [1] } },
      head: { kind: "residual-hold", scale: [1], fallback: [0], eps: 1e-3, prior: { ...car, jerk: "fast" } },
      weightsSha256: "0".repeat(64),
    };
    expect(() => checkLamJson(lam, "lam.json")).toThrow(/head\.prior\.jerk="fast"/);
  });
});
