import { parse } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import { describe, expect, it, vi } from "vitest";
import type { BridgeInputError } from "../../bridges/codec/index.js";
import { mapAckermannDriveStamped } from "../../bridges/ros/index.js";
import {
  COMMAND_QOS,
  definitionOf,
  openRclnodejsNode,
  openRos2Bridge,
  predictionFromFloat32MultiArray,
  qosIncompatibility,
  rmwQos,
  ros2ActionSink,
  ros2SampleSource,
  Ros2UnavailableError,
  SENSOR_QOS,
  STATUS_QOS,
  toRclnodejsQos,
  type Ros2Node,
  type Ros2QosProfile,
} from "../../bridges/ros2/index.js";
import type { Sample } from "../../perception/types.js";

/**
 * A Ros2Node without DDS: every publish is written to CDR bytes with the real .msg definitions and read back
 * for each matching subscription, with DDS's QoS matching rule. What it cannot stand in for: discovery,
 * the network, rclnodejs's own message conversion.
 */
class CdrLoopbackNode implements Ros2Node {
  clock = 1000;
  readonly wire: Array<{ topic: string; type: string; bytes: Uint8Array }> = [];
  private readonly subs: Array<{ topic: string; type: string; qos: Ros2QosProfile; handler: (m: unknown) => void }> = [];
  private readonly codecs = new Map<string, { writer: MessageWriter; reader: MessageReader }>();
  /** Messages kept for transient-local late joiners, by topic. */
  private readonly latched = new Map<string, Uint8Array>();

  private codec(type: string) {
    let c = this.codecs.get(type);
    if (!c) {
      const defs = parse(definitionOf(type), { ros2: true });
      this.codecs.set(type, (c = { writer: new MessageWriter(defs), reader: new MessageReader(defs) }));
    }
    return c;
  }
  subscribe(topic: string, type: string, qos: Ros2QosProfile, handler: (m: unknown) => void): () => void {
    const sub = { topic, type, qos, handler };
    this.subs.push(sub);
    const held = this.latched.get(topic);
    if (held && qos.durability === "transient_local") handler(this.codec(type).reader.readMessage(held));
    return () => this.subs.splice(this.subs.indexOf(sub), 1);
  }
  createPublisher(topic: string, type: string, qos: Ros2QosProfile) {
    return {
      publish: (msg: Record<string, unknown>) => {
        const bytes = this.codec(type).writer.writeMessage(msg);
        this.wire.push({ topic, type, bytes });
        if (qos.durability === "transient_local") this.latched.set(topic, bytes);
        for (const s of this.subs)
          if (s.topic === topic && s.type === type && !qosIncompatibility(qos, s.qos)) s.handler(this.codec(type).reader.readMessage(bytes));
      },
      close: () => undefined,
    };
  }
  now(): number {
    return this.clock;
  }
  async close(): Promise<void> {}
  last(topic: string): unknown {
    const m = [...this.wire].reverse().find((w) => w.topic === topic)!;
    return this.codec(m.type).reader.readMessage(m.bytes);
  }
}

const stamp = (sec: number, nanosec = 0) => ({ sec, nanosec });
const header = (sec: number, nanosec = 0) => ({ stamp: stamp(sec, nanosec), frame_id: "base_link" });
const vec = (x: number, y: number, z: number) => ({ x, y, z });
const zeros = (n: number) => new Array<number>(n).fill(0);

const imu = (sec: number, nanosec: number, wz: number) => ({
  header: header(sec, nanosec),
  orientation: { x: 0, y: 0, z: 0, w: 1 },
  orientation_covariance: zeros(9),
  angular_velocity: vec(0.01, -0.02, wz),
  angular_velocity_covariance: zeros(9),
  linear_acceleration: vec(0.5, -0.25, 9.81),
  linear_acceleration_covariance: zeros(9),
});

describe("ROS 2 QoS profiles", () => {
  it("are plain data with their rmw values (as rclnodejs's QoS enums carry them)", () => {
    expect(SENSOR_QOS).toEqual({ reliability: "best_effort", durability: "volatile", history: "keep_last", depth: 5 });
    expect(rmwQos(SENSOR_QOS)).toEqual({ history: 1, depth: 5, reliability: 2, durability: 2 });
    expect(rmwQos(COMMAND_QOS)).toEqual({ history: 1, depth: 1, reliability: 1, durability: 2 });
    expect(rmwQos(STATUS_QOS)).toEqual({ history: 1, depth: 1, reliability: 1, durability: 1 });
    expect(() => rmwQos({ ...SENSOR_QOS, depth: 0 })).toThrow(/depth=0/);
  });
  it("map onto rclnodejs's QoS constructor (history, depth, reliability, durability)", () => {
    const calls: number[][] = [];
    class FakeQoS {
      constructor(...args: number[]) {
        calls.push(args);
      }
    }
    expect(toRclnodejsQos(STATUS_QOS, FakeQoS)).toBeInstanceOf(FakeQoS);
    expect(calls).toEqual([[1, 1, 1, 1]]);
  });
  it("explain DDS request-vs-offered mismatches", () => {
    expect(qosIncompatibility(SENSOR_QOS, COMMAND_QOS)).toMatch(/reliable delivery/);
    expect(qosIncompatibility(COMMAND_QOS, STATUS_QOS)).toMatch(/transient-local/);
    expect(qosIncompatibility(COMMAND_QOS, SENSOR_QOS)).toBeUndefined();
  });
});

describe("rclnodejs adapter", () => {
  it("refuses without ROS_DISTRO, naming it, and never tries to import rclnodejs", async () => {
    const importModule = vi.fn(async () => ({}));
    const err = await openRclnodejsNode({ env: {}, importModule }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Ros2UnavailableError);
    expect((err as Error).message).toMatch(/ROS_DISTRO is not set/);
    expect(importModule).not.toHaveBeenCalled();
  });
  it("openRos2Bridge refuses the same way, before touching anything", async () => {
    const importModule = vi.fn(async () => ({}));
    await expect(openRos2Bridge({ topics: [], env: {}, importModule })).rejects.toThrow(/ROS_DISTRO/);
    expect(importModule).not.toHaveBeenCalled();
  });
  it("says how to install rclnodejs when ROS is sourced but the module will not load", async () => {
    const importModule = vi.fn(async () => {
      throw new Error("Cannot find module 'rclnodejs'");
    });
    const err = await openRclnodejsNode({ env: { ROS_DISTRO: "humble" }, importModule }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/ROS_DISTRO=humble is set but rclnodejs could not be loaded.*npm i rclnodejs/);
    expect(importModule).toHaveBeenCalledWith("rclnodejs");
  });
});

describe("ROS 2 sample source over CDR", () => {
  const topics = [
    { topic: "/imu/data", type: "sensor_msgs/msg/Imu" },
    { topic: "/odom", type: "nav_msgs/msg/Odometry" },
    { topic: "/cmd_vel_stamped", type: "geometry_msgs/msg/TwistStamped" },
    { topic: "/drive", type: "ackermann_msgs/msg/AckermannDriveStamped" },
    { topic: "/fix", type: "sensor_msgs/msg/NavSatFix" },
  ];

  it("maps each message type to canonical samples stamped by header.stamp", () => {
    const node = new CdrLoopbackNode();
    const source = ros2SampleSource(node, { topics });
    const got: Sample[] = [];
    source.samples$.subscribe((s) => got.push(s));
    const pub = (topic: string, type: string, msg: Record<string, unknown>) => node.createPublisher(topic, type, SENSOR_QOS).publish(msg);

    pub("/imu/data", "sensor_msgs/msg/Imu", imu(1700000000, 250_000_000, 0.3));
    pub("/odom", "nav_msgs/msg/Odometry", {
      header: header(1700000000, 260_000_000),
      child_frame_id: "base_link",
      pose: { pose: { position: vec(12, -3, 0), orientation: { x: 0, y: 0, z: Math.sin(0.25), w: Math.cos(0.25) } }, covariance: zeros(36) },
      twist: { twist: { linear: vec(4.5, 0, 0), angular: vec(0, 0, 0.29) }, covariance: zeros(36) },
    });
    pub("/cmd_vel_stamped", "geometry_msgs/msg/TwistStamped", { header: header(1700000000, 265_000_000), twist: { linear: vec(3.5, 0, 0), angular: vec(0, 0, -0.2) } });
    pub("/drive", "ackermann_msgs/msg/AckermannDriveStamped", {
      header: header(1700000000, 270_000_000),
      drive: { steering_angle: 0.1, steering_angle_velocity: 0, speed: 4.0, acceleration: 0.5, jerk: 0 },
    });
    pub("/fix", "sensor_msgs/msg/NavSatFix", {
      header: header(1700000000, 280_000_000),
      status: { status: 0, service: 1 },
      latitude: 37.4,
      longitude: -122.1,
      altitude: 12.5,
      position_covariance: zeros(9),
      position_covariance_type: 0,
    });

    const by = Object.fromEntries(got.map((s) => [s.channel, s]));
    expect(by.yaw_rate).toMatchObject({ t: 1700000000.25, value: 0.3, source: "/imu/data" });
    expect(by.accel!.value).toBe(0.5);
    expect(by.lat_accel!.value).toBe(-0.25);
    // IMU owns the bare yaw_rate; odometry's is qualified.
    expect(by["yaw_rate@odom"]).toMatchObject({ value: 0.29, source: "/odom" });
    expect(by.speed).toMatchObject({ t: 1700000000.26, value: 4.5 });
    expect(by.heading!.value).toBeCloseTo(0.5, 12);
    expect(by.x!.value).toBe(12);
    expect(by.steer_cmd!.value).toBeCloseTo(0.1, 6); // float32 on the wire
    // Two command topics give speed_cmd: the first by name keeps it, the other is qualified by its kind.
    expect(by.speed_cmd).toMatchObject({ value: 3.5, source: "/cmd_vel_stamped" });
    expect(by.yaw_rate_cmd!.value).toBe(-0.2);
    expect(by["speed_cmd@cmd"]).toMatchObject({ value: 4, source: "/drive", t: 1700000000.27 });
    expect(by.lat).toMatchObject({ t: 1700000000.28, value: 37.4 });
    expect(source.stats()).toMatchObject({ received: 5, rejected: {} });
    expect(source.stats().accepted).toBe(got.length);
  });

  it("counts bad fields and time going backwards, and keeps the good samples beside them", () => {
    const node = new CdrLoopbackNode();
    const source = ros2SampleSource(node, { topics: topics.slice(0, 1), backwardsToleranceS: 0.05 });
    const got: Sample[] = [];
    const errors: BridgeInputError[] = [];
    source.samples$.subscribe((s) => got.push(s));
    source.errors$.subscribe((e) => errors.push(e));
    const pub = node.createPublisher("/imu/data", "sensor_msgs/msg/Imu", SENSOR_QOS);
    pub.publish(imu(10, 0, 0.1));
    pub.publish(imu(10, 10_000_000, NaN)); // NaN yaw rate: only yaw_rate is lost
    pub.publish(imu(9, 0, 0.2)); // a second back: every channel of it is late
    pub.publish(imu(10, 20_000_000, 0.3));

    expect(got.filter((s) => s.channel === "yaw_rate").map((s) => s.value)).toEqual([0.1, 0.3]);
    expect(got.filter((s) => s.channel === "accel")).toHaveLength(3);
    expect(source.stats().rejected).toEqual({ nonfinite: 1, late: 6 });
    expect(errors[0]!.message).toMatch(/^\/imu\/data@yaw_rate: nonfinite: angular_velocity\.z=NaN/);
    expect(errors[1]!.message).toMatch(/\/imu\/data@t: late: t=9 is 1\.010 s before/);
  });

  it("refuses topics of a type it cannot map, naming them", () => {
    expect(() => ros2SampleSource(new CdrLoopbackNode(), { topics: [{ topic: "/scan", type: "sensor_msgs/msg/LaserScan" }] })).toThrow(
      /\/scan \(sensor_msgs\/msg\/LaserScan\): unsupported message type/,
    );
  });
});

describe("ROS 2 bridge over a CDR loopback node", () => {
  it("wires source and sink on one node: an Imu in gives samples, a command out gives Ackermann CDR", async () => {
    const node = new CdrLoopbackNode();
    const bridge = await openRos2Bridge({ rosNode: node, topics: [{ topic: "/imu", type: "sensor_msgs/msg/Imu" }], sink: { commandTopic: "/drive" } });
    const got: Sample[] = [];
    bridge.source.samples$.subscribe((s) => got.push(s));
    node.createPublisher("/imu", "sensor_msgs/msg/Imu", SENSOR_QOS).publish(imu(5, 0, 0.125));
    bridge.sink.publishCommand({ t: 5, values: { steer_cmd: 0.25, speed_cmd: 2 }, mode: "fallback", limits: [] });
    expect(got.find((s) => s.channel === "yaw_rate")!.value).toBe(0.125);
    expect(node.last("/drive")).toMatchObject({ drive: { steering_angle: 0.25, speed: 2 } });
    await bridge.close();
    expect(JSON.parse((node.last("lam/status") as { data: string }).data)).toMatchObject({ state: "offline" });
  });
});

describe("ROS 2 action sink over CDR", () => {
  const cmd = { t: 1700000000.5, values: { steer_cmd: 0.12, speed_cmd: 5.5, accel_cmd: -1.25 }, mode: "model" as const, limits: [] };

  it("publishes AckermannDriveStamped commands that decode back to the same command", () => {
    const node = new CdrLoopbackNode();
    const sink = ros2ActionSink(node, { frameId: "base_link" });
    sink.publishCommand(cmd);
    const msg = node.last("ackermann_cmd") as { header: { stamp: { sec: number; nanosec: number }; frame_id: string }; drive: Record<string, number> };
    expect(msg.header).toEqual({ stamp: { sec: 1700000000, nanosec: 500_000_000 }, frame_id: "base_link" });
    expect(msg.drive.steering_angle).toBeCloseTo(0.12, 6);
    expect(msg.drive.speed).toBe(5.5);
    // ackermann_msgs: acceleration is a magnitude limit, deceleration included.
    expect(msg.drive.acceleration).toBe(1.25);
    // And the live importer's mapper reads it back into the same action channels.
    const back = mapAckermannDriveStamped(msg, 0);
    expect(back.t).toBe(1700000000.5);
    expect(Object.fromEntries(back.samples.map((s) => [s.channel, s.value]))).toMatchObject({ speed_cmd: 5.5 });
    expect(sink.stats()).toMatchObject({ received: 1, accepted: 1, rejected: {} });
  });

  it("publishes Twist commands, deriving yaw rate from steer with the wheelbase", () => {
    const node = new CdrLoopbackNode();
    const sink = ros2ActionSink(node, { commandType: "geometry_msgs/msg/Twist", commandTopic: "/cmd_vel", wheelbase: 2.7 });
    sink.publishCommand(cmd);
    const tw = node.last("/cmd_vel") as { linear: { x: number }; angular: { z: number } };
    expect(tw.linear.x).toBe(5.5);
    expect(tw.angular.z).toBeCloseTo((5.5 * Math.tan(0.12)) / 2.7, 12);

    const noWheelbase = ros2ActionSink(new CdrLoopbackNode(), { commandType: "geometry_msgs/msg/Twist" });
    noWheelbase.publishCommand(cmd);
    expect(noWheelbase.stats().rejected).toEqual({ malformed: 1 });
    expect(noWheelbase.stats().lastError).toMatch(/no yaw_rate_cmd and no wheelbase/);
  });

  it("never publishes a non-finite command", () => {
    const node = new CdrLoopbackNode();
    const sink = ros2ActionSink(node);
    sink.publishCommand({ ...cmd, values: { steer_cmd: NaN, speed_cmd: 1 } });
    expect(node.wire.filter((w) => w.topic === "ackermann_cmd")).toHaveLength(0);
    expect(sink.stats().lastError).toBe("ackermann_cmd@values.steer_cmd: nonfinite: steer_cmd=NaN");
  });

  const seq = {
    t0: 1700000000.625,
    dt: 0.1,
    channels: ["steer_cmd", "accel_cmd"],
    mean: new Float32Array([0.1, -0.5, 0.11, -0.4, 0.12, -0.3]),
    std: new Float32Array([0.01, 0.1, 0.01, 0.1, 0.02, 0.2]),
    model: "lstm",
  };

  it("publishes predictions as Float32MultiArray with a horizon × channels layout", () => {
    const node = new CdrLoopbackNode();
    ros2ActionSink(node).publishPrediction(seq);
    const msg = node.last("lam/prediction");
    expect((msg as { layout: unknown }).layout).toEqual({
      dim: [
        { label: "horizon", size: 3, stride: 6 },
        { label: "steer_cmd,accel_cmd", size: 2, stride: 2 },
      ],
      data_offset: 0,
    });
    const back = predictionFromFloat32MultiArray(msg, "lam/prediction");
    expect(back).toEqual({ channels: seq.channels, horizon: 3, mean: seq.mean });
  });

  it("publishes predictions as lam_msgs/ActionSequence with t0, dt and std", () => {
    const node = new CdrLoopbackNode();
    ros2ActionSink(node, { predictionType: "lam_msgs/msg/ActionSequence" }).publishPrediction(seq);
    const msg = node.last("lam/prediction") as Record<string, unknown>;
    expect(msg).toMatchObject({ header: { stamp: { sec: 1700000000, nanosec: 625_000_000 } }, dt: 0.1, model: "lstm", channels: seq.channels, horizon: 3 });
    expect(Array.from(msg.mean as Float32Array)).toEqual(Array.from(seq.mean));
    expect(Array.from(msg.std as Float32Array)).toEqual(Array.from(seq.std));
  });

  it("publishes status transient-local, so a late subscriber gets the last one, and offline on close", async () => {
    const node = new CdrLoopbackNode();
    const sink = ros2ActionSink(node);
    sink.publishStatus({ state: "online", t: 5, model: "lstm" });
    const late: unknown[] = [];
    node.subscribe("lam/status", "std_msgs/msg/String", STATUS_QOS, (m) => late.push(m));
    expect(late).toEqual([{ data: '{"state":"online","t":5,"model":"lstm"}' }]);
    await sink.close();
    expect(JSON.parse((late[1] as { data: string }).data)).toEqual({ state: "offline", t: 1000, detail: "closed" });
  });
});
