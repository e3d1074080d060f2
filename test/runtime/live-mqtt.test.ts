// The live node against a real Mosquitto over MQTT 5, on the wall clock: a plain MQTT.js client plays a real
// F1TENTH drive (on the drive's own clock) into lam/<vehicle>/in/<channel> and reads what the node publishes.
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msgpackCodec } from "../../bridges/codec/index.js";
import { openMqttBridge } from "../../bridges/mqtt/index.js";
import type { Sample } from "../../perception/types.js";
import { policyPreset } from "../../policy/presets.js";
import { startLiveNode } from "../../runtime/live/index.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { driveSlice, holdLastModel } from "./live-support.js";

let broker: Mosquitto;
let drive: Sample[];
beforeAll(async () => {
  broker = await startMosquitto();
  // 10 s into DS1 the car is driving; 1.5 s of every channel the drive has (about 700 samples).
  drive = await driveSlice(10, 1.5);
});
afterAll(async () => {
  await broker?.stop();
});

let seq = 0;
const vehicle = (): string => `live${process.pid}x${seq++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Out {
  commands: { t: number; values: Record<string, number>; mode: string; limits: string[] }[];
  predictions: { t0: number; channels: string[]; mean: Float32Array }[];
  statuses: { state: string; detail?: string }[];
}

/** A plain MQTT 5 client that records what the node publishes for `v`. */
async function observer(v: string): Promise<{ client: MqttClient; out: Out }> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  const out: Out = { commands: [], predictions: [], statuses: [] };
  client.on("message", (topic, payload) => {
    const body = msgpackCodec.decode(payload) as never;
    if (topic.endsWith("/command")) out.commands.push(body);
    else if (topic.endsWith("/prediction")) out.predictions.push(body);
    else if (topic.endsWith("/status")) out.statuses.push(body);
  });
  await client.subscribeAsync([`lam/${v}/command`, `lam/${v}/prediction`, `lam/${v}/status`], { qos: 1 });
  return { client, out };
}

/** Publishes `samples` in real time (sample i at start + (t_i - t_0)), with `extra(i)` raw messages after sample i. */
async function play(client: MqttClient, v: string, samples: readonly Sample[], extra?: (i: number) => { topic: string; payload: Buffer; contentType?: string }[]) {
  const start = performance.now();
  const t0 = samples[0]!.t;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const wait = start + (s.t - t0) * 1000 - performance.now();
    if (wait > 1) await sleep(wait);
    client.publish(`lam/${v}/in/${s.channel}`, Buffer.from(msgpackCodec.encode({ t: s.t, value: s.value })), {
      qos: 0,
      properties: { contentType: "application/msgpack" },
    });
    for (const m of extra?.(i) ?? [])
      client.publish(m.topic, m.payload, { qos: 0, properties: { contentType: m.contentType ?? "application/msgpack" } });
  }
}

const finiteCommand = (c: Out["commands"][number]) => Number.isFinite(c.t) && Object.values(c.values).every((x) => typeof x === "number" && Number.isFinite(x));

async function startNode(v: string, maxPayloadBytes?: number) {
  const bridge = await openMqttBridge({
    url: broker.url,
    vehicle: v,
    codec: "msgpack",
    backoff: { initialMs: 100, maxMs: 400, jitter: 0 },
    ...(maxPayloadBytes ? { maxPayloadBytes } : {}),
  });
  const node = startLiveNode({ model: holdLastModel(), policy: policyPreset("robot-1-10"), sources: [bridge.source], sinks: [bridge.sink], name: "hold_last" });
  return { bridge, node };
}

describe("lam run's node against a real Mosquitto (MQTT 5)", () => {
  it("a drive in → a prediction and a command per frame out; retained status online, then offline on stop", async () => {
    const v = vehicle();
    const { node } = await startNode(v);
    const { client, out } = await observer(v);
    const feeder = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    await play(feeder, v, drive);
    await sleep(200); // the last frames are emitted latency (~0.2 s) after their time

    const s = node.stats();
    expect(s.samples.in).toBe(drive.length);
    expect(s.rejected.total, JSON.stringify(s.rejected.perception_by_channel)).toBe(0);
    expect(s.frames).toBeGreaterThanOrEqual(25);
    expect(s.predictions).toBe(s.frames);
    // Every frame makes a command; one whose tick fired late (a loaded machine's event loop) is not sent.
    expect(s.commands.total + s.unsent.late).toBe(s.frames);
    expect(s.unsent.paced).toBe(0);
    expect(s.commands.model).toBeGreaterThan(s.frames / 2);
    expect(out.commands.length).toBeGreaterThanOrEqual(s.commands.total - 2);
    expect(out.commands.every(finiteCommand)).toBe(true);
    expect(Object.keys(out.commands[0]!.values).sort()).toEqual(["speed_cmd", "steer_cmd"]);
    // Commands are stamped on the drive's own clock (the node anchored on its first sample).
    expect(out.commands[0]!.t).toBeGreaterThanOrEqual(drive[0]!.t);
    expect(out.commands.at(-1)!.t).toBeLessThanOrEqual(drive.at(-1)!.t + 0.5);
    expect(out.predictions.length).toBeGreaterThanOrEqual(s.predictions - 2);
    expect(out.predictions[0]!.channels).toEqual(["speed_cmd", "steer_cmd"]);
    expect(out.predictions[0]!.mean).toBeInstanceOf(Float32Array);
    expect(out.statuses[0]).toMatchObject({ state: "online", detail: "waiting for samples" });

    await node.stop();
    await sleep(200);
    expect(out.statuses.at(-1)!.state).toBe("offline");
    // Retained: a client that connects afterwards is told the node is offline.
    const late = await observer(v);
    await sleep(200);
    expect(late.out.statuses).toEqual([expect.objectContaining({ state: "offline" })]);
    await Promise.all([client.endAsync(), feeder.endAsync(), late.client.endAsync()]);
  });

  it("bad messages in the stream are counted by reason; the good ones still make frames and finite commands", async () => {
    const v = vehicle();
    const { node } = await startNode(v, 4096);
    const { client, out } = await observer(v);
    const feeder = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const topic = (ch: string) => `lam/${v}/in/${ch}`;
    const bad = [
      { reason: "nonfinite", topic: topic("speed"), payload: Buffer.from(msgpackCodec.encode({ t: 1, value: NaN })) },
      { reason: "malformed", topic: topic("speed"), payload: Buffer.from([0xc1, 0xff, 0x00, 0x13]) },
      { reason: "unknown_channel", topic: topic("warp_factor"), payload: Buffer.from(msgpackCodec.encode({ t: 1, value: 9 })) },
      { reason: "oversized", topic: topic("yaw_rate"), payload: Buffer.alloc(8192, 7) },
      { reason: "wrong_type", topic: topic("accel"), payload: Buffer.from(msgpackCodec.encode({ t: "soon", value: 1 })) },
      { reason: "content_type", topic: topic("speed"), payload: Buffer.from("1.5"), contentType: "text/plain" },
    ];
    const sent: Record<string, number> = {};
    await play(feeder, v, drive, (i) => {
      if (i % 15 !== 7) return [];
      const b = bad[Math.floor(i / 15) % bad.length]!;
      sent[b.reason] = (sent[b.reason] ?? 0) + 1;
      return [b];
    });
    await sleep(200);

    const s = node.stats();
    expect(Object.keys(sent).length).toBe(bad.length);
    expect(s.rejected.bridges).toEqual(sent);
    expect(s.samples.in).toBe(drive.length);
    expect(s.frames).toBeGreaterThanOrEqual(25);
    expect(s.commands.model).toBeGreaterThan(s.frames / 2);
    expect(out.commands.length).toBeGreaterThanOrEqual(s.commands.total - 2);
    expect(out.commands.every(finiteCommand)).toBe(true);
    expect(s.nonfinite_commands).toBe(0);
    await node.stop();
    await Promise.all([client.endAsync(), feeder.endAsync()]);
  });

  it("a source that goes silent: commands keep coming, fall back, then stop; status degraded", async () => {
    const v = vehicle();
    const { node } = await startNode(v);
    const { client, out } = await observer(v);
    const feeder = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const first = drive.filter((s) => s.t < drive[0]!.t + 0.8);
    await play(feeder, v, first);
    await sleep(1000);

    const lastT = first.at(-1)!.t;
    const before = out.commands.filter((c) => c.t <= lastT - 0.1);
    const after = out.commands.filter((c) => c.t > lastT + 0.1);
    expect(before.some((c) => c.mode === "model")).toBe(true);
    // Ticks come from the clock, not the data: ~20 commands a second after the last sample.
    expect(after.length).toBeGreaterThanOrEqual(10);
    expect(after.every((c) => c.mode !== "model")).toBe(true);
    expect(after.at(-1)!.mode).toBe("stop");
    // A comfortable stop: speed_cmd ramps down (stopDecel), never up.
    const stops = out.commands.filter((c) => c.mode === "stop").map((c) => c.values.speed_cmd!);
    for (let i = 1; i < stops.length; i++) expect(stops[i]).toBeLessThanOrEqual(stops[i - 1]!);
    expect(stops.at(-1)).toBeLessThan(stops[0]!);
    expect(out.commands.every(finiteCommand)).toBe(true);
    expect(out.statuses.at(-1)).toMatchObject({ state: "degraded" });
    expect(out.statuses.at(-1)!.detail).toMatch(/stale_channel/);
    await node.stop();
    await Promise.all([client.endAsync(), feeder.endAsync()]);
  });

  // Last in the file: it restarts the broker.
  it("survives a broker restart mid-drive: reconnects, re-publishes its status, commands from the model again", async () => {
    const v = vehicle();
    const { node } = await startNode(v);
    const long = await driveSlice(10, 4);
    const feeder = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 100 });
    const playing = play(feeder, v, long);
    await sleep(1200);
    await broker.restart();
    await sleep(1200);
    // Still driving. The fresh broker lost the retained status; the node published it again on reconnect.
    const late = await observer(v);
    await sleep(300);
    const s = node.stats();
    expect(s.sources[0]!.reconnects).toBe(1);
    expect(s.sources[0]!.connected).toBe(true);
    expect(s.state).toBe("online");
    expect(s.mode).toBe("model");
    expect(late.out.statuses.at(-1)).toMatchObject({ state: "online", detail: "commanding" });
    await playing;
    expect(node.stats().nonfinite_commands).toBe(0);
    await node.stop();
    await Promise.all([feeder.endAsync(), late.client.endAsync()]);
  });
});
