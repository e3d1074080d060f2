import { describe, expect, it } from "vitest";
import { connectMqtt, mqttActionSink } from "../../bridges/mqtt/index.js";
import { startMosquitto } from "../support/mosquitto.js";

describe("MQTT action sink while the broker is away", () => {
  it("drops commands instead of queueing them for a late delivery, and counts them", async () => {
    const broker = await startMosquitto();
    const link = await connectMqtt({ url: broker.url, vehicle: "offline", backoff: { initialMs: 5000, maxMs: 5000, jitter: 0 } });
    const sink = mqttActionSink(link);
    sink.publishCommand({ t: 1, values: { steer_cmd: 0.1 }, mode: "model", limits: [] });
    for (const deadline = Date.now() + 3000; sink.stats().accepted < 1 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(sink.stats().accepted).toBe(1);

    await broker.stop();
    for (const deadline = Date.now() + 5000; link.connected() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(link.connected()).toBe(false);
    sink.publishCommand({ t: 2, values: { steer_cmd: 0.2 }, mode: "model", limits: [] });
    const stats = sink.stats();
    expect(stats.rejected.publish_failed).toBe(1);
    expect(stats.lastError).toMatch(/lam\/offline\/command: publish_failed: broker not connected/);
    expect(stats.accepted).toBe(1);
    await sink.close();
  });
});
