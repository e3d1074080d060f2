// The scenario file format: one zod schema, the single definition of what a scenario may contain.
// The JSON Schema in scenario.schema.json is exported from it (see json-schema.ts) for editors and other tools.
import { z } from "zod";

/** Sensor channels the simulator synthesises; fault windows may name any of them. */
export const SENSOR_CHANNELS = [
  "speed", "accel", "lat_accel", "yaw_rate", "steer", "x", "y", "heading", "steer_cmd", "accel_cmd", "speed_cmd",
  // The scene sensor's (perception/scene.ts SCENE_CHANNELS; a test keeps the two lists equal).
  "path_offset", "path_heading", "path_curv@0s", "path_curv@0.5s", "path_curv@1s", "path_curv@2s", "path_curv@4s", "target_speed", "lead_gap", "lead_speed", "lead_present",
] as const;
export const ACTION_CHANNELS = ["steer_cmd", "accel_cmd", "speed_cmd"] as const;

const num = z.number();
const pos = z.number().positive();
const nonneg = z.number().nonnegative();
const lane = z.int().min(0).describe("lane index, 0 = rightmost");

const vehicleOverrides = z
  .strictObject({
    wheelbase: pos,
    length: pos,
    width: pos,
    rear_overhang: nonneg,
    max_steer: pos,
    max_steer_rate: pos,
    steer_tau: pos,
    accel_tau: pos,
    max_accel: pos,
    max_decel: pos,
    max_speed: pos,
    allow_reverse: z.boolean(),
    speed_gain: pos,
  })
  .partial();

const vehicle = z.strictObject({
  model: z.enum(["car", "robot"]).describe("car: passenger car (L = 2.7 m); robot: 1/10-scale (L = 0.33 m)"),
  overrides: vehicleOverrides.optional(),
});

const segment = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("straight"), length: pos }),
  z.strictObject({ type: z.literal("arc"), length: pos, curvature: num.describe("1/m, + = left") }),
  z.strictObject({ type: z.literal("clothoid"), length: pos, curvature_end: num.describe("curvature reached at the end, linear from the previous segment's") }),
]);

const road = z.strictObject({
  lane_width: pos,
  lanes: z.int().min(1).max(8),
  segments: z.array(segment).min(1),
});

const ego = z.strictObject({
  lane,
  s: nonneg.default(0).describe("arc length along the road (m) of the rear axle"),
  speed: nonneg,
  lateral_offset: num.default(0).describe("from the lane centre (m), left positive"),
  heading_error: num.default(0).describe("rad, relative to the road"),
});

const size = { length: pos.optional(), width: pos.optional() };

const profileStep = z.strictObject({
  t: nonneg.describe("from this time (s)"),
  speed: nonneg.describe("approach this speed (m/s)"),
  accel: pos.optional().describe("at this rate (m/s², default 2)"),
});

const laneChange = z.strictObject({
  to_lane: lane,
  duration: pos,
  t: nonneg.optional().describe("start at this time (s)"),
  gap: pos.optional().describe("or start once the bumper gap ahead of ego is below this (m)"),
});

const lead = z.strictObject({
  kind: z.literal("lead"),
  lane,
  s: num,
  speed: nonneg,
  profile: z.array(profileStep).default([]),
  lane_change: laneChange.optional(),
  ...size,
});

const stopped = z.strictObject({ kind: z.literal("stopped"), lane, s: num, ...size });

const idm = z.strictObject({
  kind: z.literal("idm"),
  lane,
  s: num,
  speed: nonneg,
  desired_speed: pos,
  time_headway: pos.optional(),
  min_gap: pos.optional(),
  max_accel: pos.optional(),
  comfort_decel: pos.optional(),
  ...size,
});

const agent = z.discriminatedUnion("kind", [lead, stopped, idm]);

const faultWindow = {
  channel: z.union([z.enum(SENSOR_CHANNELS), z.array(z.enum(SENSOR_CHANNELS)).min(1)]),
  from: nonneg.default(0),
  to: pos.optional().describe("end of the window (s); default: end of the scenario"),
};

const fault = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("noise"), std: nonneg, ...faultWindow }),
  z.strictObject({ kind: z.literal("bias"), value: num, ...faultWindow }),
  z.strictObject({ kind: z.literal("latency"), delay: pos, jitter: nonneg.default(0), ...faultWindow }),
  z.strictObject({ kind: z.literal("dropout"), prob: z.number().min(0).max(1).default(1), ...faultWindow }),
  z.strictObject({ kind: z.literal("nan"), prob: z.number().min(0).max(1).default(1), ...faultWindow }),
  z.strictObject({ kind: z.literal("time_jump"), offset: num.describe("added to stamps inside the window (s)"), ...faultWindow }),
]);

const sensors = z
  .strictObject({ imu_hz: pos, wheel_hz: pos, steering_hz: pos, gnss_hz: pos, scene_hz: pos.describe("path, target speed and lead (default 20 Hz)") })
  .partial()
  .default({});

const routeStep = z.strictObject({
  t: nonneg.describe("start changing lane at this time (s)"),
  lane,
  duration: pos.optional().describe("lane-change duration (s), default 4 s car / 1.5 s robot"),
});

const reference = z.strictObject({
  speed: nonneg.describe("desired cruise speed (m/s)"),
  distance: pos.optional().describe("distance an ideal driver covers (m), for `progress`; default speed × duration"),
  route: z.array(routeStep).default([]),
});

const pass = z
  .strictObject({
    min_ttc_s: nonneg,
    max_lat_accel: pos,
    max_lon_accel: pos,
    min_lon_accel: num,
    max_lon_jerk: pos,
    max_yaw_rate: pos,
    max_lane_deviation_m: pos,
    min_progress: nonneg,
  })
  .partial()
  .default({});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, _ and -"),
    description: z.string().default(""),
    vehicle,
    road,
    ego,
    traffic: z.array(agent).default([]),
    faults: z.array(fault).default([]),
    sensors,
    duration: pos.max(3600),
    rate: pos.max(1000).default(20).describe("control rate (Hz)"),
    actions: z.array(z.enum(ACTION_CHANNELS)).default(["steer_cmd", "accel_cmd"]),
    reference,
    pass,
  })
  .superRefine((sc, ctx) => {
    const laneOk = (l: number, path: (string | number)[]) => {
      if (l >= sc.road.lanes) ctx.addIssue({ code: "custom", path, input: l, message: `lane ${l} does not exist (road has ${sc.road.lanes})` });
    };
    laneOk(sc.ego.lane, ["ego", "lane"]);
    sc.traffic.forEach((a, i) => {
      laneOk(a.lane, ["traffic", i, "lane"]);
      if (a.kind === "lead" && a.lane_change) {
        laneOk(a.lane_change.to_lane, ["traffic", i, "lane_change", "to_lane"]);
        if (a.lane_change.t === undefined && a.lane_change.gap === undefined)
          ctx.addIssue({ code: "custom", path: ["traffic", i, "lane_change"], input: a.lane_change, message: "needs `t` or `gap` to say when it starts" });
      }
    });
    sc.reference.route.forEach((r, i) => laneOk(r.lane, ["reference", "route", i, "lane"]));
    sc.faults.forEach((f, i) => {
      if (f.to !== undefined && f.to <= f.from)
        ctx.addIssue({ code: "custom", path: ["faults", i, "to"], input: f.to, message: `must be after from (${f.from})` });
    });
    const a = sc.actions;
    if (!a.includes("steer_cmd") || a.includes("accel_cmd") === a.includes("speed_cmd"))
      ctx.addIssue({ code: "custom", path: ["actions"], input: a, message: "needs steer_cmd and exactly one of accel_cmd, speed_cmd" });
  });

/** A scenario as written (defaults optional). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with defaults filled in. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type TrafficAgentSpec = Scenario["traffic"][number];
export type FaultSpec = Scenario["faults"][number];
export type RoadSpecInput = Scenario["road"];
export type PassOverrides = Scenario["pass"];
