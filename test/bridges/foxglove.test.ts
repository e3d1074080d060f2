import pkg from "@foxglove/ws-protocol";
import type { Channel, MessageData } from "@foxglove/ws-protocol";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { FOXGLOVE_TOPICS, startFoxgloveServer, type FoxgloveLive } from "../../bridges/foxglove/index.js";
import { Validity } from "../../perception/types.js";

const { FoxgloveClient } = pkg;
type Client = InstanceType<typeof FoxgloveClient>;

let server: FoxgloveLive | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
});

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !cond(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A Foxglove client on a real WebSocket, as Foxglove Studio connects. */
async function connect(url: string): Promise<{ client: Client; channels: Channel[]; messages: MessageData[] }> {
  const ws = new WebSocket(url, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
  const c = new FoxgloveClient({ ws: ws as unknown as ConstructorParameters<typeof FoxgloveClient>[0]["ws"] });
  const channels: Channel[] = [];
  const messages: MessageData[] = [];
  c.on("advertise", (chs) => channels.push(...chs));
  c.on("message", (m) => messages.push(m));
  await until(() => channels.length >= 4, "the channel advertisement");
  return { client: c, channels, messages };
}

const json = (m: MessageData): unknown => JSON.parse(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString("utf8"));

describe("Foxglove live view", () => {
  it("advertises frame, prediction, command and status channels with JSON schemas", async () => {
    server = await startFoxgloveServer({ frameChannels: ["speed", "yaw_rate"] });
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const conn = await connect(server.url);
    client = conn.client;
    expect(conn.channels.map((c) => c.topic).sort()).toEqual(Object.values(FOXGLOVE_TOPICS).sort());
    for (const ch of conn.channels) {
      expect(ch.encoding).toBe("json");
      expect(ch.schemaEncoding).toBe("jsonschema");
      expect(JSON.parse(ch.schema)).toMatchObject({ type: "object", title: ch.schemaName });
    }
  });

  it("sends what a subscriber asked for, stamped with the data's own time, and nothing nobody watches", async () => {
    server = await startFoxgloveServer({ frameChannels: ["speed", "yaw_rate"] });
    const conn = await connect(server.url);
    client = conn.client;
    const id = (topic: string) => conn.channels.find((c) => c.topic === topic)!.id;

    // Nobody subscribed yet: nothing is encoded or sent.
    server.publishCommand({ t: 1, values: { steer_cmd: 0 }, mode: "model", limits: [] });
    expect(server.stats().received).toBe(0);

    const subPrediction = client.subscribe(id(FOXGLOVE_TOPICS.prediction));
    const subFrame = client.subscribe(id(FOXGLOVE_TOPICS.frame));
    await until(() => server!.hasSubscribers(FOXGLOVE_TOPICS.prediction) && server!.hasSubscribers(FOXGLOVE_TOPICS.frame), "the subscriptions");

    server.publishFrame({ t: 20.5, values: new Float32Array([12.5, NaN]), valid: new Uint8Array([Validity.Fresh, Validity.Missing]) });
    server.publishPrediction({
      t0: 20.5,
      dt: 0.5,
      channels: ["steer_cmd", "accel_cmd"],
      mean: new Float32Array([0.25, -1, 0.5, -0.5]),
      std: new Float32Array([0.125, 0.25, 0.125, 0.25]),
      model: "lstm",
    });
    server.publishCommand({ t: 20.5, values: { steer_cmd: 0.25 }, mode: "model", limits: [] });
    await until(() => conn.messages.length >= 2, "two messages");

    const [frame, prediction] = conn.messages;
    expect(frame!.subscriptionId).toBe(subFrame);
    expect(frame!.timestamp).toBe(20_500_000_000n);
    expect(json(frame!)).toEqual({ t: 20.5, values: { speed: 12.5, yaw_rate: null }, valid: { speed: "fresh", yaw_rate: "missing" } });
    expect(prediction!.subscriptionId).toBe(subPrediction);
    expect(json(prediction!)).toEqual({
      t0: 20.5,
      dt: 0.5,
      model: "lstm",
      channels: ["steer_cmd", "accel_cmd"],
      steps: [
        { t: 20.5, steer_cmd: 0.25, steer_cmd_std: 0.125, accel_cmd: -1, accel_cmd_std: 0.25 },
        { t: 21, steer_cmd: 0.5, steer_cmd_std: 0.125, accel_cmd: -0.5, accel_cmd_std: 0.25 },
      ],
    });
    // The command went to nobody: only the two subscribed messages were sent.
    await new Promise((r) => setTimeout(r, 50));
    expect(conn.messages).toHaveLength(2);
    expect(server.stats()).toMatchObject({ received: 2, accepted: 2, rejected: {} });
  });

  it("gives a new status subscriber the last status at once", async () => {
    server = await startFoxgloveServer();
    server.publishStatus({ state: "online", t: 1700000000, model: "lstm" });
    const conn = await connect(server.url);
    client = conn.client;
    client.subscribe(conn.channels.find((c) => c.topic === FOXGLOVE_TOPICS.status)!.id);
    await until(() => conn.messages.length >= 1, "the status");
    expect(json(conn.messages[0]!)).toEqual({ state: "online", t: 1700000000, model: "lstm" });
  });
});
