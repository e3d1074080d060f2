// Other vehicles, moved along the road in Frenet coordinates (s, d): lead vehicles following a piecewise
// speed profile (cruise, hard brake, stop-and-go) and optionally changing lane (a cut-in, triggered at a time
// or when the gap ahead of ego falls below a value), stopped vehicles, and followers driven by IDM.
// Collisions: oriented boxes (geometry.ts). TTC: along the road, for agents whose lateral extent overlaps ego's.
import type { TrafficAgentSpec } from "../scenarios/schema.js";
import type { Road } from "./road.js";
import { idmAccel, IDM_CAR, type IdmParams, type Leader } from "./idm.js";
import type { Box } from "./geometry.js";

export interface AgentState {
  readonly id: number;
  readonly kind: TrafficAgentSpec["kind"];
  /** Arc length of the body centre (m). */
  readonly s: number;
  readonly d: number;
  readonly speed: number;
  readonly accel: number;
  readonly length: number;
  readonly width: number;
  /** Lateral velocity in the road frame (m/s), for the box heading during a lane change. */
  readonly dDot: number;
  /** Time the lane change began, or null. */
  readonly laneChangeStart: number | null;
  readonly laneChangeFrom: number;
}

/** Ego as traffic sees it: body centre in Frenet, speed and size. */
export interface EgoView {
  readonly s: number;
  readonly d: number;
  readonly speed: number;
  readonly length: number;
  readonly width: number;
}

export interface Traffic {
  readonly agents: readonly AgentState[];
}

/** Default sizes scale with the lane: a car on a ≥ 2.5 m lane, else a 1/10-scale robot. */
function defaultSize(road: Road): { length: number; width: number } {
  return road.laneWidth >= 2.5 ? { length: 4.6, width: 1.85 } : { length: 0.55, width: 0.3 };
}

export function initTraffic(specs: readonly TrafficAgentSpec[], road: Road): Traffic {
  const def = defaultSize(road);
  return {
    agents: specs.map((a, id) => ({
      id,
      kind: a.kind,
      s: a.s,
      d: road.laneCenter(a.lane),
      speed: a.kind === "stopped" ? 0 : a.speed,
      accel: 0,
      length: a.length ?? def.length,
      width: a.width ?? def.width,
      dDot: 0,
      laneChangeStart: null,
      laneChangeFrom: road.laneCenter(a.lane),
    })),
  };
}

/** Minimum-jerk blend 0 → 1 over u ∈ [0, 1]. */
export function smootherstep(u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return u * u * u * (10 + u * (-15 + 6 * u));
}

function profileTarget(spec: Extract<TrafficAgentSpec, { kind: "lead" }>, t: number): { speed: number; rate: number } | null {
  let cur: { speed: number; rate: number } | null = null;
  for (const p of spec.profile) if (p.t <= t) cur = { speed: p.speed, rate: p.accel ?? 2 };
  return cur;
}

/** Bumper gap from `follower` forward to `leader` along the road (m). */
function gapAlong(fs: number, fl: number, ls: number, ll: number): number {
  return ls - fs - (fl + ll) / 2;
}

function lateralOverlap(d1: number, w1: number, d2: number, w2: number, margin = 0): boolean {
  return Math.abs(d1 - d2) < (w1 + w2) / 2 + margin;
}

/** Nearest vehicle ahead whose body overlaps the lateral band [d ± width/2]: leader for IDM and ACC. */
export function leaderAhead(
  s: number,
  d: number,
  length: number,
  width: number,
  others: readonly { s: number; d: number; speed: number; length: number; width: number; accel?: number }[],
): Leader | null {
  let best: Leader | null = null;
  for (const o of others) {
    if (o.s <= s || !lateralOverlap(d, width, o.d, o.width, 0.2 * width)) continue;
    const gap = gapAlong(s, length, o.s, o.length);
    if (!best || gap < best.gap) best = { gap, speed: o.speed, accel: o.accel ?? 0 };
  }
  return best;
}

export function stepTraffic(
  traffic: Traffic,
  specs: readonly TrafficAgentSpec[],
  road: Road,
  ego: EgoView,
  t: number,
  dt: number,
): Traffic {
  const agents = traffic.agents.map((a) => {
    const spec = specs[a.id];
    let accel = 0;
    let { laneChangeStart, laneChangeFrom, d } = a;
    let dDot = 0;
    if (spec.kind === "lead") {
      const tg = profileTarget(spec, t);
      if (tg) {
        const err = tg.speed - a.speed;
        accel = Math.max(-tg.rate, Math.min(tg.rate, err / dt));
      }
      const lc = spec.lane_change;
      if (lc && laneChangeStart === null) {
        const byTime = lc.t !== undefined && t >= lc.t;
        const byGap = lc.gap !== undefined && gapAlong(ego.s, ego.length, a.s, a.length) <= lc.gap && a.s > ego.s;
        if (byTime || byGap) {
          laneChangeStart = t;
          laneChangeFrom = a.d;
        }
      }
      if (lc && laneChangeStart !== null) {
        const target = road.laneCenter(lc.to_lane);
        const nd = laneChangeFrom + (target - laneChangeFrom) * smootherstep((t + dt - laneChangeStart) / lc.duration);
        dDot = (nd - d) / dt;
        d = nd;
      }
    } else if (spec.kind === "idm") {
      const p: IdmParams = {
        ...IDM_CAR,
        desiredSpeed: spec.desired_speed,
        timeHeadway: spec.time_headway ?? IDM_CAR.timeHeadway,
        minGap: spec.min_gap ?? (road.laneWidth >= 2.5 ? IDM_CAR.minGap : 0.3),
        maxAccel: spec.max_accel ?? IDM_CAR.maxAccel,
        comfortDecel: spec.comfort_decel ?? IDM_CAR.comfortDecel,
      };
      const others = [...traffic.agents.filter((o) => o.id !== a.id), ego];
      accel = idmAccel(a.speed, leaderAhead(a.s, a.d, a.length, a.width, others), p);
    }
    let speed = a.speed + accel * dt;
    if (speed < 0) {
      speed = 0;
      accel = 0;
    }
    // Advance s so the vehicle's true speed is `speed` on a lane offset from a curved reference line.
    const scale = 1 - road.curvatureAt(a.s) * d;
    const s = a.s + ((a.speed + speed) / 2) * dt / Math.max(scale, 0.1);
    return { ...a, s, d, speed, accel, dDot, laneChangeStart, laneChangeFrom };
  });
  return { agents };
}

export function agentBox(a: AgentState, road: Road): Box {
  const p = road.pose(a.s, a.d);
  const heading = p.heading + Math.atan2(a.dDot, Math.max(a.speed, 0.1));
  return { x: p.x, y: p.y, heading, length: a.length, width: a.width };
}

/**
 * Time to collision with the nearest agent ahead in ego's lateral band, at constant speeds:
 * bumper gap / closing speed. Infinity when nothing is ahead, nothing closes, or ego is stopped
 * (nuPlan, too, does not count TTC for a stopped ego).
 */
export function timeToCollision(ego: EgoView, agents: readonly AgentState[]): number {
  if (ego.speed < 0.05) return Infinity;
  let ttc = Infinity;
  for (const a of agents) {
    if (a.s <= ego.s || !lateralOverlap(ego.d, ego.width, a.d, a.width)) continue;
    const gap = gapAlong(ego.s, ego.length, a.s, a.length);
    const closing = ego.speed - a.speed;
    if (closing <= 0) continue;
    const t = Math.max(gap, 0) / closing;
    if (t < ttc) ttc = t;
  }
  return ttc;
}
