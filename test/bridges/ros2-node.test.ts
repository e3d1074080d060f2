import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { describe, expect, it } from "vitest";
import {
  CommandShaper,
  definitionOf,
  openRos2Bridge,
  ownFields,
  parameterSpecs,
  parseRosArgs,
  rclnodejsNode,
  resolveTopicName,
  settingsFrom,
  splitRosArgs,
  ACTION_SEQUENCE_MSG,
  NODE_STATUS_MSG,
  type Ros2Bridge,
} from "../../bridges/ros2/index.js";
import run from "../../runtime/commands/run.js";
import { FakeRclnodejs } from "../support/fake-rclnodejs.js";

// The ROS 2 node against a fake rclnodejs that implements rclnodejs's own types (test/support/fake-rclnodejs.ts),
// with every message checked as CDR bytes against the real .msg definitions where this machine has them
// (Autoware's, ../shared/ros-msgs). What this cannot check: DDS discovery and rclnodejs's native conversion.

const SHARED_MSGS = "../shared/ros-msgs";
const PRIMITIVES = new Set(["bool", "byte", "char", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string", "wstring"]);
// Standard ROS 2 field lists (rcl_interfaces/common_interfaces), written out here independently of lam's.
const STANDARD: Record<string, string> = {
  "builtin_interfaces/Time": "int32 sec\nuint32 nanosec",
  "std_msgs/Header": "builtin_interfaces/Time stamp\nstring frame_id",
};

/** A .msg file's field lines: comments and blank lines dropped, whitespace normalised. */
const fieldLines = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.split("#")[0]!.trim().replace(/\s+/g, " ").replace(/ ?= ?/, "="))
    .filter((l) => l !== "");

/** The real field list of a type: ../shared/ros-msgs where it has it, the standard ones above, else lam's (no other source here). */
function realFields(type: string): { text: string; source: "shared" | "standard" | "lam" } {
  const [pkg, name] = type.replace("/msg/", "/").split("/");
  const file = join(SHARED_MSGS, pkg!, "msg", `${name}.msg`);
  if (existsSync(file)) return { text: readFileSync(file, "utf8"), source: "shared" };
  if (STANDARD[`${pkg}/${name}`]) return { text: STANDARD[`${pkg}/${name}`]!, source: "standard" };
  // The type's own field list: the part of lam's full definition before its first dependency.
  return { text: definitionOf(type).split(`\n${"=".repeat(80)}`)[0]!, source: "lam" };
}

/** A full ros2msg definition (type + dependencies) built from the real .msg files. */
function realDefinition(type: string): string {
  const root = type.replace("/msg/", "/");
  const first = realFields(root);
  if (first.source === "lam") return definitionOf(root);
  const parts = [first.text];
  const seen = new Set([root]);
  const queue = [root];
  while (queue.length) {
    const t = queue.shift()!;
    const pkg = t.split("/")[0];
    for (const line of fieldLines(realFields(t).text)) {
      if (line.includes("=")) continue;
      const bare = line.split(" ")[0]!.replace(/\[.*\]$/, "");
      if (PRIMITIVES.has(bare)) continue;
      const dep = bare.includes("/") ? bare.replace("/msg/", "/") : `${pkg}/${bare}`;
      if (seen.has(dep)) continue;
      seen.add(dep);
      queue.push(dep);
      parts.push(`${"=".repeat(80)}\nMSG: ${dep}\n${realFields(dep).text}`);
    }
  }
  return parts.join("\n");
}

const readers = new Map<string, MessageReader>();
function decode(type: string, bytes: Uint8Array): any {
  let r = readers.get(type);
  if (!r) readers.set(type, (r = new MessageReader(parse(realDefinition(type), { ros2: true }))));
  return r.readMessage(bytes);
}

const CAR_MODEL = "dynamics/models/car";

describe("ROS arguments (rcl's grammar, parsed for what the CLI needs)", () => {
  it("splits the program's flags from --ros-args sections (to a lone --)", () => {
    expect(splitRosArgs(["--ros2", "--ros-args", "-r", "__ns:=/car1", "--", "--json", "--ros-args", "-p", "a:=1"])).toEqual({
      args: ["--ros2", "--json"],
      ros: ["--ros-args", "-r", "__ns:=/car1", "--", "--ros-args", "-p", "a:=1"],
    });
  });

  it("reads remaps, namespace, node name, typed -p values and params files in order (later wins)", () => {
    const dir = mkdtempSync(join(tmpdir(), "lam-rosargs-"));
    const file = join(dir, "p.yaml");
    writeFileSync(file, "/**:\n  ros__parameters:\n    wheelbase: 2.5\n    command_type: twist\n/car1/drv:\n  ros__parameters:\n    frame_id: base\n/other:\n  ros__parameters:\n    frame_id: nope\n");
    const a = parseRosArgs(
      ["--ros-args", "-r", "__ns:=/car1", "-r", "__node:=drv", "-r", "old:=new", "-r", "drv:x:=y", "-r", "someone:z:=w", "-p", "command_type:=autoware_control", "--params-file", file, "-p", "use_sim_time:=true", "-p", "input_topics:=[a=sensor_msgs/msg/Imu]"],
      "lam",
      (p) => readFileSync(p, "utf8"),
    );
    expect(a.namespace).toBe("/car1");
    expect(a.nodeName).toBe("drv");
    expect(a.remaps).toEqual([{ from: "old", to: "new" }, { node: "drv", from: "x", to: "y" }]);
    // The file comes after -p command_type, so it wins there, as in rcl.
    expect(Object.fromEntries(a.params)).toEqual({ command_type: "twist", wheelbase: 2.5, frame_id: "base", use_sim_time: true, input_topics: ["a=sensor_msgs/msg/Imu"] });
    expect(() => parseRosArgs(["--ros-args", "-r", "__ns:=car1"], "lam", () => "")).toThrow("must be absolute");
    expect(() => parseRosArgs(["--ros-args", "-p", "x"], "lam", () => "")).toThrow("-p x: expected name:=value");
    expect(() => parseRosArgs(["--ros-args", "--bogus"], "lam", () => "")).toThrow("unknown ROS argument --bogus");
    expect(() => parseRosArgs(["--ros-args", "--params-file", "/no/such"], "lam", (p) => readFileSync(p, "utf8"))).toThrow("--params-file /no/such");
  });

  it("resolves names as rcl does: relative under the namespace, ~ under the node, then remaps", () => {
    expect(resolveTopicName("imu", "lam", "/car1", [])).toBe("/car1/imu");
    expect(resolveTopicName("/tf_static", "lam", "/car1", [])).toBe("/tf_static");
    expect(resolveTopicName("~/status", "lam", "/car1", [])).toBe("/car1/lam/status");
    expect(resolveTopicName("imu", "lam", "/car1", [{ from: "imu", to: "sensing/imu" }])).toBe("/car1/sensing/imu");
  });
});

describe("message definitions lam carries", () => {
  it("its copies of Autoware's .msg files are the upstream ones, and its field lists say the same", () => {
    for (const pkg of ["autoware_control_msgs", "autoware_vehicle_msgs"]) {
      for (const f of readdirSync(join(SHARED_MSGS, pkg, "msg"))) {
        const upstream = readFileSync(join(SHARED_MSGS, pkg, "msg", f), "utf8");
        expect(readFileSync(join("bridges/ros2/msg", pkg, "msg", f), "utf8"), f).toBe(upstream);
        const type = `${pkg}/${f.replace(".msg", "")}`;
        const lam = ownFields(type) ?? definitionOf(type).split(`\n${"=".repeat(80)}`)[0]!;
        expect(fieldLines(lam), type).toEqual(fieldLines(upstream));
      }
    }
    expect(readFileSync("bridges/ros2/msg/NOTICE-autoware_msgs", "utf8")).toContain("Autoware Foundation");
  });

  it("lam_msgs/msg/*.msg (the colcon package) are what the node publishes", () => {
    expect(readFileSync("bridges/ros2/lam_msgs/msg/ActionSequence.msg", "utf8")).toBe(ACTION_SEQUENCE_MSG + "\n");
    expect(readFileSync("bridges/ros2/lam_msgs/msg/NodeStatus.msg", "utf8")).toBe(NODE_STATUS_MSG + "\n");
    const cmake = readFileSync("bridges/ros2/lam_msgs/CMakeLists.txt", "utf8");
    expect(cmake).toContain('"msg/ActionSequence.msg"');
    expect(cmake).toContain('"msg/NodeStatus.msg"');
    expect(readFileSync("bridges/ros2/lam_msgs/package.xml", "utf8")).toContain("<member_of_group>rosidl_interface_packages</member_of_group>");
    for (const t of ["lam_msgs/msg/ActionSequence", "lam_msgs/msg/NodeStatus", "diagnostic_msgs/msg/DiagnosticArray", "autoware_control_msgs/msg/Control"])
      expect(() => parse(definitionOf(t), { ros2: true }), t).not.toThrow();
  });
});

/** A node under /car1 against the fake rclnodejs; CDR written with the real definitions. */
async function carNode(rosArgs: string[], clock = { t: 1700000000 }): Promise<{ fake: FakeRclnodejs; bridge: Ros2Bridge; ticks: (() => void)[] }> {
  const fake = new FakeRclnodejs({ definitionOf: realDefinition, clock: () => clock.t });
  const ticks: (() => void)[] = [];
  const node = await rclnodejsNode(fake, { rosArgs });
  const bridge = await openRos2Bridge({ rosNode: node, parameters: parameterSpecs({ vehicle: "car1" }), every: (_ms, fn) => (ticks.push(fn), () => undefined) });
  return { fake, bridge, ticks };
}

const stampOf = (t: number) => ({ sec: Math.floor(t), nanosec: Math.round((t - Math.floor(t)) * 1e9) });
const odom = (t: number, v: number) => ({
  header: { stamp: stampOf(t), frame_id: "odom" },
  child_frame_id: "base_link",
  pose: { pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } }, covariance: new Array(36).fill(0) },
  twist: { twist: { linear: { x: v, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.05 } }, covariance: new Array(36).fill(0) },
});
const carCmd = (t: number, steer: number, accel: number) => ({ t, values: { steer_cmd: steer, accel_cmd: accel }, mode: "model" as const, limits: [] });

describe("the ROS 2 node under --ros-args (fake rclnodejs with rclnodejs's types)", () => {
  it("-r __ns:=/car1 -p command_type:=autoware_control: namespaced topics, declared parameters, Autoware Control CDR", async () => {
    const clock = { t: 1700000000 };
    const { fake, bridge, ticks } = await carNode(["--ros-args", "-r", "__ns:=/car1", "-p", "command_type:=autoware_control", "-p", "wheelbase:=2.7"], clock);
    expect(bridge.node.fullName).toBe("/car1/lam");
    expect(fake.subscriptions.map((s) => [s.topic, s.type]).sort()).toEqual([
      ["/car1/drive", "ackermann_msgs/msg/AckermannDriveStamped"],
      ["/car1/imu", "sensor_msgs/msg/Imu"],
      ["/car1/odom", "nav_msgs/msg/Odometry"],
      ["/tf_static", "tf2_msgs/msg/TFMessage"],
    ]);
    expect(fake.publishers.map((p) => [p.topic, p.type]).sort()).toEqual([
      ["/car1/control/command/control_cmd", "autoware_control_msgs/msg/Control"],
      ["/car1/lam/prediction", "std_msgs/msg/Float32MultiArray"],
      ["/car1/lam/status", "std_msgs/msg/String"],
      ["/diagnostics", "diagnostic_msgs/msg/DiagnosticArray"],
    ]);
    const declared = new Map([...fake.declared].map(([k, v]) => [k, v]));
    expect([...declared.keys()].filter((k) => k.startsWith("/car1/lam:")).map((k) => k.split(":")[1]).sort()).toEqual(
      ["accel_horizon", "command_topic", "command_type", "diagnostic_period", "frame_id", "imu_mount", "input_topics", "model", "policy", "prediction_topic", "prediction_type", "status_topic", "status_type", "use_sim_time", "vehicle", "wheelbase"],
    );
    expect(declared.get("/car1/lam:command_type")!.parameter.value).toBe("autoware_control");
    expect(declared.get("/car1/lam:command_type")!.descriptor).toMatchObject({ readOnly: true });
    expect(declared.get("/car1/lam:vehicle")!.parameter.value).toBe("car1");
    expect(bridge.settings).toMatchObject({ command_type: "autoware_control", command_topic: "control/command/control_cmd", wheelbase: 2.7 });

    // The bundled car model's commands (steer_cmd + accel_cmd): published once a speed is measured.
    fake.inject("/car1/odom", "nav_msgs/msg/Odometry", odom(clock.t, 4));
    bridge.sink.publishCommand(carCmd(clock.t, 0.1, 1.2));
    clock.t += 0.05;
    bridge.sink.publishCommand(carCmd(clock.t, 0.12, 1.0));
    const wire = fake.on("/car1/control/command/control_cmd");
    expect(wire).toHaveLength(2);
    const [first, second] = wire.map((w) => decode("autoware_control_msgs/msg/Control", w.bytes));
    expect(first.lateral).toMatchObject({ is_defined_steering_tire_rotation_rate: false });
    expect(first.longitudinal.velocity).toBeCloseTo(4 + 1.2 * 0.5, 5);
    expect(first.longitudinal).toMatchObject({ is_defined_acceleration: true, is_defined_jerk: false });
    expect(second.stamp).toEqual(stampOf(1700000000.05));
    expect(second.lateral.steering_tire_angle).toBeCloseTo(0.12, 6);
    expect(second.lateral.steering_tire_rotation_rate).toBeCloseTo(0.02 / 0.05, 4);
    expect(second.lateral.is_defined_steering_tire_rotation_rate).toBe(true);
    expect(second.longitudinal.velocity).toBeCloseTo(4.5, 5);
    expect(second.longitudinal.acceleration).toBeCloseTo(1.0, 6);
    expect(second.longitudinal.jerk).toBeCloseTo(-0.2 / 0.05, 3);
    expect(second.longitudinal.is_defined_jerk).toBe(true);
    // lam's own definition writes the same bytes as the upstream .msg files.
    const lamWriter = new (await import("@foxglove/rosmsg2-serialization")).MessageWriter(parse(definitionOf("autoware_control_msgs/msg/Control"), { ros2: true }));
    expect(Buffer.from(lamWriter.writeMessage(second)).equals(Buffer.from(wire[1]!.bytes))).toBe(true);

    // Diagnostics in the manner of diagnostic_updater: one status per task, vehicle as hardware_id.
    bridge.sink.publishStatus({ state: "degraded", t: clock.t, detail: "imu stale" });
    bridge.sink.publishCommand({ ...carCmd(clock.t + 0.05, 0.12, -0.5), mode: "fallback" });
    clock.t += 2;
    ticks.forEach((f) => f());
    const diag = decode("diagnostic_msgs/msg/DiagnosticArray", fake.on("/diagnostics").at(-1)!.bytes);
    const by = Object.fromEntries(diag.status.map((s: { name: string }) => [s.name, s]));
    expect(Object.keys(by)).toEqual(["lam: mode", "lam: latency", "lam: inputs"]);
    expect(by["lam: mode"]).toMatchObject({ level: 1, message: "fallback: imu stale", hardware_id: "car1" });
    expect(by["lam: inputs"].level).toBe(2);
    expect(by["lam: inputs"].message).toBe("stale: imu, odom, drive");
    const kv = Object.fromEntries(by["lam: inputs"].values.map((v: { key: string; value: string }) => [v.key, v.value]));
    expect(kv).toMatchObject({ "imu age_s": "never", "odom age_s": "2.050", "odom messages": "1" });
    await bridge.close();
    expect(fake.shut).toBe(true);
  });

  it("each command type's CDR against its definition: AckermannDriveStamped (accel model filled consistently), TwistStamped", async () => {
    const clock = { t: 1700000100 };
    const ack = await carNode(["--ros-args", "-r", "__ns:=/car1", "-p", "frame_id:=base_footprint"], clock);
    ack.fake.inject("/car1/odom", "nav_msgs/msg/Odometry", odom(clock.t, 3));
    ack.bridge.sink.publishCommand(carCmd(clock.t, -0.05, -2));
    clock.t += 0.1;
    ack.bridge.sink.publishCommand(carCmd(clock.t, -0.03, -2.5));
    const a = ack.fake.on("/car1/ackermann_cmd").map((w) => decode("ackermann_msgs/msg/AckermannDriveStamped", w.bytes));
    expect(a[0].header.frame_id).toBe("base_footprint");
    // speed = measured 3 m/s + accel_cmd · 0.5 s; acceleration a magnitude (Ackermann convention)
    expect(a[0].drive.speed).toBeCloseTo(2, 6);
    expect(a[0].drive.acceleration).toBeCloseTo(2, 6);
    expect(a[1].drive.steering_angle_velocity).toBeCloseTo(0.2, 4);
    expect(a[1].drive.jerk).toBeCloseTo(5, 3);
    await ack.bridge.close();

    const tw = await carNode(["--ros-args", "-r", "__ns:=/car1", "-p", "command_type:=twist", "-p", "wheelbase:=2.5", "-r", "cmd_vel:=/car1/mux/cmd_vel"], clock);
    tw.fake.inject("/car1/odom", "nav_msgs/msg/Odometry", odom(clock.t, 3));
    tw.bridge.sink.publishCommand(carCmd(clock.t, 0.1, 0.4));
    const t = decode("geometry_msgs/msg/TwistStamped", tw.fake.on("/car1/mux/cmd_vel")[0]!.bytes);
    expect(t.twist.linear.x).toBeCloseTo(3.2, 12);
    expect(t.twist.angular.z).toBeCloseTo((3.2 * Math.tan(0.1)) / 2.5, 12);
    await tw.bridge.close();
  });

  it("an accel model's command without a measured speed is refused, named and counted, never published as NaN", async () => {
    const { fake, bridge } = await carNode(["--ros-args", "-p", "command_type:=autoware_control"]);
    bridge.sink.publishCommand(carCmd(1700000000, 0.1, 1));
    bridge.sink.publishCommand(carCmd(1700000000, Number.NaN, 1));
    expect(fake.on("/control/command/control_cmd")).toHaveLength(0);
    expect(bridge.sink.stats().rejected).toEqual({ malformed: 1, nonfinite: 1 });
    await bridge.close();
    expect(() => new CommandShaper().shape(carCmd(5, 0.1, 1), { t: 2, value: 3 }, "cmd")).toThrow("the last speed is 3.00 s from the command");
    expect(() => new CommandShaper().shape({ t: 0, values: { yaw_rate_cmd: 1 }, mode: "model", limits: [] }, undefined, "cmd")).toThrow("neither speed_cmd nor accel_cmd");
    // Braking never commands reverse.
    expect(new CommandShaper().shape(carCmd(0, 0, -8), { t: 0, value: 1 }, "cmd").speed).toBe(0);
  });

  it("takes the IMU mount from /tf_static (transient-local, as tf2 publishes it) and Autoware vehicle reports as inputs", async () => {
    const clock = { t: 1700000200 };
    const { fake, bridge } = await carNode(
      ["--ros-args", "-r", "__ns:=/car1", "-p", "input_topics:=[imu=sensor_msgs/msg/Imu, vehicle/status/velocity_status=autoware_vehicle_msgs/msg/VelocityReport, vehicle/status/steering_status=autoware_vehicle_msgs/msg/SteeringReport]"],
      clock,
    );
    const got: Record<string, number> = {};
    bridge.source.samples$.subscribe((s) => (got[s.channel] = s.value as number));
    // imu_link has y up (as the Husky's): base x = -imu z, base y = -imu x, base z = imu y.
    fake.inject("/tf_static", "tf2_msgs/msg/TFMessage", {
      transforms: [{ header: { stamp: stampOf(0), frame_id: "base_link" }, child_frame_id: "imu_link", transform: { translation: { x: 0, y: 0, z: 0 }, rotation: { x: 0.5, y: -0.5, z: -0.5, w: 0.5 } } }],
    });
    fake.inject("/car1/imu", "sensor_msgs/msg/Imu", {
      header: { stamp: stampOf(clock.t), frame_id: "imu_link" },
      orientation: { x: 0, y: 0, z: 0, w: 1 },
      orientation_covariance: [-1, 0, 0, 0, 0, 0, 0, 0, 0],
      angular_velocity: { x: 0, y: 0.3, z: 0 },
      angular_velocity_covariance: new Array(9).fill(0),
      linear_acceleration: { x: 0, y: 9.8, z: -0.7 },
      linear_acceleration_covariance: new Array(9).fill(0),
    });
    expect(got.yaw_rate).toBeCloseTo(0.3, 9);
    expect(got.accel).toBeCloseTo(0.7, 9);
    expect(got.vert_accel).toBeCloseTo(9.8, 9);
    fake.inject("/car1/vehicle/status/velocity_status", "autoware_vehicle_msgs/msg/VelocityReport", { header: { stamp: stampOf(clock.t), frame_id: "base_link" }, longitudinal_velocity: 7.5, lateral_velocity: 0, heading_rate: 0.25 });
    fake.inject("/car1/vehicle/status/steering_status", "autoware_vehicle_msgs/msg/SteeringReport", { stamp: stampOf(clock.t), steering_tire_angle: -0.125 });
    expect(got.speed).toBe(7.5);
    expect(got["yaw_rate@vehicle"]).toBe(0.25);
    expect(got.steer).toBe(-0.125);
    expect(bridge.source.stats().rejected).toEqual({});
    await bridge.close();
  });
});

describe("lam_msgs on the wire", () => {
  it("prediction_type action_sequence and status_type node_status publish lam_msgs, decoded with lam_msgs/msg/*.msg", async () => {
    const lamMsgs = (name: string) => readFileSync(`bridges/ros2/lam_msgs/msg/${name}.msg`, "utf8");
    const header = `${"=".repeat(80)}\nMSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n${"=".repeat(80)}\nMSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec`;
    const { fake, bridge } = await carNode(["--ros-args", "-r", "__ns:=/car1", "-p", "prediction_type:=action_sequence", "-p", "status_type:=node_status"]);
    bridge.sink.publishPrediction({ t0: 1700000000.25, dt: 0.05, channels: ["steer_cmd", "accel_cmd"], mean: new Float32Array([0.1, 1, 0.2, 2]), std: new Float32Array([0.01, 0.1, 0.02, 0.2]), model: "lstm" });
    bridge.sink.publishStatus({ state: "degraded", t: 1700000001, detail: "imu stale", model: "car" });
    const seq = new MessageReader(parse(`${lamMsgs("ActionSequence")}\n${header}`, { ros2: true })).readMessage(fake.on("/car1/lam/prediction")[0]!.bytes) as any;
    expect(seq).toMatchObject({ header: { stamp: { sec: 1700000000, nanosec: 250_000_000 } }, dt: 0.05, model: "lstm", channels: ["steer_cmd", "accel_cmd"], horizon: 2 });
    expect(Array.from(seq.std as Float32Array)).toEqual(Array.from(new Float32Array([0.01, 0.1, 0.02, 0.2])));
    const st = new MessageReader(parse(`${lamMsgs("NodeStatus")}\n${header}`, { ros2: true })).readMessage(fake.on("/car1/lam/status")[0]!.bytes);
    expect(st).toMatchObject({ header: { stamp: { sec: 1700000001, nanosec: 0 } }, state: 2, detail: "imu stale", model: "car" });
    await bridge.close();
  });
});

describe("a planned path in (path-scene): scene channels from an Autoware Trajectory and the odometry", () => {
  it("gives path_offset and target_speed at each odometry, CDR from the real Trajectory.msg", async () => {
    const clock = { t: 1700000300 };
    const { fake, bridge } = await carNode(["--ros-args", "-r", "__ns:=/car1", "-p", "input_topics:=[odom=nav_msgs/msg/Odometry, planning/trajectory=autoware_planning_msgs/msg/Trajectory]"], clock);
    expect(fake.subscriptions.map((s) => s.topic).sort()).toEqual(["/car1/odom", "/car1/planning/trajectory"]);
    const got: Record<string, number> = {};
    bridge.source.samples$.subscribe((s) => (got[s.channel] = s.value as number));
    const point = (x: number) => ({
      time_from_start: { sec: 0, nanosec: 0 },
      pose: { position: { x, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
      longitudinal_velocity_mps: 8,
      lateral_velocity_mps: 0,
      acceleration_mps2: 0,
      heading_rate_rps: 0,
      front_wheel_angle_rad: 0,
      rear_wheel_angle_rad: 0,
    });
    fake.inject("/car1/planning/trajectory", "autoware_planning_msgs/msg/Trajectory", { header: { stamp: stampOf(clock.t), frame_id: "map" }, points: [0, 10, 20, 30, 40, 50, 60, 70, 80].map(point) });
    expect(got.target_speed).toBeUndefined(); // no odometry yet
    const od = odom(clock.t, 5);
    od.pose.pose.position.y = 0.5;
    fake.inject("/car1/odom", "nav_msgs/msg/Odometry", od);
    expect(got.target_speed).toBeCloseTo(8, 5);
    expect(Math.abs(got.path_offset!)).toBeCloseTo(0.5, 5);
    expect(bridge.source.stats().rejected).toEqual({});
    fake.inject("/car1/planning/trajectory", "autoware_planning_msgs/msg/Trajectory", { header: { stamp: stampOf(clock.t), frame_id: "map" }, points: [] });
    expect(bridge.source.stats().lastError).toMatch(/^\/car1\/planning\/trajectory|^planning\/trajectory/);
    await bridge.close();
    await expect(carNode(["--ros-args", "-p", "input_topics:=[path=nav_msgs/msg/Path]"])).rejects.toThrow("needs the vehicle's nav_msgs/Odometry");
  });
});

describe("lam run --ros2 --ros-args … (the CLI end to end, against the fake rclnodejs)", () => {
  it("runs the bundled car model under /car1 with Autoware Control commands, published and correct as CDR", async () => {
    const fake = new FakeRclnodejs({ definitionOf: realDefinition });
    let err = "";
    let out = "";
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    // A car driving at 5 m/s, gently turning: the inputs the car model reads.
    const feed = setInterval(() => {
      const t = Date.now() / 1000;
      if (!fake.subscriptions.some((s) => s.topic === "/car1/odom")) return;
      fake.inject("/car1/odom", "nav_msgs/msg/Odometry", odom(t, 5));
      fake.inject("/car1/imu", "sensor_msgs/msg/Imu", {
        header: { stamp: stampOf(t), frame_id: "base_link" },
        orientation: { x: 0, y: 0, z: 0, w: 1 },
        orientation_covariance: new Array(9).fill(0),
        angular_velocity: { x: 0, y: 0, z: 0.05 },
        angular_velocity_covariance: new Array(9).fill(0),
        linear_acceleration: { x: 0.1, y: 0.25, z: 9.81 },
        linear_acceleration_covariance: new Array(9).fill(0),
      });
      fake.inject("/car1/drive", "ackermann_msgs/msg/AckermannDriveStamped", { header: { stamp: stampOf(t), frame_id: "base_link" }, drive: { steering_angle: 0.02, steering_angle_velocity: 0, speed: 5, acceleration: 0.1, jerk: 0 } });
    }, 50);
    let code: number;
    try {
      code = await run(
        ["--ros2", "--broker-port", "0", "--duration", "4", "--json", "--ros-args", "-r", "__ns:=/car1", "-p", "command_type:=autoware_control", "-p", `model:=${CAR_MODEL}`],
        io,
        { env: { ROS_DISTRO: "jazzy" }, importModule: async () => ({ default: fake }) },
      );
    } finally {
      clearInterval(feed);
    }
    expect(code, err).toBe(0);
    expect(err).toContain("ROS 2 node /car1/lam: reading /car1/imu, /car1/odom, /car1/drive; autoware_control commands on /car1/control/command/control_cmd");
    expect(fake.declared.get("/car1/lam:model")!.parameter.value).toBe(CAR_MODEL);
    const cmds = fake.on("/car1/control/command/control_cmd").map((w) => decode("autoware_control_msgs/msg/Control", w.bytes));
    expect(cmds.length).toBeGreaterThan(10);
    for (const c of cmds) {
      expect(Number.isFinite(c.lateral.steering_tire_angle) && Number.isFinite(c.longitudinal.velocity)).toBe(true);
      // The speed target is the measured 5 m/s plus accel_cmd over the 0.5 s look-ahead (float32 on the wire).
      expect(c.longitudinal.velocity).toBeCloseTo(Math.max(0, 5 + c.longitudinal.acceleration * 0.5), 4);
    }
    expect(fake.on("/diagnostics").length).toBeGreaterThanOrEqual(3);
    const final = JSON.parse(out) as Record<string, unknown>;
    expect(final).toBeTypeOf("object");
  }, 60_000);

  it("bad ROS arguments are usage errors naming them, before anything starts", async () => {
    let err = "";
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } };
    await expect(run(["--ros-args", "-r", "__ns:=/car1"], io)).rejects.toThrow("--ros-args needs --ros2");
    await expect(run(["--ros2", "--ros-args", "-p", "command_type:=tank"], io, { env: { ROS_DISTRO: "jazzy" } })).rejects.toThrow("command_type=\"tank\": expected one of ackermann, twist, autoware_control");
    await expect(run(["--ros2", "--ros-args", "-r", "__ns:=car1"], io, { env: { ROS_DISTRO: "jazzy" } })).rejects.toThrow("must be absolute");
    await expect(run(["--ros2", "--ros-args", "-p", "diagnostic_period:=0"], io, { env: { ROS_DISTRO: "jazzy" } })).rejects.toThrow("diagnostic_period=0: expected a number > 0");
    await expect(run(["--ros2", "--ros-args", "-p", "wheelbase:=-1"], io, { env: { ROS_DISTRO: "jazzy" } })).rejects.toThrow("wheelbase=-1: expected a number >= 0");
    await expect(run(["--ros2", "--ros-args", "-p", "wheelbase:=.nan"], io, { env: { ROS_DISTRO: "jazzy" } })).rejects.toThrow("not a finite number");
    await expect(run(["--ros2", "--wheelbase", "2", "--ros-args", "-p", "input_topics:=[imu]"], io, { env: { ROS_DISTRO: "jazzy" } })).rejects.toThrow('input topic "imu"');
    void err;
  });
});

describe("launch file and parameters file", () => {
  it("every key of config/lam.params.yaml is a declared parameter of a valid type and value", () => {
    const text = readFileSync("bridges/ros2/config/lam.params.yaml", "utf8");
    const args = parseRosArgs(["--ros-args", "-r", "__ns:=/car1", "--params-file", "bridges/ros2/config/lam.params.yaml"], "lam", () => text);
    const specs = parameterSpecs();
    for (const k of args.params.keys()) expect(specs.map((s) => s.name), k).toContain(k);
    expect(args.params.size).toBe(specs.length - 1); // all but use_sim_time, which the launch file sets
    expect(() => settingsFrom(specs, args.params)).not.toThrow();
  });

  it("the launch file is Python that names the ROS arguments lam reads", () => {
    const py = readFileSync("bridges/ros2/launch/lam.launch.py", "utf8");
    for (const s of ['"--ros-args"', '"__ns:="', '"--params-file"', "generate_launch_description"]) expect(py).toContain(s);
    const python = spawnSync("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", "bridges/ros2/launch/lam.launch.py"], { encoding: "utf8" });
    if (python.error) return; // no Python here: the text checks above stand
    expect(python.status, python.stderr).toBe(0);
  });
});
