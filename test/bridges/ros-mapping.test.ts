import { parse } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import { describe, expect, it } from "vitest";
import {
  mapImu,
  mapOdometry,
  mapperFor,
  planTopics,
  quaternionFromMatrix,
  ros2Definition,
  ROS2_DEFINED_TYPES,
  rotate,
  yawOf,
} from "../../bridges/ros/index.js";
import type { MapResult } from "../../bridges/ros/index.js";

/** The live-bridge path on real bytes: encode with the ROS 2 definition, decode, map. */
function viaCdr(type: string, message: unknown, logTime = 7): MapResult {
  const defs = parse(ros2Definition(type), { ros2: true });
  const bytes = new MessageWriter(defs).writeMessage(message);
  const decoded = new MessageReader(defs).readMessage(bytes);
  const mapper = mapperFor(type);
  if (!mapper) throw new Error(`no mapper for ${type}`);
  return mapper.map(decoded, logTime, { source: "/t" });
}

const values = (r: MapResult): Record<string, number> => Object.fromEntries(r.samples.map((s) => [s.channel, s.value as number]));
const header = (sec: number, nanosec: number) => ({ stamp: { sec, nanosec }, frame_id: "base_link" });
const vec = (x: number, y: number, z: number) => ({ x, y, z });
const cov9 = (first = 0) => [first, 0, 0, 0, 0, 0, 0, 0, 0];
const cov36 = () => new Array(36).fill(0);
const imu = (av: { x: number; y: number; z: number }, la: { x: number; y: number; z: number }, avCov0 = 0.01) => ({
  header: header(100, 500_000_000),
  orientation: { x: 0, y: 0, z: 0, w: 1 },
  orientation_covariance: cov9(-1),
  angular_velocity: av,
  angular_velocity_covariance: cov9(avCov0),
  linear_acceleration: la,
  linear_acceleration_covariance: cov9(0.1),
});

describe("ROS 2 CDR → canonical samples (one mapper per message type)", () => {
  it("has a definition for every mapped type", () => {
    for (const t of ["sensor_msgs/Imu", "nav_msgs/Odometry", "sensor_msgs/NavSatFix", "geometry_msgs/Twist", "geometry_msgs/TwistStamped", "ackermann_msgs/AckermannDriveStamped", "ackermann_msgs/AckermannDrive"]) {
      expect(ROS2_DEFINED_TYPES).toContain(t);
      expect(mapperFor(t.replace("/", "/msg/"))?.type).toBe(t);
    }
  });

  it("sensor_msgs/msg/Imu: body rates and specific force, + = left / CCW, time from header.stamp", () => {
    const r = viaCdr("sensor_msgs/msg/Imu", imu(vec(0.1, -0.2, 0.3), vec(1.5, -2, 9.81)));
    expect(r.t).toBe(100.5);
    expect(r.rejects).toEqual([]);
    expect(values(r)).toEqual({ roll_rate: 0.1, pitch_rate: -0.2, yaw_rate: 0.3, accel: 1.5, lat_accel: -2, vert_accel: 9.81 });
    expect(r.samples.every((s) => s.source === "/t" && s.t === 100.5)).toBe(true);
  });

  it("sensor_msgs/msg/Imu: covariance[0] = -1 (REP-145 'not provided') gives no rates and no rejects", () => {
    const r = viaCdr("sensor_msgs/msg/Imu", imu(vec(0, 0, 0), vec(0, 0, 9.8), -1));
    expect(Object.keys(values(r)).sort()).toEqual(["accel", "lat_accel", "vert_accel"]);
    expect(r.rejects).toEqual([]);
  });

  it("nav_msgs/msg/Odometry: twist → speed, yaw_rate; pose → x, y, heading", () => {
    const yaw = 2.5;
    const r = viaCdr("nav_msgs/msg/Odometry", {
      header: header(5, 1),
      child_frame_id: "base_link",
      pose: { pose: { position: { x: 3, y: -4, z: 0 }, orientation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) } }, covariance: cov36() },
      twist: { twist: { linear: vec(1.25, 0, 0), angular: vec(0, 0, -0.4) }, covariance: cov36() },
    });
    expect(r.t).toBe(5 + 1e-9);
    const v = values(r);
    expect(v).toMatchObject({ speed: 1.25, yaw_rate: -0.4, x: 3, y: -4 });
    expect(v.heading).toBeCloseTo(yaw, 12);
  });

  it("geometry_msgs/msg/Twist has no stamp: timed by log time", () => {
    const r = viaCdr("geometry_msgs/msg/Twist", { linear: vec(0.8, 0, 0), angular: vec(0, 0, 0.2) }, 42.25);
    expect(r.t).toBe(42.25);
    expect(values(r)).toEqual({ speed_cmd: 0.8, yaw_rate_cmd: 0.2 });
  });

  it("geometry_msgs/msg/TwistStamped: command with stamp", () => {
    const r = viaCdr("geometry_msgs/msg/TwistStamped", { header: header(9, 250_000_000), twist: { linear: vec(-0.5, 0, 0), angular: vec(0, 0, 1) } });
    expect(r.t).toBe(9.25);
    expect(values(r)).toEqual({ speed_cmd: -0.5, yaw_rate_cmd: 1 });
  });

  it("ackermann_msgs/msg/AckermannDriveStamped: speed, steering angle (+ = left), acceleration (float32 on the wire)", () => {
    const r = viaCdr("ackermann_msgs/msg/AckermannDriveStamped", {
      header: header(3, 0),
      drive: { steering_angle: 0.3, steering_angle_velocity: 0, speed: 2.2, acceleration: -1.1, jerk: 0 },
    });
    expect(r.t).toBe(3);
    expect(values(r)).toEqual({ speed_cmd: Math.fround(2.2), steer_cmd: Math.fround(0.3), accel_cmd: Math.fround(-1.1) });
  });

  it("sensor_msgs/msg/NavSatFix: lat/lon/alt; status < 0 is rejected as no_fix, naming the status", () => {
    const fix = (status: number) => ({
      header: header(1, 0),
      status: { status, service: 1 },
      latitude: 42.375812,
      longitude: -71.1473946,
      altitude: 7.3,
      position_covariance: cov9(),
      position_covariance_type: 1,
    });
    expect(values(viaCdr("sensor_msgs/msg/NavSatFix", fix(0)))).toEqual({ lat: 42.375812, lon: -71.1473946, alt: 7.3 });
    const none = viaCdr("sensor_msgs/msg/NavSatFix", fix(-1));
    expect(none.samples).toEqual([]);
    expect(none.rejects.map((r) => [r.channel, r.reason])).toEqual([["lat", "no_fix"], ["lon", "no_fix"], ["alt", "no_fix"]]);
    expect(none.rejects[0].message).toContain("status.status=-1");
  });
});

describe("mapping rules on plain decoded objects (ROS 1 and ROS 2 layouts)", () => {
  it("reads ROS 1 type names and {sec, nsec} stamps", () => {
    const r = mapperFor("geometry_msgs/TwistStamped")!.map({ header: { seq: 1, stamp: { sec: 2, nsec: 5e8 }, frame_id: "" }, twist: { linear: vec(1, 0, 0), angular: vec(0, 0, 0) } }, 0);
    expect(r.t).toBe(2.5);
  });

  it("a zero stamp means unstamped: log time is used", () => {
    const r = mapImu(imu(vec(0, 0, 0), vec(0, 0, 9.8)), 11.5);
    expect(r.t).toBe(100.5);
    const z = { ...imu(vec(0, 0, 0), vec(0, 0, 9.8)), header: header(0, 0) };
    expect(mapImu(z, 11.5).t).toBe(11.5);
  });

  it("wrong types, NaN and impossible values are rejected per channel, naming the field and value; the rest is kept", () => {
    const odom = {
      header: header(1, 0),
      pose: { pose: { position: { x: Number.NaN, y: 1 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } },
      twist: { twist: { linear: { x: "fast" }, angular: { z: 55 } } },
    };
    const r = mapOdometry(odom, 0);
    expect(values(r)).toEqual({ y: 1, heading: 0 });
    const byChannel = Object.fromEntries(r.rejects.map((j) => [j.channel, j]));
    expect(byChannel.speed).toMatchObject({ reason: "wrong_type" });
    expect(byChannel.speed.message).toContain('twist.twist.linear.x is "fast"');
    expect(byChannel.x).toMatchObject({ reason: "nonfinite", message: "pose.pose.position.x=NaN" });
    expect(byChannel.yaw_rate.reason).toBe("out_of_range");
    expect(byChannel.yaw_rate.message).toContain("twist.twist.angular.z=55");
  });

  it("a message without a usable stamp gives nothing, every channel rejected with the reason", () => {
    const r = mapOdometry({ header: { stamp: { sec: "x" } } }, 0, { names: { yaw_rate: "yaw_rate@odom" } });
    expect(r.samples).toEqual([]);
    expect(r.rejects.map((j) => j.channel)).toEqual(["speed", "yaw_rate@odom", "x", "y", "heading"]);
    expect(r.rejects[0]).toMatchObject({ reason: "wrong_type", message: 'header.stamp.sec is "x"' });
  });

  it("an all-zero orientation quaternion gives no heading (not 0 rad)", () => {
    const r = mapOdometry({ header: header(1, 0), pose: { pose: { position: { x: 0, y: 0 }, orientation: { x: 0, y: 0, z: 0, w: 0 } } }, twist: { twist: { linear: { x: 0 }, angular: { z: 0 } } } }, 0);
    expect(values(r).heading).toBeUndefined();
    expect(r.rejects).toEqual([{ channel: "heading", reason: "malformed", message: "pose.pose.orientation is the zero quaternion" }]);
  });

  it("a mount rotation takes IMU vectors into the vehicle frame (Husky: IMU y axis up)", () => {
    // base x = -imu z, base y = -imu x, base z = imu y
    const mount = quaternionFromMatrix([[0, 0, -1], [-1, 0, 0], [0, 1, 0]]);
    expect(rotate(mount, [0, 9.8, 0]).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0, 0, 9.8]);
    const r = mapImu(imu(vec(0, 0.5, 0), vec(0, 9.8, -1)), 0, { mount });
    const v = values(r);
    expect(v.yaw_rate).toBeCloseTo(0.5, 12);
    expect(v.vert_accel).toBeCloseTo(9.8, 12);
    expect(v.accel).toBeCloseTo(1, 12);
    // One bad component spoils the rotated vector: all three are rejected, not silently mixed.
    const bad = mapImu(imu(vec(0, Number.NaN, 0), vec(0, 9.8, 0)), 0, { mount });
    expect(bad.rejects.map((j) => [j.channel, j.reason])).toEqual([["roll_rate", "nonfinite"], ["pitch_rate", "nonfinite"], ["yaw_rate", "nonfinite"]]);
  });

  it("yawOf is the ROS yaw (+ = CCW) for any quaternion sign", () => {
    for (const yaw of [-3, -1, 0, 0.7, 3]) {
      const q = { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) };
      expect(yawOf(q)).toBeCloseTo(yaw, 12);
      expect(yawOf({ x: -q.x, y: -q.y, z: -q.z, w: -q.w })).toBeCloseTo(yaw, 12);
    }
  });
});

describe("topic map", () => {
  const names = (plan: ReturnType<typeof planTopics>, topic: string) => {
    const r = plan.get(topic);
    return r?.mapped ? r.options.names : r?.reason;
  };

  it("reads by message type; odometry yaw rate is qualified when an IMU gives yaw_rate", () => {
    const plan = planTopics([
      { topic: "/odom", type: "nav_msgs/msg/Odometry" },
      { topic: "/imu", type: "sensor_msgs/msg/Imu" },
    ]);
    expect(names(plan, "/imu")).toMatchObject({ yaw_rate: "yaw_rate" });
    expect(names(plan, "/odom")).toMatchObject({ yaw_rate: "yaw_rate@odom", speed: "speed", heading: "heading" });
    expect(names(planTopics([{ topic: "/odom", type: "nav_msgs/Odometry" }]), "/odom")).toMatchObject({ yaw_rate: "yaw_rate" });
  });

  it("never merges two topics into one channel: kind qualifier, then topic name", () => {
    const plan = planTopics([
      { topic: "/imu/a", type: "sensor_msgs/Imu" },
      { topic: "/imu/b", type: "sensor_msgs/Imu" },
      { topic: "/imu/c", type: "sensor_msgs/Imu" },
    ]);
    expect([names(plan, "/imu/a"), names(plan, "/imu/b"), names(plan, "/imu/c")].map((n) => (n as Record<string, string>).yaw_rate)).toEqual([
      "yaw_rate",
      "yaw_rate@imu",
      "yaw_rate@imu_c",
    ]);
  });

  it("user overrides: qualifier, type, ignore, exclusive; unsupported types are listed with the reason", () => {
    const topics = [
      { topic: "/imu", type: "sensor_msgs/Imu" },
      { topic: "/cmd", type: "my_msgs/Cmd" },
      { topic: "/odom", type: "nav_msgs/Odometry" },
      { topic: "/tf", type: "tf2_msgs/TFMessage" },
    ];
    const plan = planTopics(topics, { topics: { "/odom": { qualifier: "wheel" }, "/cmd": { type: "geometry_msgs/Twist" }, "/imu": { ignore: true } } });
    expect(names(plan, "/odom")).toMatchObject({ speed: "speed@wheel", yaw_rate: "yaw_rate@wheel" });
    expect(names(plan, "/cmd")).toMatchObject({ speed_cmd: "speed_cmd" });
    expect(names(plan, "/imu")).toBe("ignored by the topic map");
    expect(names(plan, "/tf")).toBe("only /tf_static is read (sensor mounts); moving transforms are not");
    const only = planTopics(topics, { exclusive: true, topics: { "/odom": {} } });
    expect([...only.values()].filter((r) => r.mapped).map((r) => r.topic)).toEqual(["/odom"]);
  });
});
