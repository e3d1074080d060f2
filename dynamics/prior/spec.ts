/**
 * A rule-based driving prior computed from the scene channels (perception/scene.ts): pure pursuit on the path and a
 * car-following law (IDM, braking as hard as the gap requires) on the lead, under a speed that respects the path's
 * curvature ahead. Stored in lam.json as head.prior; the model's head then predicts a residual over its action.
 */
export interface PriorSpec {
  readonly kind: "pursuit-idm";
  /** Wheelbase (m) and steering lock (rad) of the vehicle. */
  readonly wheelbase: number;
  readonly maxSteer: number;
  /** Pure-pursuit lookahead l = lookaheadMin + lookaheadTime · v (m, s). */
  readonly lookaheadMin: number;
  readonly lookaheadTime: number;
  /** Lateral acceleration (m/s²) and yaw rate (rad/s) curves are taken at, and the deceleration to slow for them. */
  readonly curveLatAccel: number;
  readonly curveYawRate: number;
  readonly previewDecel: number;
  /** Cruise loop gain (1/s), acceleration bounds (m/s², both positive). */
  readonly speedGain: number;
  readonly maxAccel: number;
  readonly comfortDecel: number;
  readonly maxDecel: number;
  /** Jerk (m/s³) normally and when the gap requires braking harder than comfortable. */
  readonly jerk: number;
  readonly emergencyJerk: number;
  /** IDM: time headway (s), standstill gap (m), exponent. */
  readonly timeHeadway: number;
  readonly minGap: number;
  readonly delta: number;
  /** Frame period (s): the jerk limit acts over one frame from the last commanded acceleration. */
  readonly dt: number;
  /** For a speed_cmd vehicle: its speed-loop gain (1/s): speed_cmd = v + a / gain. */
  readonly speedCmdGain?: number;
}

const POSITIVE = [
  "wheelbase", "maxSteer", "lookaheadMin", "curveLatAccel", "curveYawRate", "previewDecel", "speedGain", "maxAccel",
  "comfortDecel", "maxDecel", "jerk", "emergencyJerk", "timeHeadway", "minGap", "delta", "dt",
] as const;

/** Checks a prior read from lam.json; the error names the key and its value. */
export function checkPrior(v: unknown): PriorSpec {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== "object" || o.kind !== "pursuit-idm") throw new Error(`head.prior.kind=${JSON.stringify(o?.kind)} is not "pursuit-idm"`);
  for (const k of POSITIVE) {
    if (typeof o[k] !== "number" || !((o[k] as number) > 0) || !Number.isFinite(o[k])) throw new Error(`head.prior.${k}=${JSON.stringify(o[k])} must be a positive number`);
  }
  if (typeof o.lookaheadTime !== "number" || !(o.lookaheadTime >= 0)) throw new Error(`head.prior.lookaheadTime=${JSON.stringify(o.lookaheadTime)} must be >= 0`);
  if (o.speedCmdGain !== undefined && !(typeof o.speedCmdGain === "number" && o.speedCmdGain > 0)) {
    throw new Error(`head.prior.speedCmdGain=${JSON.stringify(o.speedCmdGain)} must be a positive number`);
  }
  return o as unknown as PriorSpec;
}

/** The prior for a 1/10-scale robot or a passenger car (the simulator's reference driver's tuning). */
export function defaultPrior(vehicle: "car" | "robot", rate: number): PriorSpec {
  const robot = vehicle === "robot";
  return {
    kind: "pursuit-idm",
    wheelbase: robot ? 0.33 : 2.7,
    maxSteer: robot ? 0.34 : 0.55,
    lookaheadMin: robot ? 0.7 : 6,
    lookaheadTime: robot ? 0.3 : 0.6,
    curveLatAccel: robot ? 2.5 : 3.0,
    curveYawRate: 0.75,
    previewDecel: 1.5,
    speedGain: 0.6,
    maxAccel: 1.5,
    comfortDecel: 2.0,
    maxDecel: robot ? 6 : 8,
    jerk: 2.0,
    emergencyJerk: 12,
    timeHeadway: robot ? 1.0 : 1.5,
    minGap: robot ? 0.3 : 2.5,
    delta: 4,
    dt: 1 / rate,
    ...(robot ? { speedCmdGain: 2.0 } : {}),
  };
}
