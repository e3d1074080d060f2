// lam replay and lam sim publish through lam run's live sinks: the same Foxglove server (checked with a real
// WebSocket client, as Foxglove Studio connects) and the same ROS 2 node (against the fake rclnodejs, the
// published CDR read back with @foxglove/rosmsg2-serialization). Both run faster than real time: every tick is
// published as it is computed, none is withheld as stale.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import pkg from "@foxglove/ws-protocol";
import type { Channel, MessageData } from "@foxglove/ws-protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { FOXGLOVE_TOPICS } from "../../bridges/foxglove/index.js";
import { definitionOf } from "../../bridges/ros2/msg-defs.js";
import replay from "../../runtime/commands/replay.js";
import sim from "../../runtime/commands/sim.js";
import type { RunRos2Deps } from "../../runtime/run-ros2.js";
import { CATALOG_DIR, parseScenario } from "../../scenarios/index.js";
import { FakeRclnodejs } from "../support/fake-rclnodejs.js";
import { robotModelDir } from "./sim-fixture.js";

const { FoxgloveClient } = pkg;
type Client = InstanceType<typeof FoxgloveClient>;
const DS1 = resolve(__dirname, "../../../shared/data/f1tenth/DS1");

let model: string;
beforeAll(async () => {
  model = await robotModelDir();
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !cond(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Command = (argv: string[], io: { stdout: { write(s: string): void }; stderr: { write(s: string): void } }, deps?: RunRos2Deps) => Promise<number>;

async function runCmd(cmd: Command, argv: string[], deps?: RunRos2Deps, onErr?: (line: string) => void) {
  let out = "";
  let err = "";
  const io = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: (s: string) => void ((err += s), onErr?.(s)) } };
  const code = await cmd(argv, io, deps);
  return { code, out, err };
}

/**
 * Runs a command with --foxglove 0 --foxglove-wait: when it logs its URL, a Foxglove client connects and subscribes
 * to every channel; what it received is counted per topic once the command has ended.
 */
async function withFoxgloveClient(cmd: Command, argv: string[]) {
  let client: Client | undefined;
  const channels: Channel[] = [];
  const messages: { topic: string; data: unknown; timestamp: bigint }[] = [];
  const topicOf = new Map<number, string>();
  const connect = (url: string): void => {
    const ws = new WebSocket(url, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
    client = new FoxgloveClient({ ws: ws as unknown as ConstructorParameters<typeof FoxgloveClient>[0]["ws"] });
    client.on("advertise", (chs) => {
      channels.push(...chs);
      for (const ch of chs) topicOf.set(client!.subscribe(ch.id), ch.topic);
    });
    client.on("message", (m: MessageData) =>
      messages.push({ topic: topicOf.get(m.subscriptionId)!, timestamp: m.timestamp, data: JSON.parse(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString("utf8")) }),
    );
  };
  try {
    const r = await runCmd(cmd, [...argv, "--foxglove", "0", "--foxglove-wait", "20"], undefined, (line) => {
      const url = /Foxglove live view on (ws:\/\/[\d.]+:\d+)/.exec(line)?.[1];
      if (url) connect(url);
    });
    expect(r.code, r.err).toBe(0);
    expect(channels.map((c) => c.topic).sort()).toEqual(Object.values(FOXGLOVE_TOPICS).sort());
    const count = (topic: string) => messages.filter((m) => m.topic === topic).length;
    // The server drained its sockets before it closed: what it sent is on its way; wait until it stops coming.
    for (let n = -1; n !== messages.length; ) {
      n = messages.length;
      await new Promise((res) => setTimeout(res, 300));
    }
    return { ...r, messages, count };
  } finally {
    client?.close();
  }
}

const tickCount = (name: string): number => {
  const file = join(CATALOG_DIR, `${name}.yaml`);
  const sc = parseScenario(readFileSync(file, "utf8"), file);
  return Math.floor(sc.duration * sc.rate + 1e-9);
};

describe("--foxglove: lam run's live view for replay and sim", () => {
  it("lam replay: every frame, prediction and command as computed, stamped with the drive's time, status online → offline", async () => {
    const r = await withFoxgloveClient(replay, [DS1, "--model", model, "--json"]);
    const frames = (JSON.parse(r.out) as { scenarios: { replay: { frames: number } }[] }).scenarios[0]!.replay.frames;
    expect(frames).toBeGreaterThan(100);
    expect(r.count(FOXGLOVE_TOPICS.frame)).toBe(frames);
    expect(r.count(FOXGLOVE_TOPICS.command)).toBe(frames);
    expect(r.count(FOXGLOVE_TOPICS.prediction)).toBe(frames);
    const status = r.messages.filter((m) => m.topic === FOXGLOVE_TOPICS.status).map((m) => (m.data as { state: string }).state);
    expect(status).toEqual(["online", "offline"]);
    const cmds = r.messages.filter((m) => m.topic === FOXGLOVE_TOPICS.command);
    for (let i = 1; i < cmds.length; i++) expect(cmds[i]!.timestamp).toBeGreaterThan(cmds[i - 1]!.timestamp);
    expect(r.err).toMatch(new RegExp(`foxglove ws://127\\.0\\.0\\.1:\\d+: ${3 * frames + 2} published, 0 not`));
  }, 240_000);

  it("lam sim: one frame, prediction and command per control tick per scenario, frames named by the model's channels", async () => {
    const names = ["robot-track", "robot-follow"];
    const r = await withFoxgloveClient(sim, [...names, "--model", model]);
    const ticks = names.map(tickCount).reduce((a, b) => a + b, 0);
    expect(r.count(FOXGLOVE_TOPICS.command)).toBe(ticks);
    expect(r.count(FOXGLOVE_TOPICS.prediction)).toBe(ticks);
    expect(r.count(FOXGLOVE_TOPICS.frame)).toBe(ticks);
    const frame = r.messages.find((m) => m.topic === FOXGLOVE_TOPICS.frame)!.data as { values: Record<string, number | null> };
    expect(Object.keys(frame.values)).toContain("speed");
    for (const m of r.messages.filter((x) => x.topic === FOXGLOVE_TOPICS.command))
      expect(Object.values((m.data as { values: Record<string, number> }).values).every(Number.isFinite)).toBe(true);
  }, 240_000);
});

const readers = new Map<string, MessageReader>();
function decode(type: string, bytes: Uint8Array): any {
  let r = readers.get(type);
  if (!r) readers.set(type, (r = new MessageReader(parse(definitionOf(type), { ros2: true }))));
  return r.readMessage(bytes);
}

describe("--ros2: lam run's ROS 2 node for replay and sim (fake rclnodejs)", () => {
  const deps = (fake: FakeRclnodejs): RunRos2Deps => ({ env: { ROS_DISTRO: "jazzy" }, importModule: async () => ({ default: fake }) });

  it("lam replay --ros2: one AckermannDriveStamped and one prediction per tick on the node's topics, closed at the end", async () => {
    const fake = new FakeRclnodejs({ definitionOf });
    let subscribed = -1;
    const r = await runCmd(replay, [DS1, "--model", model, "--json", "--ros2", "--ros-args", "-r", "__ns:=/replay1"], deps(fake), (line) => {
      if (line.includes("ROS 2 node")) subscribed = fake.subscriptions.length;
    });
    expect(r.code, r.err).toBe(0);
    const frames = (JSON.parse(r.out) as { scenarios: { replay: { frames: number } }[] }).scenarios[0]!.replay.frames;
    expect(r.err).toContain("ROS 2 node /replay1/lam: publishing only; ackermann commands on /replay1/ackermann_cmd");
    // Samples come from the drive: the open node subscribes to nothing.
    expect(subscribed).toBe(0);
    const cmds = fake.on("/replay1/ackermann_cmd").map((w) => decode("ackermann_msgs/msg/AckermannDriveStamped", w.bytes));
    expect(cmds).toHaveLength(frames);
    for (const c of cmds) expect(Number.isFinite(c.drive.speed) && Number.isFinite(c.drive.steering_angle)).toBe(true);
    expect(fake.on("/replay1/lam/prediction")).toHaveLength(frames);
    // The node is closed at the end: no publisher left behind.
    expect(fake.publishers).toHaveLength(0);
    const states = fake.on("/replay1/lam/status").map((w) => JSON.parse(decode("std_msgs/msg/String", w.bytes).data).state);
    expect(states[0]).toBe("online");
    expect(states.at(-1)).toBe("offline");
    expect(r.err).toMatch(new RegExp(`ros2: ${2 * frames + states.length - 1} published, 0 not`));
  }, 240_000);

  it("lam sim --ros2: a command per control tick; --ros2-command twist is honoured; flags checked before running", async () => {
    const fake = new FakeRclnodejs({ definitionOf });
    const r = await runCmd(sim, ["robot-track", "--model", model, "--ros2", "--ros2-command", "twist", "--wheelbase", "0.33"], deps(fake));
    expect(r.code, r.err).toBe(0);
    const twists = fake.on("/cmd_vel").map((w) => decode("geometry_msgs/msg/TwistStamped", w.bytes));
    expect(twists).toHaveLength(tickCount("robot-track"));
    for (const c of twists) expect(Number.isFinite(c.twist.linear.x) && Number.isFinite(c.twist.angular.z)).toBe(true);
    // Without a sourced ROS 2 it fails before anything runs, naming ROS_DISTRO.
    await expect(runCmd(sim, ["robot-track", "--model", model, "--ros2"], { env: {} })).rejects.toThrow("ROS_DISTRO is not set");
    await expect(runCmd(replay, [DS1, "--ros-args", "-r", "__ns:=/x"], { env: {} })).rejects.toThrow("--ros-args needs --ros2");
    await expect(runCmd(sim, ["robot-track", "--foxglove-wait", "3"], { env: {} })).rejects.toThrow("--foxglove-wait needs --foxglove PORT");
  }, 240_000);
});
