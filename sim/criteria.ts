import type { Scenario } from "../scenarios/schema.js";
import type { PassCriteria } from "./run.js";
import type { VehicleParams } from "./vehicle.js";

/** nuPlan's comfort bounds (ego_is_comfortable) and its TTC threshold. */
export const NUPLAN_COMFORT = {
  max_lat_accel: 4.89,
  max_lon_accel: 2.4,
  min_lon_accel: -4.05,
  max_lon_jerk: 4.13,
  max_yaw_rate: 0.95,
} as const;

export const DEFAULT_CRITERIA = { min_ttc_s: 0.95, ...NUPLAN_COMFORT, min_progress: 0.8 } as const;

/** Defaults, the lane limit from the geometry (ego's body stays inside its lane), then the scenario's overrides. */
export function passCriteria(sc: Scenario, p: VehicleParams): PassCriteria {
  return {
    ...DEFAULT_CRITERIA,
    max_lane_deviation_m: Math.max((sc.road.lane_width - p.width) / 2, 0.05),
    ...sc.pass,
  };
}
