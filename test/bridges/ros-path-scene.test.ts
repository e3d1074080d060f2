// The scene channels a vehicle computes from its planner's path + odometry (ROS 2 CDR bytes, encoded with the real
// message definitions) equal those the simulator's scene sensor delivers for the same geometry.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import { describe, expect, it } from "vitest";
import { ros2Definition } from "../../bridges/ros/definitions.js";
import { PATH_SCENE_DEFINITIONS, pathSceneSamples } from "../../bridges/ros/path-scene.js";
import { quaternionFromRpy } from "../../bridges/ros/quaternion.js";
import { SCENE_CHANNELS } from "../../perception/scene.js";
import type { Sample } from "../../perception/types.js";
import { ScenarioSchema, type Scenario } from "../../scenarios/schema.js";
import { agentBox, buildRoad, initTraffic, makeRoute, runScenario, referenceDriver, scenarioVehicle } from "../../sim/index.js";
import { simScene, leadRange } from "../../sim/scene.js";

const MSGS = fileURLToPath(new URL("../../../shared/ros-msgs/autoware_planning_msgs/msg/", import.meta.url));
/** A .msg file as ros2msg fields: comments and blank lines dropped. */
const msgFile = (name: string) =>
  readFileSync(MSGS + name, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l.length)
    .join("\n");

function cdr(type: string, extra: Record<string, string>, message: unknown): unknown {
  const defs = parse(ros2Definition(type, extra), { ros2: true });
  return new MessageReader(defs).readMessage(new MessageWriter(defs).writeMessage(message));
}

const sc: Scenario = ScenarioSchema.parse({
  name: "scene-equality",
  vehicle: { model: "car" },
  road: {
    lane_width: 3.5,
    lanes: 2,
    segments: [
      { type: "straight", length: 40 },
      { type: "clothoid", length: 40, curvature_end: 0.01 },
      { type: "arc", length: 200, curvature: 0.01 },
    ],
  },
  ego: { lane: 0, speed: 15, lateral_offset: 0.3, heading_error: 0.02 },
  traffic: [{ kind: "stopped", lane: 1, s: 140 }],
  reference: { speed: 18, route: [{ t: 1, lane: 1 }] },
  duration: 4,
});

describe("scene channels: simulator = ROS path + odometry", () => {
  it("nav_msgs/Path and autoware Trajectory + nav_msgs/Odometry give the simulator's delivered values", () => {
    const delivered: { t: number; samples: Sample[] }[] = [];
    const ref = referenceDriver();
    const run = runScenario(sc, { reset: () => ref.reset(), tick: (i) => (delivered.push({ t: i.t, samples: [...i.samples] }), ref.tick(i)) }, { seed: 3 });
    const road = buildRoad(sc.road);
    const p = scenarioVehicle(sc);
    const scene = simScene(sc, road, p, makeRoute(sc, road));
    const box = agentBox(initTraffic(sc.traffic, road).agents[0], road);
    const objects = [{ x: box.x, y: box.y, speed: 0, length: box.length, width: box.width }];
    const opts = { egoLength: p.length, egoWidth: p.width, egoFront: p.length - p.rearOverhang, leadRange: leadRange(p) };
    const trajExtra = { ...PATH_SCENE_DEFINITIONS, "autoware_planning_msgs/Trajectory": msgFile("Trajectory.msg"), "autoware_planning_msgs/TrajectoryPoint": msgFile("TrajectoryPoint.msg") };
    let checked = 0;
    // Mid lane change (t = 2 s: the path bends across lanes) and after, with the stopped car ahead on the path.
    for (const k of [20, 40, 60]) {
      const rec = run.ticks[k];
      const got = Object.fromEntries(delivered[k].samples.filter((s) => SCENE_CHANNELS.includes(s.channel) && s.t === rec.t).map((s) => [s.channel, s.value as number]));
      expect(Object.keys(got).sort()).toEqual([...SCENE_CHANNELS].sort());
      const s = rec.s!;
      const path = scene.path(rec.t, s, rec.speed);
      const stamp = { sec: Math.floor(rec.t), nanosec: Math.round((rec.t % 1) * 1e9) };
      const header = { stamp, frame_id: "map" };
      const q = quaternionFromRpy(0, 0, rec.heading);
      const orientation = { x: q.x, y: q.y, z: q.z, w: q.w };
      const odom = cdr("nav_msgs/Odometry", {}, {
        header,
        child_frame_id: "base_link",
        pose: { pose: { position: { x: rec.x, y: rec.y, z: 0 }, orientation }, covariance: new Array(36).fill(0) },
        twist: { twist: { linear: { x: rec.speed, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } }, covariance: new Array(36).fill(0) },
      });
      const poses = Array.from(path.x, (x, i) => ({ header, pose: { position: { x, y: path.y[i], z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }));
      const navPath = cdr("nav_msgs/Path", PATH_SCENE_DEFINITIONS, { header, poses });
      const points = Array.from(path.x, (x, i) => ({
        time_from_start: { sec: 0, nanosec: 0 },
        pose: { position: { x, y: path.y[i], z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
        longitudinal_velocity_mps: sc.reference.speed,
        lateral_velocity_mps: 0,
        acceleration_mps2: 0,
        heading_rate_rps: 0,
        front_wheel_angle_rad: 0,
        rear_wheel_angle_rad: 0,
      }));
      const traj = cdr("autoware_planning_msgs/Trajectory", trajExtra, { header, points });
      for (const [type, msg, extra] of [
        ["nav_msgs/Path", navPath, { targetSpeed: sc.reference.speed }],
        ["autoware_planning_msgs/Trajectory", traj, {}],
      ] as const) {
        const out = pathSceneSamples(type, msg, odom, { ...opts, ...extra }, objects);
        if ("error" in out) throw new Error(out.error);
        for (const smp of out) {
          expect(smp.t).toBeCloseTo(rec.t, 9);
          expect(smp.value as number, `${type} ${smp.channel} at t=${rec.t}`).toBeCloseTo(got[smp.channel], 9);
          checked++;
        }
      }
      if (k >= 40) expect(got.lead_present).toBe(1);
    }
    expect(checked).toBe(3 * 2 * SCENE_CHANNELS.length);
  });

  it("names what is wrong with a path or odometry", () => {
    const opts = { egoLength: 4.6, egoWidth: 1.85, egoFront: 3.6, leadRange: 150 };
    const odom = { header: { stamp: { sec: 1, nanosec: 0 } }, pose: { pose: { position: { x: 0, y: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }, twist: { twist: { linear: { x: 1 } } } };
    expect(pathSceneSamples("nav_msgs/Path", { poses: [{ pose: { position: { x: 0, y: NaN } } }] }, odom, opts)).toEqual({ error: expect.stringMatching(/point 0 position/) });
    expect(pathSceneSamples("nav_msgs/Path", { poses: [] }, odom, opts)).toEqual({ error: expect.stringMatching(/at least 2 distinct points/) });
    expect(pathSceneSamples("sensor_msgs/Imu", {}, odom, opts)).toEqual({ error: expect.stringMatching(/not a path type/) });
    const zeroQ = { ...odom, pose: { pose: { position: { x: 0, y: 0 }, orientation: { x: 0, y: 0, z: 0, w: 0 } } } };
    expect(pathSceneSamples("nav_msgs/Path", { poses: [] }, zeroQ, opts)).toEqual({ error: expect.stringMatching(/zero quaternion/) });
  });
});
