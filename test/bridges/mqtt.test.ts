import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { firstValueFrom, filter, take, timeout, toArray, type Observable } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msgpackCodec, jsonCodec, type BridgeInputError } from "../../bridges/codec/index.js";
import {
  connectMqtt,
  mqttActionSink,
  mqttMonitor,
  mqttSamplePublisher,
  mqttSampleSource,
  openMqttBridge,
  type MqttLink,
} from "../../bridges/mqtt/index.js";
import type { ActionSequence } from "../../dynamics/types.js";
import type { Sample } from "../../perception/types.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

let vehicleSeq = 0;
const vehicle = (): string => `car${process.pid}x${vehicleSeq++}`;

function collect<T>(obs: Observable<T>, n: number, ms = 5000): Promise<T[]> {
  return firstValueFrom(obs.pipe(take(n), toArray(), timeout(ms)));
}

/** A plain MQTT.js client, for bytes lam's own encoder would never write. */
async function rawClient(protocolVersion: 4 | 5 = 5): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, { protocolVersion, reconnectPeriod: 0 });
}

function rawMessage(client: MqttClient, topic: string): Promise<{ payload: Buffer; packet: IPublishPacket }> {
  return new Promise((resolve) => {
    client.on("message", (t, payload, packet) => {
      if (t === topic) resolve({ payload, packet });
    });
  });
}

const prediction: ActionSequence = {
  t0: 12.5,
  dt: 0.1,
  channels: ["steer_cmd", "accel_cmd"],
  mean: new Float32Array([0.01, -0.5, 0.02, -0.45, 0.03, -0.4]),
  std: new Float32Array([0.001, 0.1, 0.002, 0.12, 0.003, 0.14]),
  model: "lstm-test",
};

describe("MQTT 5 against a real Mosquitto", () => {
  it("carries the content type, and the reader decodes by it whatever its own codec", async () => {
    const v = vehicle();
    const node = await connectMqtt({ url: broker.url, vehicle: v, codec: "msgpack" });
    const viewer = await connectMqtt({ url: broker.url, vehicle: v, codec: "json" });
    const raw = await rawClient();
    await raw.subscribeAsync(`lam/${v}/prediction`);
    const monitor = await mqttMonitor(viewer);
    const sink = mqttActionSink(node);
    const got = firstValueFrom(monitor.predictions$.pipe(timeout(5000)));
    const wire = rawMessage(raw, `lam/${v}/prediction`);
    sink.publishPrediction(prediction);

    const seq = await got;
    expect(seq.mean).toBeInstanceOf(Float32Array);
    expect(Array.from(seq.mean)).toEqual(Array.from(prediction.mean));
    expect(Array.from(seq.std!)).toEqual(Array.from(prediction.std!));
    expect(seq.channels).toEqual(prediction.channels);
    const { packet, payload } = await wire;
    expect(packet.properties?.contentType).toBe("application/msgpack");
    expect(msgpackCodec.decode(payload)).toMatchObject({ model: "lstm-test" });

    await monitor.close();
    await sink.close();
    await viewer.close();
    await raw.endAsync();
  });

  it.each(["msgpack", "json"] as const)("round-trips scalar and Float32Array samples with the %s codec", async (codec) => {
    const v = vehicle();
    const bridge = await openMqttBridge({ url: broker.url, vehicle: v, codec });
    const feeder = mqttSamplePublisher(await connectMqtt({ url: broker.url, vehicle: v, codec }));
    const raw = await rawClient();
    await raw.subscribeAsync(`lam/${v}/in/+`);
    const wire = rawMessage(raw, `lam/${v}/in/accel`);
    const got = collect(bridge.source.samples$, 2);
    const vec = new Float32Array([0.1, -9.81, 1e-3]);
    await feeder.publishSample({ channel: "accel", t: 1.25, value: vec });
    await feeder.publishSample({ channel: "speed", t: 1.5, value: 13.4 });

    const [a, s] = await got;
    expect(a!.value).toBeInstanceOf(Float32Array);
    expect(Array.from(a!.value as Float32Array)).toEqual(Array.from(vec));
    expect(s).toEqual({ channel: "speed", t: 1.5, value: 13.4, source: `lam/${v}/in/speed` });
    const { packet, payload } = await wire;
    expect(packet.properties?.contentType).toBe(codec === "json" ? "application/json" : "application/msgpack");
    if (codec === "json") expect(JSON.parse(payload.toString())).toEqual({ t: 1.25, value: Array.from(vec) });
    expect(bridge.source.stats()).toMatchObject({ received: 2, accepted: 2, rejected: {}, connected: true });

    await feeder.close();
    await bridge.close();
    await raw.endAsync();
  });

  it("rejects each bad message in a burst by reason, and every good one arrives in order", async () => {
    const v = vehicle();
    const bridge = await openMqttBridge({ url: broker.url, vehicle: v, maxPayloadBytes: 1024, backwardsToleranceS: 0.05 });
    const raw = await rawClient();
    const topic = (ch: string): string => `lam/${v}/in/${ch}`;
    const pack = (body: unknown): Buffer => Buffer.from(msgpackCodec.encode(body));
    const bad: Array<[string, Buffer, string | undefined, string]> = [
      [topic("speed"), pack({ t: 0, value: NaN }), undefined, "nonfinite"],
      [topic("speed"), pack({ t: Infinity, value: 1 }), undefined, "nonfinite"],
      [topic("speed"), pack({ t: 0, value: "fast" }), undefined, "wrong_type"],
      [topic("speed"), pack([0, 1]), undefined, "wrong_type"],
      [topic("speed"), pack({ t: 0, value: 1 }).subarray(0, 4), undefined, "malformed"],
      [topic("speed"), Buffer.from([0xc1, 0xff, 0x00, 0x13, 0x37]), undefined, "malformed"],
      [topic("speed"), Buffer.alloc(4096, 0x90), undefined, "oversized"],
      [topic("warp_factor"), pack({ t: 0, value: 9 }), undefined, "unknown_channel"],
      [topic("speed"), Buffer.from("{not json"), "application/json", "malformed"],
      [topic("speed"), Buffer.from("1,2"), "text/csv", "content_type"],
      [topic("speed"), "LATE" as unknown as Buffer, undefined, "late"],
    ];
    const n = 120;
    const errors: BridgeInputError[] = [];
    bridge.source.errors$.subscribe((e) => errors.push(e));
    const got = collect(bridge.source.samples$, n);
    for (let i = 0; i < n; i++) {
      const t = 1 + i * 0.01;
      await raw.publishAsync(topic(i % 2 ? "speed" : "accel"), pack({ t, value: i }));
      const [tp, payload, contentType, reason] = bad[i % bad.length]!;
      // "late" is relative to the channel's clock: a second behind the speed sample just sent.
      const body = reason === "late" ? pack({ t: t - 1, value: -1 }) : payload;
      await raw.publishAsync(tp, body, contentType ? { properties: { contentType } } : {});
    }

    const samples = await got;
    expect(samples.map((s) => s.value)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(samples.map((s) => s.channel)).toEqual(Array.from({ length: n }, (_, i) => (i % 2 ? "speed" : "accel")));
    // The bad ones are all counted: wait until the last has been handled.
    for (const deadline = Date.now() + 5000; errors.length < n && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    const expected: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const reason = bad[i % bad.length]![3];
      expected[reason] = (expected[reason] ?? 0) + 1;
    }
    const stats = bridge.source.stats();
    expect(stats.rejected).toEqual(expected);
    expect(stats).toMatchObject({ received: 2 * n, accepted: n });
    expect(errors).toHaveLength(n);
    for (const e of errors) expect(e.message).toMatch(new RegExp(`^lam/${v}/in/`));
    expect(errors.find((e) => e.reason === "unknown_channel")!.message).toMatch(/warp_factor.*not a canonical lam channel/);
    expect(errors.find((e) => e.reason === "oversized")!.message).toMatch(/4096 bytes exceeds the limit of 1024/);

    await bridge.close();
    await raw.endAsync();
  });

  it("keeps the status retained, and the broker publishes the last will when the node's socket dies", async () => {
    const v = vehicle();
    const node = await openMqttBridge({ url: broker.url, vehicle: v, backoff: { initialMs: 300, jitter: 0 } });
    node.sink.publishStatus({ state: "online", t: 100, model: "lstm-test" });
    await new Promise((r) => setTimeout(r, 100));

    // A late subscriber still sees it: it is retained.
    const raw = await rawClient();
    const retained = rawMessage(raw, `lam/${v}/status`);
    await raw.subscribeAsync(`lam/${v}/status`, { qos: 1 });
    const first = await retained;
    expect(first.packet.retain).toBe(true);
    expect(msgpackCodec.decode(first.payload)).toEqual({ state: "online", t: 100, model: "lstm-test" });

    const viewer = await connectMqtt({ url: broker.url, vehicle: v });
    const monitor = await mqttMonitor(viewer);
    const statuses = collect(monitor.statuses$, 3, 8000);
    // Kill the connection without a DISCONNECT, as a crash or a cut cable would.
    node.link.client.stream.destroy();
    const [retainedAgain, will, back] = await statuses;
    expect(retainedAgain).toMatchObject({ state: "online" });
    expect(will).toEqual({ state: "offline", detail: "connection lost" });
    // ...and after the reconnect the node says it is back, without being asked.
    expect(back).toMatchObject({ state: "online", model: "lstm-test" });
    expect(node.sink.stats().reconnects).toBe(1);

    const closing = firstValueFrom(monitor.statuses$.pipe(timeout(5000)));
    await node.close();
    expect(await closing).toMatchObject({ state: "offline", detail: "closed" });
    await monitor.close();
    await viewer.close();
    await raw.endAsync();
  });

  it("reconnects with backoff after a broker restart and resumes the sample stream", async () => {
    const v = vehicle();
    const bridge = await openMqttBridge({ url: broker.url, vehicle: v, backoff: { initialMs: 100, maxMs: 400, jitter: 0 } });
    const feeder = await connectMqtt({ url: broker.url, vehicle: v, backoff: { initialMs: 100, maxMs: 400, jitter: 0 } });
    const pub = mqttSamplePublisher(feeder);
    const received: Sample[] = [];
    bridge.source.samples$.subscribe((s) => received.push(s));
    await pub.publishSample({ channel: "speed", t: 1, value: 1 });
    for (const deadline = Date.now() + 5000; received.length < 1 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(1);

    await broker.restart();
    const deadline = Date.now() + 8000;
    while (!(bridge.link.connected() && feeder.connected()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(bridge.link.connected()).toBe(true);
    // The subscription is renewed on the fresh broker: samples flow again.
    const next = firstValueFrom(bridge.source.samples$.pipe(filter((s) => s.t === 2), timeout(5000)));
    await new Promise((r) => setTimeout(r, 100));
    await pub.publishSample({ channel: "speed", t: 2, value: 2 });
    expect(await next).toMatchObject({ t: 2, value: 2 });
    expect(bridge.source.stats().reconnects).toBe(1);

    await pub.close();
    await bridge.close();
  });
});
