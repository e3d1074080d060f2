// lam sim --out writes one <scenario>.sim.mcap per scenario through replay's recorder (the same code that writes
// <drive>.replay.mcap): frames, predictions and commands as computed, the simulated vehicle pose, times from the
// simulator's clock. Checked with the standard reader (@mcap/core), lam's own drive reader, and byte for byte.
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McapIndexedReader, type McapTypes } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDrive } from "../../bridges/index.js";
import { secondsToNs } from "../../bridges/ros/time.js";
import { main } from "../../runtime/main.js";
import { CATALOG_DIR, parseScenario } from "../../scenarios/index.js";
import { decodeRuns } from "../../sim/replay/runs.js";
import { robotModelDir } from "./sim-fixture.js";

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}
const memoryReadable = (bytes: Uint8Array): McapTypes.IReadable => ({ size: async () => BigInt(bytes.byteLength), read: async (o, n) => bytes.subarray(Number(o), Number(o + n)) });

let model: string;
let tmp: string;
beforeAll(async () => {
  model = await robotModelDir();
  tmp = await mkdtemp(join(tmpdir(), "lam-sim-mcap-"));
});

describe("lam sim --out: one MCAP per scenario", () => {
  it("frames, predictions, commands and the vehicle pose per tick on the sim clock; same seed, same bytes", async () => {
    const name = "robot-track";
    const file = join(CATALOG_DIR, `${name}.yaml`);
    const sc = parseScenario(readFileSync(file, "utf8"), file);
    const ticks = Math.floor(sc.duration * sc.rate + 1e-9);
    const [a, b] = ["a", "b"].map((d) => join(tmp, d));
    for (const [dir, seed] of [[a, "2"], [b, "2"]] as const) {
      const r = await lam("sim", name, "--model", model, "--seed", seed, "--out", dir!);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain("and 1 MCAP file(s)");
    }
    expect(readdirSync(a).filter((f) => f.endsWith(".mcap"))).toEqual([`${name}.sim.mcap`]);
    const bytes = readFileSync(join(a, `${name}.sim.mcap`));
    expect(Buffer.compare(bytes, readFileSync(join(b, `${name}.sim.mcap`)))).toBe(0);

    const reader = await McapIndexedReader.Initialize({ readable: memoryReadable(bytes), decompressHandlers: await loadDecompressHandlers() });
    expect(reader.header.library).toBe("lam");
    const topics = new Map([...reader.channelsById.values()].map((ch) => [ch.id, ch.topic]));
    const count: Record<string, number> = {};
    const poses: { t: bigint; x: number; y: number }[] = [];
    const frameTimes: bigint[] = [];
    for await (const msg of reader.readMessages()) {
      const topic = topics.get(msg.channelId)!;
      count[topic] = (count[topic] ?? 0) + 1;
      if (topic === "/lam/frame") frameTimes.push(msg.logTime);
      if (topic === "/lam/vehicle_pose") {
        const p = JSON.parse(new TextDecoder().decode(msg.data)) as { frame_id: string; pose: { position: { x: number; y: number } } };
        expect(p.frame_id).toBe("world");
        poses.push({ t: msg.logTime, x: p.pose.position.x, y: p.pose.position.y });
      }
    }
    for (const topic of ["/lam/frame", "/lam/command", "/lam/prediction", "/lam/vehicle_pose", "/lam/predicted_poses", "/ackermann_cmd", "/lam/prediction_array"]) expect(count[topic], topic).toBe(ticks);
    // Log times come from the simulator's clock (a frame's time: the model's frame rate, here half the control rate).
    expect(frameTimes[0]).toBe(0n);
    expect(Number(frameTimes[ticks - 1]) / 1e9).toBeCloseTo((ticks - 1) / sc.rate, 1);
    // The pose is the run's own record of the vehicle at each tick (runs.json).
    const [run] = decodeRuns(readFileSync(join(a, "runs.json"), "utf8"), "runs.json");
    expect(poses).toHaveLength(run!.ticks.length);
    poses.forEach((p, k) => {
      expect(p.t).toBe(secondsToNs(run!.ticks[k]!.t));
      expect(p.x).toBeCloseTo(run!.ticks[k]!.x, 9);
      expect(p.y).toBeCloseTo(run!.ticks[k]!.y, 9);
    });

    // lam's own reader (lam inspect, lam replay) reads it back as a drive with the commands it recorded.
    const drive = await loadDrive(join(a, `${name}.sim.mcap`));
    const steer = drive.channels.find((ch) => ch.name === "steer_cmd@cmd");
    expect(steer?.t.length, drive.channels.map((ch) => ch.name).join(", ")).toBeGreaterThan(0);
  }, 240_000);

  it("the reference driver has no frames: no MCAP, said so", async () => {
    const r = await lam("sim", "robot-track", "--driver", "reference", "--out", join(tmp, "ref"));
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(join(tmp, "ref")).filter((f) => f.endsWith(".mcap"))).toEqual([]);
    expect(r.err).toContain("and 0 MCAP file(s)");
  }, 120_000);
});
