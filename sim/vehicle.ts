// Kinematic bicycle referenced at the REAR AXLE (x, y = rear-axle centre): with that reference the slip angle is
// zero and the yaw rate is exactly v·tan(δ)/L, so a steady turn has rear-axle radius L/tan(δ).
// Actuators are first-order lags (steering also rate-limited); the longitudinal channel takes either an
// acceleration command or a speed command tracked by a proportional speed loop (the vehicle's own low-level
// controller). Integration is fixed-step RK4 with the command held over the step: same inputs → same bits.

export interface VehicleParams {
  readonly name: string;
  /** Wheelbase L (m). */
  readonly wheelbase: number;
  /** Body length/width (m) and rear overhang behind the rear axle (m), for the collision box. */
  readonly length: number;
  readonly width: number;
  readonly rearOverhang: number;
  /** Road-wheel angle limit (rad) and rate limit (rad/s). */
  readonly maxSteer: number;
  readonly maxSteerRate: number;
  /** Steering and longitudinal actuator time constants (s). */
  readonly steerTau: number;
  readonly accelTau: number;
  /** Acceleration limits (m/s²): maxAccel > 0, maxDecel > 0 (a braking magnitude). */
  readonly maxAccel: number;
  readonly maxDecel: number;
  readonly maxSpeed: number;
  readonly allowReverse: boolean;
  /** Speed-loop gain (1/s) used when the command is speed_cmd. */
  readonly speedGain: number;
  /** Integration step (s). */
  readonly dt: number;
}

export const PASSENGER_CAR: VehicleParams = {
  name: "car",
  wheelbase: 2.7,
  length: 4.6,
  width: 1.85,
  rearOverhang: 1.0,
  maxSteer: 0.55,
  maxSteerRate: 0.6,
  steerTau: 0.1,
  accelTau: 0.25,
  maxAccel: 3.0,
  maxDecel: 8.0,
  maxSpeed: 45,
  allowReverse: false,
  speedGain: 1.0,
  dt: 0.01,
};

/** A 1/10-scale car-like robot (F1TENTH class). */
export const SCALE_ROBOT: VehicleParams = {
  name: "robot",
  wheelbase: 0.33,
  length: 0.55,
  width: 0.3,
  rearOverhang: 0.1,
  maxSteer: 0.34,
  maxSteerRate: 3.0,
  steerTau: 0.05,
  accelTau: 0.1,
  maxAccel: 4.0,
  maxDecel: 6.0,
  maxSpeed: 5.0,
  allowReverse: false,
  speedGain: 2.0,
  dt: 0.01,
};

export function vehicleParams(model: "car" | "robot", overrides: Partial<VehicleParams> = {}): VehicleParams {
  const base = model === "car" ? PASSENGER_CAR : SCALE_ROBOT;
  return { ...base, ...overrides };
}

export interface VehicleState {
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly speed: number;
  /** Actual road-wheel angle (rad), after the actuator lag. */
  readonly steer: number;
  /** Longitudinal actuator output (m/s²), after the lag; see bodyAccel for what the body feels. */
  readonly accel: number;
}

/** What the actuators are asked for: steer_cmd, and exactly one of accel_cmd / speed_cmd. */
export interface VehicleCommand {
  readonly steer_cmd: number;
  readonly accel_cmd?: number;
  readonly speed_cmd?: number;
}

export type VehicleLimit = "steer_max" | "steer_rate" | "accel_max" | "decel_max" | "speed_max" | "no_reverse";

/** The acceleration the body really has: zero while brakes hold it stopped or it sits at top speed. */
export function bodyAccel(s: VehicleState, p: VehicleParams): number {
  if (!p.allowReverse && s.speed <= 0 && s.accel < 0) return 0;
  if (s.speed >= p.maxSpeed && s.accel > 0) return 0;
  return s.accel;
}

export function yawRate(s: VehicleState, p: VehicleParams): number {
  return (s.speed * Math.tan(s.steer)) / p.wheelbase;
}

export function latAccel(s: VehicleState, p: VehicleParams): number {
  return s.speed * yawRate(s, p);
}

interface Targets {
  steer: number;
  accel: number;
  limits: Set<VehicleLimit>;
}

function targets(s: VehicleState, cmd: VehicleCommand, p: VehicleParams): Targets {
  const limits = new Set<VehicleLimit>();
  let steer = cmd.steer_cmd;
  if (steer > p.maxSteer) (steer = p.maxSteer), limits.add("steer_max");
  else if (steer < -p.maxSteer) (steer = -p.maxSteer), limits.add("steer_max");
  let accel = cmd.speed_cmd !== undefined ? p.speedGain * (cmd.speed_cmd - s.speed) : cmd.accel_cmd ?? 0;
  if (accel > p.maxAccel) (accel = p.maxAccel), limits.add("accel_max");
  else if (accel < -p.maxDecel) (accel = -p.maxDecel), limits.add("decel_max");
  return { steer, accel, limits };
}

type Vec = [x: number, y: number, heading: number, speed: number, steer: number, accel: number];

function deriv(v: Vec, tg: Targets, p: VehicleParams): Vec {
  const [, , h, sp, st, a] = v;
  let steerRate = (tg.steer - st) / p.steerTau;
  if (steerRate > p.maxSteerRate) steerRate = p.maxSteerRate;
  else if (steerRate < -p.maxSteerRate) steerRate = -p.maxSteerRate;
  let dv = a;
  // Brakes hold a stopped vehicle; they do not push it backwards.
  if (!p.allowReverse && sp <= 0 && dv < 0) dv = 0;
  if (sp >= p.maxSpeed && dv > 0) dv = 0;
  return [sp * Math.cos(h), sp * Math.sin(h), (sp * Math.tan(st)) / p.wheelbase, dv, steerRate, (tg.accel - a) / p.accelTau];
}

function axpy(a: Vec, k: number, d: Vec): Vec {
  return [a[0] + k * d[0], a[1] + k * d[1], a[2] + k * d[2], a[3] + k * d[3], a[4] + k * d[4], a[5] + k * d[5]];
}

export interface StepResult {
  readonly state: VehicleState;
  /** Limits that changed what the vehicle did on this step. */
  readonly limits: readonly VehicleLimit[];
}

/** Advance one fixed step `p.dt` with the command held (RK4). Pure. */
export function stepVehicle(s: VehicleState, cmd: VehicleCommand, p: VehicleParams): StepResult {
  const tg = targets(s, cmd, p);
  const dt = p.dt;
  const v0: Vec = [s.x, s.y, s.heading, s.speed, s.steer, s.accel];
  const k1 = deriv(v0, tg, p);
  const k2 = deriv(axpy(v0, dt / 2, k1), tg, p);
  const k3 = deriv(axpy(v0, dt / 2, k2), tg, p);
  const k4 = deriv(axpy(v0, dt, k3), tg, p);
  const n = v0.map((x, i) => x + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i])) as Vec;
  if (Math.abs(tg.steer - s.steer) / p.steerTau > p.maxSteerRate) tg.limits.add("steer_rate");
  let speed = n[3];
  if (!p.allowReverse && speed < 0) (speed = 0), tg.limits.add("no_reverse");
  if (speed > p.maxSpeed) (speed = p.maxSpeed), tg.limits.add("speed_max");
  if (speed < -p.maxSpeed) speed = -p.maxSpeed;
  const steer = Math.max(-p.maxSteer, Math.min(p.maxSteer, n[4]));
  return { state: { x: n[0], y: n[1], heading: wrapAngle(n[2]), speed, steer, accel: n[5] }, limits: [...tg.limits].sort() };
}

export function wrapAngle(a: number): number {
  if (a > Math.PI || a <= -Math.PI) {
    a = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  }
  return a;
}
