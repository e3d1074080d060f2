// `lam run` end to end through the CLI entry: model folder → embedded (or real Mosquitto) broker → demo vehicle
// from the simulator → node → final JSON.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt from "mqtt";
import { msgpackCodec } from "../../bridges/codec/index.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../runtime/main.js";
import type { LiveStats } from "../../runtime/live/stats.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { writeTinyModel } from "./live-support.js";

let modelDir: string;
let broker: Mosquitto;
beforeAll(async () => {
  modelDir = mkdtempSync(join(tmpdir(), "lam-run-model-"));
  await writeTinyModel(modelDir);
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
  vi.unstubAllEnvs();
});

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

type RunJson = LiveStats & { vehicle: string; mqtt: string; codec: string; demo: { scenario: string; published: number; failed: number } | null };

function checkRun(j: RunJson, seconds: number): void {
  expect(j.state).toBe("offline");
  // The demo vehicle publishes ~500 samples/s; the node frames at the model's 20 Hz.
  expect(j.demo!.published).toBeGreaterThan(300 * seconds);
  expect(j.demo!.failed).toBe(0);
  expect(j.samples.in).toBeGreaterThan(0.8 * j.demo!.published);
  expect(j.frames).toBeGreaterThanOrEqual(15 * (seconds - 1));
  expect(j.predictions).toBe(j.frames - j.predictor_errors - j.nonfinite_predictions);
  expect(j.predictions).toBeGreaterThan(0);
  expect(j.commands.total).toBe(j.frames);
  expect(j.nonfinite_commands).toBe(0);
  expect(Object.values(j.last_command!.values).every(Number.isFinite)).toBe(true);
  expect(Object.keys(j.last_command!.values).sort()).toEqual(["speed_cmd", "steer_cmd"]);
  expect(j.timing.p99_tick_ms).toBeGreaterThan(0);
  expect(j.sinks[0]!.accepted).toBeGreaterThan(j.frames); // predictions + commands + statuses went out
}

describe("lam run", () => {
  it("--demo --duration 3 --json: built-in broker, simulated robot, one JSON object with what the node did", async () => {
    const r = await lam("run", "--demo", "--duration", "3", "--json", "--model", modelDir, "--broker-port", "0");
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!) as RunJson;
    checkRun(j, 3);
    expect(j.demo!.scenario).toBe("robot-track");
    expect(j.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(j.codec).toBe("msgpack");
    // Once a second a status line on stderr; the model and the broker are named.
    expect(r.err.match(/samples\/s {2}frames \d+ {2}mode /g)?.length).toBeGreaterThanOrEqual(2);
    expect(r.err).toContain(`model ${modelDir}`);
    expect(r.err).toContain("status offline: stopped");
  });

  it("--mqtt (real Mosquitto, MQTT 5) --codec json --foxglove 0: stops gracefully on SIGINT, status offline retained", async () => {
    const pending = lam("run", "--demo", "--json", "--mqtt", broker.url, "--vehicle", "clirobot", "--codec", "json", "--model", modelDir, "--foxglove", "0");
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const commands: { values: Record<string, number>; mode: string }[] = [];
    const contentTypes = new Set<unknown>();
    watcher.on("message", (topic, payload, packet) => {
      contentTypes.add(packet.properties?.contentType);
      if (topic.endsWith("/command")) commands.push(JSON.parse(payload.toString()));
    });
    await watcher.subscribeAsync("lam/clirobot/command", { qos: 1 });
    // Let it command for 2.5 s (the model loads first), then Ctrl-C.
    const t0 = Date.now();
    while (commands.length === 0 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2500));
    process.emit("SIGINT");
    const r = await pending;
    expect(r.code, r.err).toBe(0);
    expect(r.err, r.err).toContain("stopping (SIGINT)");
    expect(r.err).toMatch(/Foxglove live view on ws:\/\/127\.0\.0\.1:\d+/);
    const j = JSON.parse(r.out) as RunJson;
    checkRun(j, 2);
    expect(j.codec).toBe("json");
    expect(commands.length).toBeGreaterThan(10);
    expect([...contentTypes]).toEqual(["application/json"]);
    expect(commands.every((c) => Object.values(c.values).every(Number.isFinite))).toBe(true);
    expect(process.listenerCount("SIGINT")).toBe(0);

    const status = new Promise<{ state: string }>((resolve) =>
      watcher.on("message", (topic, payload) => topic.endsWith("/status") && resolve(JSON.parse(payload.toString()))),
    );
    await watcher.subscribeAsync("lam/clirobot/status", { qos: 1 });
    expect((await status).state).toBe("offline");
    await watcher.endAsync();
  });

  it("--ros2 without a sourced ROS 2: exit 1 naming ROS_DISTRO, before anything starts", async () => {
    vi.stubEnv("ROS_DISTRO", undefined);
    const r = await lam("run", "--ros2", "--model", modelDir, "--duration", "1");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^lam run: --ros2: ROS_DISTRO is not set/);
    expect(r.err).not.toContain("broker");
    vi.unstubAllEnvs();
  });

  it("--ros2 with ROS_DISTRO set but no rclnodejs: exit 1 naming rclnodejs; what had started is closed again", async () => {
    vi.stubEnv("ROS_DISTRO", "humble");
    const r = await lam("run", "--ros2", "--model", modelDir, "--mqtt", broker.url, "--vehicle", "rosless", "--duration", "1");
    vi.unstubAllEnvs();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ROS_DISTRO=humble is set but rclnodejs could not be loaded/);
    // The MQTT bridge opened before the ROS 2 one failed: it was closed again, leaving "offline" retained.
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const seen: [string, unknown][] = [];
    watcher.on("message", (topic, payload) => seen.push([topic, msgpackCodec.decode(payload)]));
    await watcher.subscribeAsync("lam/rosless/#", { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([["lam/rosless/status", expect.objectContaining({ state: "offline", detail: "closed" })]]);
    await watcher.endAsync();
  });

  it.each([
    [["--codec", "xml"], /--codec xml: expected msgpack or json/],
    [["--duration", "0"], /--duration 0: expected seconds > 0/],
    [["--foxglove", "http"], /--foxglove http: expected a port/],
    [["--ros2-topic", "/imu=sensor_msgs/msg/Imu"], /--ros2-topic needs --ros2/],
    [["--ros2", "--ros2-topic", "imu"], /--ros2-topic imu: expected \/topic=package\/msg\/Type/],
    [["--mqtt", "mqtt://127.0.0.1:1", "--broker-port", "1884"], /--broker-port is for the built-in broker/],
    [["--frobnicate"], /frobnicate/],
  ])("usage error %j → exit 2", async (args, message) => {
    const r = await lam("run", ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("a model folder that does not exist: exit 1 naming the file", async () => {
    const missing = join(tmpdir(), "lam-no-such-model");
    const r = await lam("run", "--model", missing, "--duration", "1", "--broker-port", "0");
    expect(r.code).toBe(1);
    expect(r.err).toContain(missing);
  });

  const bundled = resolve(__dirname, "../../dynamics/models/default/lam.json");
  it.skipIf(!existsSync(bundled))("the README's first command: lam run --demo with the bundled model", async () => {
    const r = await lam("run", "--demo", "--duration", "3", "--json", "--broker-port", "0");
    expect(r.code, r.err).toBe(0);
    checkRun(JSON.parse(r.out) as RunJson, 3);
  });
});
