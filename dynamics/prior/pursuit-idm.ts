// The prior's control law, pure: scene values in, actions out. Missing inputs degrade gracefully: no path → hold the
// last steering; no target speed → hold the current speed; no lead → cruise. Never returns a non-finite action.
import { SCENE_PREVIEWS_S, curvChannel } from "../../perception/scene.js";
import type { PriorSpec } from "./spec.js";

/** A channel's value in the newest frame, or undefined when Missing / non-finite. */
export type Lookup = (channel: string) => number | undefined;

export interface PriorAction {
  readonly steer: number;
  /** Acceleration the prior asks for (m/s²). */
  readonly accel: number;
}

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/** Path curvature at distance x ahead, linear between the previews (held beyond the last). */
function curvature(k: readonly number[], reach: number, x: number): number {
  const T = SCENE_PREVIEWS_S;
  for (let i = 0; i + 1 < T.length; i++) {
    const a = T[i] * reach;
    const b = T[i + 1] * reach;
    if (x <= b) return k[i] + ((k[i + 1] - k[i]) * (x - a)) / (b - a);
  }
  return k[T.length - 1];
}

/** Pure pursuit towards the path point at arc length l, the path rebuilt from offset, heading error and curvature. */
function pursuit(p: PriorSpec, offset: number, headingErr: number, k: readonly number[], v: number): number {
  const reach = Math.max(v, 1);
  const l = p.lookaheadMin + p.lookaheadTime * v;
  // Integrate the path (in its own frame, starting at ego's projection) out to l.
  const n = 12;
  const ds = l / n;
  let x = 0;
  let y = 0;
  let th = 0;
  for (let i = 0; i < n; i++) {
    const km = curvature(k, reach, (i + 0.5) * ds);
    const thm = th + (km * ds) / 2;
    x += Math.cos(thm) * ds;
    y += Math.sin(thm) * ds;
    th += km * ds;
  }
  // The point relative to ego (at lateral `offset`, heading `headingErr` in the path frame).
  const dx = x;
  const dy = y - offset;
  const c = Math.cos(headingErr);
  const s = Math.sin(headingErr);
  const xe = dx * c + dy * s;
  const ye = -dx * s + dy * c;
  const dist = Math.max(Math.hypot(xe, ye), 1e-3);
  const alpha = Math.atan2(ye, xe);
  return Math.atan((2 * p.wheelbase * Math.sin(alpha)) / dist);
}

function idm(p: PriorSpec, v: number, vDes: number, gap: number, lead: number): number {
  const v0 = Math.max(vDes, 0.1);
  const dv = v - lead;
  const sStar = p.minGap + Math.max(0, v * p.timeHeadway + (v * dv) / (2 * Math.sqrt(p.maxAccel * p.comfortDecel)));
  const g = Math.max(gap, 0.05);
  const a = p.maxAccel * (1 - Math.pow(Math.max(v, 0) / v0, p.delta)) - p.maxAccel * (sStar / g) * (sStar / g);
  return clamp(a, -p.maxDecel, p.maxAccel);
}

/**
 * The prior's steering and acceleration. `lastAccel` is the acceleration last commanded (for the jerk limit),
 * `lastSteer` the steering last commanded (held when there is no path).
 */
export function priorAction(p: PriorSpec, get: Lookup, lastSteer: number, lastAccel: number): PriorAction {
  const v = Math.max(get("speed") ?? 0, 0);
  const offset = get("path_offset");
  const heading = get("path_heading");
  const k = SCENE_PREVIEWS_S.map((t) => get(curvChannel(t)) ?? 0);
  const steer = clamp(offset === undefined || heading === undefined ? lastSteer : pursuit(p, offset, heading, k, v), -p.maxSteer, p.maxSteer);

  let vDes = get("target_speed") ?? v;
  const reach = Math.max(v, 1);
  for (let i = 0; i < SCENE_PREVIEWS_S.length; i++) {
    const a = Math.abs(k[i]);
    if (a < 1e-6) continue;
    const vc = Math.min(Math.sqrt(p.curveLatAccel / a), p.curveYawRate / a);
    vDes = Math.min(vDes, Math.sqrt(vc * vc + 2 * p.previewDecel * SCENE_PREVIEWS_S[i] * reach));
  }
  let a = clamp(p.speedGain * (vDes - v), -p.comfortDecel, p.maxAccel);
  let emergency = false;
  const gap = get("lead_gap");
  const lead = get("lead_speed");
  if ((get("lead_present") ?? 0) >= 0.5 && gap !== undefined && lead !== undefined) {
    const room = Math.max(gap - p.minGap, 0.01);
    const required = v > lead ? ((v - lead) * (v - lead)) / (2 * room) : 0;
    emergency = required > 0.8 * p.comfortDecel;
    a = Math.min(a, Math.max(idm(p, v, vDes, gap, lead), -Math.max(p.comfortDecel, 1.3 * required)));
  }
  const j = (emergency ? p.emergencyJerk : p.jerk) * p.dt;
  const last = Number.isFinite(lastAccel) ? lastAccel : 0;
  a = clamp(a, last - j, last + j);
  return { steer: Number.isFinite(steer) ? steer : 0, accel: Number.isFinite(a) ? a : 0 };
}
