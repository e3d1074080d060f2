// The simulator's planning stack: the path it hands ego (the route's target offset, laid along the road ahead and
// blended across a lane change as the route does in time) and the objects it sees, turned into scene channels by
// the same function a vehicle's ROS bridge uses (perception/scene.ts).
import { sceneFromPath, type ScenePath, type SceneValues } from "../perception/scene.js";
import type { Scenario } from "../scenarios/schema.js";
import type { Road } from "./road.js";
import type { Route } from "./route.js";
import type { VehicleParams, VehicleState } from "./vehicle.js";
import { agentBox, type AgentState } from "./traffic.js";

/** Points of the planned path; it starts a little behind ego and reaches far enough for the longest preview. */
const PATH_POINTS = 48;

export interface SimScene {
  /** The planned path at time t for ego at arc length s (rear axle). */
  path(t: number, s: number, speed: number): ScenePath;
  /** The scene channels at time t. */
  values(t: number, ego: VehicleState, s: number, agents: readonly AgentState[]): SceneValues;
}

/** Farthest lead the scene reports (m): a car's radar range, or a few metres for a 1/10-scale robot. */
export function leadRange(p: VehicleParams): number {
  return p.wheelbase < 1 ? 15 : 150;
}

export function simScene(sc: Scenario, road: Road, p: VehicleParams, route: Route): SimScene {
  const opts = { egoLength: p.length, egoWidth: p.width, egoFront: p.length - p.rearOverhang, leadRange: leadRange(p), targetSpeed: sc.reference.speed };
  const path = (t: number, s: number, speed: number): ScenePath => {
    const v = Math.max(speed, 1);
    const back = 2 * p.wheelbase;
    const ahead = 5 * v + 10 * p.wheelbase;
    const x = new Float64Array(PATH_POINTS);
    const y = new Float64Array(PATH_POINTS);
    for (let i = 0; i < PATH_POINTS; i++) {
      const ds = -back + ((back + ahead) * i) / (PATH_POINTS - 1);
      // Where ego will be at that point of the path, the route says which offset to hold (as the reference reads it).
      const d = route(t + Math.max(ds, 0) / Math.max(speed, 0.5)).d;
      const q = road.pose(s + ds, d);
      x[i] = q.x;
      y[i] = q.y;
    }
    return { x, y };
  };
  return {
    path,
    values(t, ego, s, agents) {
      const objects = agents.map((a) => {
        const b = agentBox(a, road);
        return { x: b.x, y: b.y, speed: a.speed, length: a.length, width: a.width };
      });
      return sceneFromPath(path(t, s, ego.speed), { x: ego.x, y: ego.y, heading: ego.heading, speed: ego.speed }, objects, opts);
    },
  };
}
