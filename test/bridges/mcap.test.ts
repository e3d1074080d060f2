import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "@foxglove/rosmsg";
import { MessageWriter as Ros1Writer } from "@foxglove/rosmsg-serialization";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import { McapIndexedReader, McapWriter } from "@mcap/core";
import type { IWritable, McapTypes } from "@mcap/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMcapDrive, McapSink } from "../../bridges/mcap/index.js";
import { ros2Definition, secondsToNs } from "../../bridges/ros/index.js";
import type { RosDrive } from "../../bridges/ros/index.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const HUSKY_MCAP = resolve(repoRoot, "../shared/data/husky/test1_ros2.mcap");
const tmp = mkdtempSync(join(tmpdir(), "lam-mcap-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const channel = (d: RosDrive, name: string) => {
  const c = d.channels.find((x) => x.name === name);
  if (!c) throw new Error(`no channel ${name} in ${d.channels.map((x) => x.name).join(", ")}`);
  return c;
};

/** Standard @mcap/core reader over bytes in memory. */
function memoryReadable(bytes: Uint8Array): McapTypes.IReadable {
  return { size: async () => BigInt(bytes.byteLength), read: async (o, n) => bytes.subarray(Number(o), Number(o + n)) };
}

class MemoryWritable implements IWritable {
  chunks: Uint8Array[] = [];
  #pos = 0n;
  async write(b: Uint8Array) {
    this.chunks.push(b.slice());
    this.#pos += BigInt(b.byteLength);
  }
  position() {
    return this.#pos;
  }
  bytes() {
    return Buffer.concat(this.chunks);
  }
}

describe("loadMcapDrive on the Husky ROS 2 MCAP", () => {
  let drive: RosDrive;
  beforeAll(async () => {
    drive = await loadMcapDrive(HUSKY_MCAP);
  });

  it("reads all 16,806 messages into canonical channels, nothing rejected", () => {
    expect(drive.format).toBe("mcap");
    expect(drive.topics.reduce((n, t) => n + t.messages, 0)).toBe(16806);
    expect(Object.fromEntries(drive.topics.map((t) => [t.topic, t.messages]))).toEqual({
      "/imu/data": 11865,
      "/husky_velocity_controller/odom": 3952,
      "/fix": 989,
    });
    expect(drive.channels.map((c) => c.name)).toEqual([
      "accel", "alt", "heading", "lat", "lat_accel", "lon", "pitch_rate", "roll_rate", "speed", "vert_accel", "x", "y", "yaw_rate", "yaw_rate@odom",
    ]);
    expect(drive.rejected).toEqual({});
    expect(drive.issues).toEqual([]);
  });

  it("has the recorded rates (IMU 30 Hz, odometry 10 Hz, fix 2.5 Hz), stamps in order, SI units", () => {
    const rate = (name: string) => {
      const c = channel(drive, name);
      return (c.t.length - 1) / (c.t[c.t.length - 1] - c.t[0]);
    };
    expect(rate("yaw_rate")).toBeCloseTo(30, 0);
    expect(rate("speed")).toBeCloseTo(10, 0);
    expect(rate("lat")).toBeCloseTo(2.5, 1);
    for (const c of drive.channels) for (let i = 1; i < c.t.length; i++) expect(c.t[i]).toBeGreaterThan(c.t[i - 1]);
    expect(channel(drive, "speed").unit).toBe("m/s");
    expect(channel(drive, "yaw_rate@odom").source).toBe("/husky_velocity_controller/odom");
    // The robot drives forward at walking pace around Cambridge, MA.
    const speed = channel(drive, "speed").values;
    expect(Math.max(...speed)).toBeLessThan(2);
    expect(channel(drive, "lat").values[0]).toBeCloseTo(42.3758, 3);
  });

  it("a copy cut mid-file loads every complete record before the cut and names the byte offset", async () => {
    const bytes = readFileSync(HUSKY_MCAP);
    const cutAt = Math.floor(bytes.byteLength * 0.55);
    const path = join(tmp, "cut.mcap");
    writeFileSync(path, bytes.subarray(0, cutAt));
    const part = await loadMcapDrive(path);
    expect(part.issues).toHaveLength(1);
    const issue = part.issues[0];
    const offset = Number(/@(\d+)$/.exec(issue.where)?.[1]);
    expect(issue.where).toBe(`${path}@${offset}`);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(cutAt);
    expect(issue.message).toContain(`byte offset ${offset} of ${cutAt}`);
    const full = channel(drive, "yaw_rate");
    const got = channel(part, "yaw_rate");
    expect(got.t.length).toBeGreaterThan(full.t.length * 0.4);
    expect(got.t.length).toBeLessThan(full.t.length);
    // Good records before the cut are kept exactly.
    expect(Array.from(got.values)).toEqual(Array.from(full.values.subarray(0, got.t.length)));
    expect(Array.from(got.t)).toEqual(Array.from(full.t.subarray(0, got.t.length)));
  });

  it("refuses a file that is not MCAP, naming the file and its first bytes", async () => {
    const path = join(tmp, "not.mcap");
    writeFileSync(path, "#ROSBAG V2.0\nrest");
    await expect(loadMcapDrive(path)).rejects.toThrow(/not\.mcap: not an MCAP file \(first bytes 23524f5342414720/);
  });
});

describe("loadMcapDrive on damaged content", () => {
  it("counts an undecodable CDR message as malformed at topic@log_time, keeps the rest, lists unsupported topics", async () => {
    const out = new MemoryWritable();
    const w = new McapWriter({ writable: out });
    await w.start({ profile: "ros2", library: "test" });
    const imuDef = ros2Definition("sensor_msgs/Imu");
    const imuSchema = await w.registerSchema({ name: "sensor_msgs/msg/Imu", encoding: "ros2msg", data: new TextEncoder().encode(imuDef) });
    const imu = await w.registerChannel({ topic: "/imu", schemaId: imuSchema, messageEncoding: "cdr", metadata: new Map() });
    const tfSchema = await w.registerSchema({ name: "tf2_msgs/msg/TFMessage", encoding: "ros2msg", data: new TextEncoder().encode("int32 x") });
    const tf = await w.registerChannel({ topic: "/tf", schemaId: tfSchema, messageEncoding: "cdr", metadata: new Map() });
    const writer = new MessageWriter(parse(imuDef, { ros2: true }));
    const msg = (sec: number, yaw: number) =>
      writer.writeMessage({
        header: { stamp: { sec, nanosec: 0 }, frame_id: "imu" },
        orientation: { x: 0, y: 0, z: 0, w: 1 },
        orientation_covariance: new Array(9).fill(0),
        angular_velocity: { x: 0, y: 0, z: yaw },
        angular_velocity_covariance: new Array(9).fill(0),
        linear_acceleration: { x: 0, y: 0, z: 9.8 },
        linear_acceleration_covariance: new Array(9).fill(0),
      });
    const good = msg(11, 0.2);
    const add = (channelId: number, sequence: number, sec: number, data: Uint8Array) =>
      w.addMessage({ channelId, sequence, logTime: BigInt(sec) * 1_000_000_000n, publishTime: BigInt(sec) * 1_000_000_000n, data });
    await add(imu, 0, 10, msg(10, 0.1));
    await add(imu, 1, 11, good.subarray(0, 40)); // cut inside the orientation: the reader runs off the end
    await add(imu, 2, 12, msg(12, 0.3));
    await add(tf, 0, 12, new Uint8Array(8));
    await add(tf, 1, 13, new Uint8Array(8));
    await w.end();
    const path = join(tmp, "bad-cdr.mcap");
    writeFileSync(path, out.bytes());

    const d = await loadMcapDrive(path);
    expect(Array.from(channel(d, "yaw_rate").values)).toEqual([0.1, 0.3]);
    expect(d.rejected.yaw_rate).toEqual({ malformed: 1 });
    expect(d.rejected.accel).toEqual({ malformed: 1 });
    const bad = d.issues.find((i) => i.reason === "malformed");
    expect(bad?.where).toBe("/imu@11.000000000");
    expect(bad?.message).toContain("cannot decode sensor_msgs/msg/Imu");
    expect(d.topics.find((t) => t.topic === "/imu")).toMatchObject({ messages: 3, malformed: 1, mapped: true });
    expect(d.topics.find((t) => t.topic === "/tf")).toMatchObject({ messages: 2, mapped: false, reason: "only /tf_static is read (sensor mounts); moving transforms are not" });
    expect(d.issues.find((i) => i.where === "/tf")).toMatchObject({ reason: "unknown_channel" });
  });
});

describe("loadMcapDrive on other MCAP flavours and faults", () => {
  it("reads ROS 1 messages in MCAP (ros1msg + ros1, what `mcap convert` makes of a bag)", async () => {
    const def = [
      "Header header\ngeometry_msgs/Twist twist",
      "MSG: std_msgs/Header\nuint32 seq\ntime stamp\nstring frame_id",
      "MSG: geometry_msgs/Twist\nVector3 linear\nVector3 angular",
      "MSG: geometry_msgs/Vector3\nfloat64 x\nfloat64 y\nfloat64 z",
    ].join(`\n${"=".repeat(80)}\n`);
    const out = new MemoryWritable();
    const w = new McapWriter({ writable: out });
    await w.start({ profile: "ros1", library: "test" });
    const schemaId = await w.registerSchema({ name: "geometry_msgs/TwistStamped", encoding: "ros1msg", data: new TextEncoder().encode(def) });
    const channelId = await w.registerChannel({ topic: "/cmd_vel", schemaId, messageEncoding: "ros1", metadata: new Map() });
    const writer = new Ros1Writer(parse(def));
    for (let i = 0; i < 3; i++) {
      const data = writer.writeMessage({ header: { seq: i, stamp: { sec: 20 + i, nsec: 5e8 }, frame_id: "" }, twist: { linear: { x: i, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.1 } } });
      await w.addMessage({ channelId, sequence: i, logTime: 0n, publishTime: 0n, data });
    }
    await w.end();
    const path = join(tmp, "ros1.mcap");
    writeFileSync(path, out.bytes());
    const d = await loadMcapDrive(path);
    expect(Array.from(channel(d, "speed_cmd").t)).toEqual([20.5, 21.5, 22.5]);
    expect(Array.from(channel(d, "speed_cmd").values)).toEqual([0, 1, 2]);
    expect(Array.from(channel(d, "yaw_rate_cmd").values)).toEqual([0.1, 0.1, 0.1]);
  });

  it("a chunk failing its CRC is named with its offset and skipped; everything before and after it is kept", async () => {
    const bytes = Buffer.from(readFileSync(HUSKY_MCAP));
    const reader = await McapIndexedReader.Initialize({ readable: memoryReadable(bytes) });
    const second = reader.chunkIndexes[1];
    bytes.fill(0x55, Number(second.chunkStartOffset) + 5000, Number(second.chunkStartOffset) + 5100);
    const path = join(tmp, "crc.mcap");
    writeFileSync(path, bytes);
    const d = await loadMcapDrive(path);
    expect(d.issues.map((i) => i.where)).toEqual([path, `${path}@${second.chunkStartOffset}`]);
    expect(d.issues[1].message).toMatch(new RegExp(`^corrupt record at byte offset ${second.chunkStartOffset} of 7627564: Incorrect chunk CRC`));
    const full = await loadMcapDrive(HUSKY_MCAP);
    const got = channel(d, "yaw_rate");
    expect(got.t.length).toBeGreaterThan(0);
    // Up to the bad chunk exactly the full file's samples; after it (resync) the full file's tail.
    const all = channel(full, "yaw_rate");
    const gap = got.t.findIndex((t, i) => t !== all.t[i]);
    expect(gap).toBeGreaterThan(0);
    expect(Array.from(got.values.subarray(0, gap))).toEqual(Array.from(all.values.subarray(0, gap)));
    expect(got.t.at(-1)).toBe(all.t.at(-1));
  });
});

describe("McapSink", () => {
  const imuMessage = (t: number, yaw: number) => ({
    header: { stamp: { sec: Math.floor(t), nanosec: Math.round((t % 1) * 1e9) }, frame_id: "imu" },
    orientation: { x: 0, y: 0, z: 0, w: 1 },
    orientation_covariance: new Float64Array(9),
    angular_velocity: { x: 0, y: 0, z: yaw },
    angular_velocity_covariance: new Float64Array(9),
    linear_acceleration: { x: 0.5, y: 0, z: 9.8 },
    linear_acceleration_covariance: new Float64Array(9),
  });

  async function writeSample(path: string): Promise<void> {
    const sink = await McapSink.create(path);
    const pred = await sink.addJsonChannel("/lam/prediction", "lam.ActionSequence", { type: "object", properties: { t0: { type: "number" } } });
    const imu = await sink.addRos2Channel("/imu", "sensor_msgs/msg/Imu", ros2Definition("sensor_msgs/Imu"));
    const cmd = await sink.addRos2Channel("/cmd", "geometry_msgs/msg/TwistStamped", ros2Definition("geometry_msgs/TwistStamped"));
    // Overlapping calls, as from several subscriptions: the sink queues them.
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      const t = 1700000000 + i * 0.1;
      writes.push(sink.write(imu, secondsToNs(t), imuMessage(t, i / 100)));
      writes.push(sink.write(pred, secondsToNs(t), { t0: t, dt: 0.1, channels: ["steer_cmd"], mean: new Float32Array([i, i + 0.5]), model: "m" }));
      if (i % 5 === 0) writes.push(sink.write(cmd, secondsToNs(t), { header: { stamp: { sec: 1700000000 + Math.floor(i / 10), nanosec: (i % 10) * 100_000_000 }, frame_id: "" }, twist: { linear: { x: i / 10, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.1 } } }));
    }
    await Promise.all(writes);
    await sink.close();
  }

  it("writes JSON and ROS 2 CDR channels that the standard reader reads back unchanged", async () => {
    const path = join(tmp, "sink.mcap");
    await writeSample(path);
    const reader = await McapIndexedReader.Initialize({ readable: memoryReadable(readFileSync(path)) });
    const topics = [...reader.channelsById.values()].map((c) => [c.topic, c.messageEncoding, reader.schemasById.get(c.schemaId)?.encoding]);
    expect(topics).toEqual([
      ["/lam/prediction", "json", "jsonschema"],
      ["/imu", "cdr", "ros2msg"],
      ["/cmd", "cdr", "ros2msg"],
    ]);
    expect(reader.statistics?.messageCount).toBe(110n);
    const imuReader = new MessageReader(parse(ros2Definition("sensor_msgs/Imu"), { ros2: true }));
    const seen = { "/imu": 0, "/lam/prediction": 0, "/cmd": 0 } as Record<string, number>;
    for await (const m of reader.readMessages()) {
      const topic = reader.channelsById.get(m.channelId)!.topic;
      const i = seen[topic]++;
      if (topic === "/imu") {
        expect(m.sequence).toBe(i);
        const back = imuReader.readMessage<ReturnType<typeof imuMessage>>(m.data);
        expect(back.angular_velocity.z).toBe(i / 100);
        expect(m.logTime).toBe(secondsToNs(1700000000 + i * 0.1));
      } else if (topic === "/lam/prediction") {
        expect(JSON.parse(new TextDecoder().decode(m.data))).toEqual({ t0: 1700000000 + i * 0.1, dt: 0.1, channels: ["steer_cmd"], mean: [i, i + 0.5], model: "m" });
      }
    }
    expect(seen).toEqual({ "/imu": 50, "/lam/prediction": 50, "/cmd": 10 });
  });

  it("gives the same bytes for the same input (no wall clock in the file)", async () => {
    const a = join(tmp, "a.mcap");
    const b = join(tmp, "b.mcap");
    await writeSample(a);
    await writeSample(b);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it("what it writes as ROS 2 loads back as canonical channels", async () => {
    const path = join(tmp, "sink-drive.mcap");
    await writeSample(path);
    const d = await loadMcapDrive(path);
    expect(channel(d, "yaw_rate").values[49]).toBe(0.49);
    expect(Array.from(channel(d, "speed_cmd").values)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
    expect(channel(d, "speed_cmd").t[1]).toBeCloseTo(1700000000.5, 6);
    expect(d.topics.find((t) => t.topic === "/lam/prediction")).toMatchObject({ mapped: false, messages: 50 });
  });

  it("rejects writes on unknown channels and after close, naming the channel", async () => {
    const sink = await McapSink.create(join(tmp, "x.mcap"));
    await expect(sink.write(7, 0n, {})).rejects.toThrow("no channel with id 7 (have: none)");
    await expect(sink.addRos2Channel("/x", "bad/Type", "float64 x\nnot a field line !")).rejects.toThrow(/ROS 2 definition of bad\/Type for \/x does not parse/);
    await sink.close();
    await expect(sink.write(0, 0n, {})).rejects.toThrow("McapSink is closed");
  });
});
