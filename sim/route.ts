// The lateral target ego should follow: its start lane, then lane changes at given times, each a
// minimum-jerk blend of the lateral offset over the change's duration.
import type { Scenario } from "../scenarios/schema.js";
import type { Road } from "./road.js";
import { smootherstep } from "./traffic.js";

export interface LateralTarget {
  /** Target lateral offset from the reference line (m). */
  readonly d: number;
  /** The lane being driven to (or kept). */
  readonly lane: number;
}

export type Route = (t: number) => LateralTarget;

export function laneChangeDuration(sc: Scenario): number {
  return sc.vehicle.model === "car" ? 4 : 1.5;
}

export function makeRoute(sc: Scenario, road: Road): Route {
  const steps = [...sc.reference.route].sort((a, b) => a.t - b.t);
  const start = sc.ego.lane;
  const def = laneChangeDuration(sc);
  return (t) => {
    let d = road.laneCenter(start);
    let lane = start;
    for (const r of steps) {
      if (t < r.t) break;
      const to = road.laneCenter(r.lane);
      d = d + (to - d) * smootherstep((t - r.t) / (r.duration ?? def));
      lane = r.lane;
    }
    return { d, lane };
  };
}
