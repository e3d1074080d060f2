import { describe, it, expect } from "vitest";
import { stepVehicle, vehicleParams, yawRate, PASSENGER_CAR, SCALE_ROBOT, type VehicleState, type VehicleCommand, type VehicleParams } from "../../sim/index.js";

function drive(s: VehicleState, cmd: VehicleCommand, p: VehicleParams, seconds: number, each?: (s: VehicleState, limits: readonly string[]) => void): VehicleState {
  const n = Math.round(seconds / p.dt);
  for (let i = 0; i < n; i++) {
    const r = stepVehicle(s, cmd, p);
    s = r.state;
    each?.(s, r.limits);
  }
  return s;
}

const at = (speed: number, steer = 0): VehicleState => ({ x: 0, y: 0, heading: 0, speed, steer, accel: 0 });

describe("kinematic bicycle", () => {
  it("drives a straight line at constant speed", () => {
    const s = drive(at(15), { steer_cmd: 0, accel_cmd: 0 }, PASSENGER_CAR, 10);
    expect(s.x).toBeCloseTo(150, 9);
    expect(s.y).toBe(0);
    expect(s.heading).toBe(0);
    expect(s.speed).toBe(15);
  });

  for (const p of [PASSENGER_CAR, SCALE_ROBOT]) {
    it(`${p.name}: steady-state turn radius is wheelbase / tan(steer)`, () => {
      const steer = 0.2;
      const v = p === PASSENGER_CAR ? 5 : 1;
      let s = drive(at(v, steer), { steer_cmd: steer, speed_cmd: v }, p, 2);
      // Three points on the settled circle → its radius.
      const pts: [number, number][] = [];
      for (let i = 0; i < 3; i++) {
        pts.push([s.x, s.y]);
        s = drive(s, { steer_cmd: steer, speed_cmd: v }, p, 0.5);
      }
      const [[ax, ay], [bx, by], [cx, cy]] = pts;
      const d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
      const ux = ((ax * ax + ay * ay) * (by - cy) + (bx * bx + by * by) * (cy - ay) + (cx * cx + cy * cy) * (ay - by)) / d;
      const uy = ((ax * ax + ay * ay) * (cx - bx) + (bx * bx + by * by) * (ax - cx) + (cx * cx + cy * cy) * (bx - ax)) / d;
      const r = Math.hypot(ax - ux, ay - uy);
      expect(r / (p.wheelbase / Math.tan(steer))).toBeCloseTo(1, 6);
      expect(yawRate(s, p)).toBeCloseTo((v * Math.tan(steer)) / p.wheelbase, 9);
    });
  }

  it("steering follows a first-order lag: 63.2 % of a small step after one time constant", () => {
    const p = PASSENGER_CAR;
    const s = drive(at(10), { steer_cmd: 0.02, accel_cmd: 0 }, p, p.steerTau);
    expect(s.steer / 0.02).toBeCloseTo(1 - Math.exp(-1), 3);
  });

  it("acceleration follows a first-order lag", () => {
    const p = PASSENGER_CAR;
    const s = drive(at(10), { steer_cmd: 0, accel_cmd: 1 }, p, p.accelTau);
    expect(s.accel).toBeCloseTo(1 - Math.exp(-1), 3);
  });

  it("rate-limits and clamps steering, and reports which limit acted", () => {
    const p = PASSENGER_CAR;
    const seen = new Set<string>();
    let prev = 0;
    let maxRate = 0;
    const s = drive(at(10), { steer_cmd: 2, accel_cmd: 0 }, p, 3, (st, l) => {
      l.forEach((x) => seen.add(x));
      maxRate = Math.max(maxRate, (st.steer - prev) / p.dt);
      prev = st.steer;
    });
    expect(s.steer).toBeCloseTo(p.maxSteer, 9);
    expect(maxRate).toBeLessThanOrEqual(p.maxSteerRate + 1e-9);
    expect([...seen].sort()).toEqual(["steer_max", "steer_rate"]);
  });

  it("brakes to a stop and does not reverse; clamps acceleration commands", () => {
    const p = PASSENGER_CAR;
    const seen = new Set<string>();
    const s = drive(at(5), { steer_cmd: 0, accel_cmd: -20 }, p, 5, (_st, l) => l.forEach((x) => seen.add(x)));
    expect(s.speed).toBe(0);
    expect(seen.has("decel_max")).toBe(true);
    expect(seen.has("no_reverse")).toBe(true);
  });

  it("never exceeds max speed", () => {
    const p = vehicleParams("robot");
    let top = 0;
    drive(at(4.5), { steer_cmd: 0, accel_cmd: 10 }, p, 3, (st) => (top = Math.max(top, st.speed)));
    expect(top).toBe(p.maxSpeed);
  });

  it("tracks a speed command with its low-level speed loop", () => {
    const s = drive(at(1), { steer_cmd: 0, speed_cmd: 3 }, SCALE_ROBOT, 6);
    expect(s.speed).toBeCloseTo(3, 2);
  });

  it("is deterministic bit for bit", () => {
    const a = drive(at(7, 0.1), { steer_cmd: -0.2, accel_cmd: 0.7 }, PASSENGER_CAR, 4);
    const b = drive(at(7, 0.1), { steer_cmd: -0.2, accel_cmd: 0.7 }, PASSENGER_CAR, 4);
    expect(Object.is(a.x, b.x) && Object.is(a.y, b.y) && Object.is(a.heading, b.heading)).toBe(true);
  });

  it("robot parameters match a 1/10-scale car", () => {
    expect(SCALE_ROBOT.wheelbase).toBe(0.33);
    expect(SCALE_ROBOT.maxSteer).toBe(0.34);
    expect(vehicleParams("car", { wheelbase: 3 }).wheelbase).toBe(3);
  });
});
