// Issue 8 against a real Mosquitto: #2 (one stamp an hour ahead, live and retained), #6 (a flood of new channel
// names) and #4 (commands delayed by a stalled broker). A plain MQTT.js client plays the vehicle, stamping samples on
// the wall clock as a real stack would.
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msgpackCodec } from "../../bridges/codec/index.js";
import { openMqttBridge } from "../../bridges/mqtt/index.js";
import { policyPreset } from "../../policy/presets.js";
import { startLiveNode } from "../../runtime/live/index.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { holdLastModel } from "./live-support.js";

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

let seq = 0;
const vehicle = (): string => `hostile${process.pid}x${seq++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pack = (body: unknown): Buffer => Buffer.from(msgpackCodec.encode(body));
const CHANNELS = ["speed", "yaw_rate", "accel", "lat_accel", "speed_cmd", "steer_cmd"];

async function client(): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
}

/** A vehicle stack: every model channel at 50 Hz, stamped with the wall clock, for `ms`. */
async function drive(c: MqttClient, v: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t = Date.now() / 1000;
    const speed = 2 + 0.3 * Math.sin(t);
    const values: Record<string, number> = { speed, yaw_rate: 0.1, accel: 0.2, lat_accel: 0.2, speed_cmd: speed + 0.1, steer_cmd: 0.02 };
    for (const ch of CHANNELS) c.publish(`lam/${v}/in/${ch}`, pack({ t, value: values[ch] }), { qos: 0 });
    await sleep(20);
  }
}

async function startNode(v: string) {
  const bridge = await openMqttBridge({ url: broker.url, vehicle: v, codec: "msgpack", backoff: { initialMs: 100, maxMs: 400, jitter: 0 }, reserved: CHANNELS });
  const node = startLiveNode({ model: holdLastModel(), policy: policyPreset("robot-1-10"), sources: [bridge.source], sinks: [bridge.sink], name: "hold_last" });
  return { bridge, node };
}

describe("hostile input over a real Mosquitto", () => {
  it("#2: one sample stamped an hour ahead does not make the honest samples after it late; the node keeps commanding", async () => {
    const v = vehicle();
    const { node } = await startNode(v);
    const car = await client();
    await drive(car, v, 500);
    await car.publishAsync(`lam/${v}/in/speed`, pack({ t: Date.now() / 1000 + 3600, value: 2 }), { qos: 1 });
    const before = node.stats().commands.model;
    await drive(car, v, 1500);
    const s = node.stats();
    expect(s.sources[0]!.rejected.late ?? 0).toBe(0);
    expect(s.rejected.perception.clock).toBe(1);
    expect(s.commands.model - before).toBeGreaterThan(20);
    expect(s.mode).toBe("model");
    // The retained status carries the counts (#9): a monitor sees the refused stamp without the node's stderr.
    const monitor = await client();
    const status = new Promise<{ counts?: { rejected: Record<string, number>; frames: number } }>((resolve) =>
      monitor.on("message", (_t, payload) => resolve(msgpackCodec.decode(payload) as never)),
    );
    await monitor.subscribeAsync(`lam/${v}/status`, { qos: 1 });
    const counts = (await status).counts!;
    expect(counts.rejected.clock).toBe(1);
    expect(counts.frames).toBeGreaterThan(20);
    await node.stop();
    await Promise.all([car.endAsync(), monitor.endAsync()]);
  });

  it("#2: a retained hostile sample greets the node at start: it is refused as 'retained' and the node commands", async () => {
    const v = vehicle();
    const car = await client();
    await car.publishAsync(`lam/${v}/in/speed`, pack({ t: Date.now() / 1000 + 3600, value: 2 }), { qos: 1, retain: true });
    const { node } = await startNode(v);
    await drive(car, v, 2000);
    const s = node.stats();
    expect(s.sources[0]!.rejected).toMatchObject({ retained: 1 });
    expect(s.sources[0]!.rejected.late ?? 0).toBe(0);
    expect(s.clock_resets).toBe(0);
    expect(s.commands.model).toBeGreaterThan(10);
    expect(s.mode).toBe("model");
    await node.stop();
    await car.publishAsync(`lam/${v}/in/speed`, Buffer.alloc(0), { qos: 1, retain: true }); // clear it
    await car.endAsync();
  });

  it("#6: 5000 new `speed@<x>` names are refused beyond the per-vehicle cap, counted as channel_cap", async () => {
    const v = vehicle();
    const { node } = await startNode(v);
    const car = await client();
    const n = 5000;
    for (let i = 0; i < n; i++) car.publish(`lam/${v}/in/speed@x${i}`, pack({ t: Date.now() / 1000, value: 1 }), { qos: 0 });
    for (const deadline = Date.now() + 10_000; node.stats().sources[0]!.received < n && Date.now() < deadline; ) await sleep(50);
    await drive(car, v, 1000);
    const s = node.stats();
    expect(s.sources[0]!.rejected.channel_cap).toBe(n - 64);
    // The model's own channels are reserved: the flood came first and still could not crowd them out.
    expect(s.commands.model).toBeGreaterThan(10);
    expect(s.mode).toBe("model");
    await node.stop();
    await car.endAsync();
  });
});
