import mqtt from "mqtt";
import { firstValueFrom, take, timeout, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { msgpackCodec } from "../../bridges/codec/index.js";
import { connectMqtt, mqttMonitor, mqttSamplePublisher, openMqttBridge, startEmbeddedBroker } from "../../bridges/mqtt/index.js";

describe("embedded aedes broker (MQTT 3.1.1)", () => {
  it("carries samples in and commands out with the client's codec, no content type on the wire", async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const opts = { url: broker.url, vehicle: "husky", protocolVersion: 4 as const };
    const node = await openMqttBridge({ ...opts, ...broker.nodeLogin });
    const feeder = mqttSamplePublisher(await connectMqtt(opts));
    const viewer = await connectMqtt(opts);
    const monitor = await mqttMonitor(viewer);
    const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    await raw.subscribeAsync("lam/husky/command", { qos: 1 });
    const rawCommand = new Promise<{ payload: Buffer; qos: number; props: unknown }>((resolve) =>
      raw.on("message", (_t, payload, packet) => resolve({ payload, qos: packet.qos, props: packet.properties })),
    );

    const samples = firstValueFrom(node.source.samples$.pipe(take(2), toArray(), timeout(5000)));
    await feeder.publishSample({ channel: "yaw_rate", t: 3.0, value: 0.25 });
    await feeder.publishSample({ channel: "accel", t: 3.01, value: new Float32Array([0.5, 0.1, 9.8]) });
    const [yaw, acc] = await samples;
    expect(yaw).toMatchObject({ channel: "yaw_rate", t: 3.0, value: 0.25 });
    expect(Array.from(acc!.value as Float32Array)).toEqual(Array.from(new Float32Array([0.5, 0.1, 9.8])));

    const command = firstValueFrom(monitor.commands$.pipe(timeout(5000)));
    node.sink.publishCommand({ t: 3.02, values: { steer_cmd: 0.1, accel_cmd: -0.5 }, mode: "model", limits: ["steer_rate"] });
    expect(await command).toEqual({ t: 3.02, values: { steer_cmd: 0.1, accel_cmd: -0.5 }, mode: "model", limits: ["steer_rate"] });
    const wire = await rawCommand;
    expect(wire.qos).toBe(1);
    expect(wire.props).toBeUndefined();
    expect(msgpackCodec.decode(wire.payload)).toMatchObject({ mode: "model" });

    // A NaN command is refused at the sink and counted, never published.
    node.sink.publishCommand({ t: 3.03, values: { steer_cmd: NaN }, mode: "model", limits: [] });
    expect(node.sink.stats().rejected).toEqual({ nonfinite: 1 });

    await raw.endAsync();
    await monitor.close();
    await feeder.close();
    await node.close();
    await broker.close();
  });
});

describe("embedded broker on a port in use", () => {
  it("rejects naming the cause and leaves no broker timers running", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;
    const before = timers();
    await expect(startEmbeddedBroker({ port })).rejects.toThrow(/EADDRINUSE/);
    expect(timers()).toBe(before);
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});
