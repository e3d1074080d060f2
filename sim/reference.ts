// The reference controller: perfect knowledge of road, route and traffic. Steering is pure pursuit on the
// route's lateral target (exact for a rear-axle bicycle: δ = atan(2 L sin α / l_d)); longitudinal is the
// minimum of a cruise loop towards a curvature-aware desired speed and IDM behind the nearest vehicle in
// ego's lane band or in the band it is changing into; the acceleration is jerk-limited.
// Its output is the `reference` every Driver receives, and referenceDriver() drives with it directly.
import type { Scenario } from "../scenarios/schema.js";
import type { Road } from "./road.js";
import type { Route } from "./route.js";
import type { VehicleParams, VehicleState } from "./vehicle.js";
import type { AgentState, EgoView } from "./traffic.js";
import { leaderAhead } from "./traffic.js";
import { idmAccel, IDM_CAR, type Leader } from "./idm.js";
import type { Driver } from "./driver.js";

export interface ReferenceTuning {
  /** Pure-pursuit lookahead l_d = min + time·v (m, s). */
  readonly lookaheadMin: number;
  readonly lookaheadTime: number;
  /** Lateral acceleration and yaw rate the desired speed keeps to on curves. */
  readonly curveLatAccel: number;
  readonly curveYawRate: number;
  /** Deceleration used to slow ahead of a curve (m/s²). */
  readonly previewDecel: number;
  /** Cruise-loop gain (1/s) and acceleration bounds (m/s²). */
  readonly speedGain: number;
  readonly maxAccel: number;
  readonly comfortDecel: number;
  /** Jerk limits on the output (m/s³); the larger one applies while braking harder than comfortDecel. */
  readonly jerk: number;
  readonly emergencyJerk: number;
  readonly timeHeadway: number;
  readonly minGap: number;
}

export function referenceTuning(p: VehicleParams): ReferenceTuning {
  const robot = p.wheelbase < 1;
  return {
    lookaheadMin: robot ? 0.7 : 6,
    lookaheadTime: robot ? 0.3 : 0.6,
    curveLatAccel: robot ? 2.5 : 3.0,
    curveYawRate: 0.75,
    previewDecel: 1.5,
    speedGain: 0.6,
    maxAccel: Math.min(1.5, p.maxAccel),
    comfortDecel: 2.0,
    jerk: 2.0,
    emergencyJerk: 12,
    timeHeadway: robot ? 1.0 : IDM_CAR.timeHeadway,
    minGap: robot ? 0.3 : IDM_CAR.minGap,
  };
}

export interface ReferenceWorld {
  readonly t: number;
  readonly ego: VehicleState;
  /** Ego's rear axle in Frenet. */
  readonly s: number;
  readonly d: number;
  readonly egoView: EgoView;
  readonly agents: readonly AgentState[];
}

export interface ReferenceController {
  reset(): void;
  /** The reference action for this tick, by the scenario's action channels. */
  act(w: ReferenceWorld, dt: number): Record<string, number>;
  /** The desired speed it last aimed at (for plots). */
  readonly desiredSpeed: number;
}

export function referenceController(sc: Scenario, road: Road, p: VehicleParams, route: Route, tuning = referenceTuning(p)): ReferenceController {
  let prevAccel = 0;
  let vDes = sc.reference.speed;
  const curveSpeed = (k: number) => {
    const a = Math.abs(k);
    return a < 1e-6 ? Infinity : Math.min(Math.sqrt(tuning.curveLatAccel / a), tuning.curveYawRate / a);
  };
  return {
    get desiredSpeed() {
      return vDes;
    },
    reset() {
      prevAccel = 0;
      vDes = sc.reference.speed;
    },
    act(w, dt) {
      const { ego } = w;
      const v = Math.max(ego.speed, 0);
      // Steering: pure pursuit on the route's target offset, looked up where ego will be.
      const ld = tuning.lookaheadMin + tuning.lookaheadTime * v;
      const tgt = route(w.t + ld / Math.max(v, 0.5));
      const la = road.pose(w.s + ld, tgt.d);
      const dx = la.x - ego.x;
      const dy = la.y - ego.y;
      const alpha = Math.atan2(dy, dx) - ego.heading;
      const dist = Math.max(Math.hypot(dx, dy), 1e-3);
      const steer = Math.atan((2 * p.wheelbase * Math.sin(alpha)) / dist);

      // Desired speed: the scenario's, lowered ahead of curves so the curve is entered slowly enough.
      vDes = sc.reference.speed;
      const preview = 10 * tuning.lookaheadMin + 5 * v;
      const step = Math.max(preview / 40, 0.05);
      for (let x = 0; x <= preview; x += step) {
        const vc = curveSpeed(road.curvatureAt(w.s + x));
        if (vc < Infinity) vDes = Math.min(vDes, Math.sqrt(vc * vc + 2 * tuning.previewDecel * x));
      }
      let a = Math.max(-tuning.comfortDecel, Math.min(tuning.maxAccel, tuning.speedGain * (vDes - v)));

      // Following: the nearest vehicle in ego's band, or in the band of the lane being changed into.
      const e = w.egoView;
      const now = route(w.t);
      let leader: Leader | null = leaderAhead(e.s, e.d, e.length, e.width, w.agents);
      if (Math.abs(now.d - e.d) > 0.05 * road.laneWidth || now.lane !== road.laneAt(e.d)) {
        const other = leaderAhead(e.s, road.laneCenter(now.lane), e.length, e.width, w.agents);
        if (other && (!leader || other.gap < leader.gap)) leader = other;
      }
      let emergency = false;
      if (leader) {
        // The deceleration that just avoids reaching the standstill gap, with the leader braking as it is now.
        const room = Math.max(leader.gap - tuning.minGap, 0.01);
        const la = leader.accel ?? 0;
        const required =
          la < -0.1
            ? (v * v) / (2 * Math.max(room + (leader.speed * leader.speed) / (2 * -la), 0.01))
            : v > leader.speed
              ? ((v - leader.speed) * (v - leader.speed)) / (2 * room)
              : 0;
        emergency = required > 0.8 * tuning.comfortDecel;
        const f = idmAccel(v, leader, {
          ...IDM_CAR,
          desiredSpeed: Math.max(vDes, 0.1),
          timeHeadway: tuning.timeHeadway,
          minGap: tuning.minGap,
          maxAccel: tuning.maxAccel,
          comfortDecel: tuning.comfortDecel,
          maxDecel: p.maxDecel,
        });
        // IDM brakes far harder than needed when a car cuts in well inside its desired gap; brake as hard as
        // the situation requires (with margin), not as hard as IDM's gap ratio says.
        a = Math.min(a, Math.max(f, -Math.max(tuning.comfortDecel, 1.3 * required)));
      }
      const j = (emergency ? tuning.emergencyJerk : tuning.jerk) * dt;
      a = Math.max(prevAccel - j, Math.min(prevAccel + j, a));
      prevAccel = a;

      const out: Record<string, number> = { steer_cmd: steer };
      if (sc.actions.includes("speed_cmd")) out.speed_cmd = Math.max(0, v + a / p.speedGain);
      else out.accel_cmd = a;
      return out;
    },
  };
}

/** A Driver that executes the reference action it is given: the baseline row in reports, and the tests' driver. */
export function referenceDriver(name = "reference"): Driver & { readonly name: string } {
  return {
    name,
    reset() {},
    tick(input) {
      return { command: { t: input.t, values: { ...input.reference }, mode: "model", limits: [] } };
    },
  };
}
