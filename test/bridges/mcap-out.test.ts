import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { McapIndexedReader } from "@mcap/core";
import type { McapTypes } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { beforeAll, describe, expect, it } from "vitest";
import { predictedPoses, REPLAY_TOPICS } from "../../bridges/foxglove/index.js";
import { main } from "../../runtime/main.js";

// lam replay's MCAP, read by an independent reader (@mcap/core with CRC checks, @foxglove/rosmsg2-serialization
// with the definitions the file itself carries), then read back by lam as a drive.

const COMMA = "../shared/data/comma2k19-rav4";
const CAR_MODEL = "dynamics/models/car";
const tmp = mkdtempSync(join(tmpdir(), "lam-mcap-out-"));

async function lam(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function memoryReadable(bytes: Uint8Array): McapTypes.IReadable {
  return {
    size: async () => BigInt(bytes.byteLength),
    read: async (offset, size) => bytes.subarray(Number(offset), Number(offset + size)),
  };
}

let file: string;
let report: { scenarios: { replay: { frames: number } }[] };

beforeAll(async () => {
  const r = await lam("replay", COMMA, "--model", CAR_MODEL, "--out", join(tmp, "a"), "--json");
  expect(r.code, r.err).toBe(0);
  report = JSON.parse(r.out) as typeof report;
  file = join(tmp, "a", "comma2k19-rav4.replay.mcap");
}, 300_000);

describe("lam replay's MCAP", () => {
  it("opens in an independent reader with CRCs checked: zstd chunks, ros2msg channels beside the JSON ones", async () => {
    const bytes = readFileSync(file);
    const reader = await McapIndexedReader.Initialize({ readable: memoryReadable(bytes), decompressHandlers: await loadDecompressHandlers() });
    expect(reader.chunkIndexes.length).toBeGreaterThan(0);
    expect(new Set(reader.chunkIndexes.map((c) => c.compression))).toEqual(new Set(["zstd"]));
    const channels = [...reader.channelsById.values()].map((c) => {
      const s = reader.schemasById.get(c.schemaId)!;
      return [c.topic, s.name, s.encoding, c.messageEncoding];
    });
    expect(channels).toEqual(
      expect.arrayContaining([
        [REPLAY_TOPICS.frame, "lam.Frame", "jsonschema", "json"],
        [REPLAY_TOPICS.poses, "foxglove.PosesInFrame", "jsonschema", "json"],
        [REPLAY_TOPICS.log, "foxglove.Log", "jsonschema", "json"],
        [REPLAY_TOPICS.rosCommand, "ackermann_msgs/msg/AckermannDriveStamped", "ros2msg", "cdr"],
        [REPLAY_TOPICS.rosPrediction, "std_msgs/msg/Float32MultiArray", "ros2msg", "cdr"],
        [REPLAY_TOPICS.rosPath, "nav_msgs/msg/Path", "ros2msg", "cdr"],
      ]),
    );
    // Every message, decoded with the definition the file carries; CRCs of every chunk checked on the way.
    const readers = new Map<number, (d: Uint8Array) => any>();
    for (const c of reader.channelsById.values()) {
      const s = reader.schemasById.get(c.schemaId)!;
      readers.set(
        c.id,
        c.messageEncoding === "cdr"
          ? ((r) => (d: Uint8Array) => r.readMessage(d))(new MessageReader(parse(new TextDecoder().decode(s.data), { ros2: true })))
          : (d: Uint8Array) => JSON.parse(new TextDecoder().decode(d)),
      );
    }
    const topic = new Map([...reader.channelsById.values()].map((c) => [c.id, c.topic]));
    const count: Record<string, number> = {};
    let lastLog = 0n;
    const frames = report.scenarios[0]!.replay.frames;
    for await (const m of reader.readMessages({ validateCrcs: true })) {
      const t = topic.get(m.channelId)!;
      count[t] = (count[t] ?? 0) + 1;
      expect(m.logTime >= lastLog).toBe(true);
      lastLog = m.logTime;
      const msg = readers.get(m.channelId)!(m.data);
      if (t === REPLAY_TOPICS.rosCommand) {
        const d = msg.drive;
        for (const v of [d.steering_angle, d.speed, d.acceleration, d.steering_angle_velocity, d.jerk]) expect(Number.isFinite(v)).toBe(true);
        expect(d.speed).toBeGreaterThanOrEqual(0);
        expect(d.acceleration).toBeGreaterThanOrEqual(0);
      }
      if (t === REPLAY_TOPICS.rosPath) expect(msg.poses.length).toBeGreaterThan(1);
    }
    expect(count[REPLAY_TOPICS.frame]).toBe(frames);
    expect(count[REPLAY_TOPICS.command]).toBe(frames);
    // The car model's accel_cmd becomes a speed target once the frame has a measured speed: nearly every tick.
    expect(count[REPLAY_TOPICS.rosCommand]).toBeGreaterThan(frames * 0.95);
    expect(count[REPLAY_TOPICS.rosPrediction]).toBe(count[REPLAY_TOPICS.prediction]);
    expect(count[REPLAY_TOPICS.log]).toBeGreaterThanOrEqual(1);
  });

  it("is the same bytes for the same inputs (no wall clock in it, zstd deterministic)", async () => {
    const r = await lam("replay", COMMA, "--model", CAR_MODEL, "--out", join(tmp, "b"));
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(tmp, "b", "comma2k19-rav4.replay.mcap")).equals(readFileSync(file))).toBe(true);
  }, 300_000);

  it("round-trips: lam inspect reads it as a drive (the frames' fresh values), lam replay replays it", async () => {
    const ins = await lam("inspect", file, "--json");
    expect(ins.code, ins.err).toBe(0);
    const summary = JSON.parse(ins.out) as { format: string; channels: { name: string; samples: number }[]; issues: unknown[] };
    // Its predictions, commands and logs are lam's own output: skipped, not reported as unreadable.
    expect(summary.issues).toEqual([]);
    expect(summary.format).toBe("mcap");
    const names = summary.channels.map((c) => c.name);
    for (const ch of ["speed", "yaw_rate", "accel", "lat_accel", "steer_cmd", "accel_cmd"]) expect(names).toContain(ch);
    expect(summary.channels.find((c) => c.name === "speed")!.samples).toBeGreaterThan(report.scenarios[0]!.replay.frames * 0.5);
    // The node's own Ackermann commands are read too, qualified: the frames keep the bare names.
    expect(names).toContain("speed_cmd@cmd");

    const again = await lam("replay", file, "--model", CAR_MODEL, "--json");
    expect(again.code, again.err).toBe(0);
    const r2 = JSON.parse(again.out) as { scenarios: { replay: { frames: number; model: { per_channel: Record<string, { ade: number | null }> } } }[] };
    expect(r2.scenarios[0]!.replay.frames).toBeGreaterThan(report.scenarios[0]!.replay.frames * 0.9);
    expect(r2.scenarios[0]!.replay.model.per_channel.steer_cmd!.ade).not.toBeNull();
  }, 300_000);

  it("zstd makes its chunks several times smaller (the chunk index records both sizes)", async () => {
    const reader = await McapIndexedReader.Initialize({ readable: memoryReadable(readFileSync(file)), decompressHandlers: await loadDecompressHandlers() });
    const packed = reader.chunkIndexes.reduce((a, c) => a + c.compressedSize, 0n);
    const raw = reader.chunkIndexes.reduce((a, c) => a + c.uncompressedSize, 0n);
    if (process.env.LAM_MCAP_SIZES) console.log(`${file}: ${statSync(file).size} bytes; chunks ${raw} → ${packed} bytes (${(Number(raw) / Number(packed)).toFixed(1)}×)`);
    expect(Number(raw) / Number(packed)).toBeGreaterThan(2.5);
  });
});

describe("predicted path", () => {
  it("integrates the kinematic bicycle from the predicted actions (accel model: from the measured speed)", () => {
    const seq = { t0: 0, dt: 0.5, channels: ["steer_cmd", "accel_cmd"], mean: new Float32Array([0, 2, 0, 2]), model: "x" };
    const p = predictedPoses(seq, 10, 2.7);
    expect(p.map((q) => q.x)).toEqual([0, 5.5, 11.5]);
    const turn = predictedPoses({ ...seq, mean: new Float32Array([0.1, 0, 0.1, 0]) }, 10, 2.7);
    expect(turn[2]!.yaw).toBeCloseTo(2 * 0.5 * (10 * Math.tan(0.1)) / 2.7, 5);
    expect(turn[2]!.y).toBeGreaterThan(0);
  });
});

describe("reading lam.Frame back", () => {
  it("takes fresh values only, rejects bad ones by name, and a non-JSON message is a decode error", async () => {
    const { mapLamFrame } = await import("../../bridges/ros/index.js");
    const { decoderFor } = await import("../../bridges/mcap/decoders.js");
    const r = mapLamFrame({ t: 12.5, values: { speed: 3, accel: 1, yaw_rate: "x", lat_accel: null, steer: 99 }, valid: { speed: "fresh", accel: "held", yaw_rate: "fresh", lat_accel: "missing", steer: "fresh" } }, 0);
    expect(r.samples).toEqual([{ channel: "speed", t: 12.5, value: 3 }]);
    expect(r.rejects.map((j) => [j.channel, j.reason])).toEqual([["yaw_rate", "wrong_type"], ["steer", "out_of_range"]]);
    expect(mapLamFrame({ t: 1, values: 5 }, 0).rejects[0]!.message).toMatch(/values is number 5/);
    const d = decoderFor({ id: 1, topic: "/lam/frame", schemaId: 1, messageEncoding: "json", metadata: new Map() }, { id: 1, name: "lam.Frame", encoding: "jsonschema", data: new Uint8Array() });
    expect("decode" in d).toBe(true);
    if ("decode" in d) {
      expect(d.decode(new TextEncoder().encode('{"t":1}'))).toEqual({ t: 1 });
      expect(() => d.decode(new Uint8Array([0xff, 0xfe]))).toThrow();
    }
  });
});
