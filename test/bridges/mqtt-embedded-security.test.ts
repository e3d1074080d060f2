// Issue 8, reproduction 7, on the built-in broker: an anonymous client published straight to lam/<v>/command and
// overwrote the retained status. Now the broker is closed by default (loopback; only the node's own login publishes
// the node's topics; with users, only logged-in clients feed samples; TLS when asked).
import { rm } from "node:fs/promises";
import mqtt from "mqtt";
import { firstValueFrom, timeout } from "rxjs";
import { describe, expect, it } from "vitest";
import { connectMqtt, mqttMonitor, mqttSamplePublisher, openMqttBridge, parseUserFile, startEmbeddedBroker, isLoopbackHost } from "../../bridges/mqtt/index.js";
import { makePki, SECURE_MOSQUITTO_MISSING } from "../support/mosquitto-secure.js";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("built-in broker: closed by default", () => {
  it("listens on loopback; an anonymous client can neither command nor overwrite the status; the node can", async () => {
    const broker = await startEmbeddedBroker();
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const opts = { url: broker.url, vehicle: "car1", protocolVersion: 4 as const };
    const node = await openMqttBridge({ ...opts, ...broker.nodeLogin });
    node.sink.publishStatus({ state: "online", t: 1, detail: "commanding", model: "m" });
    const viewer = await mqttMonitor(await connectMqtt(opts));
    const commands: number[] = [];
    viewer.commands$.subscribe((c) => commands.push(c.values.steer_cmd!));
    const statuses: string[] = [];
    viewer.statuses$.subscribe((s) => statuses.push(s.detail ?? ""));
    const samples: number[] = [];
    node.source.samples$.subscribe((s) => samples.push(s.value as number));

    // The intruder: anonymous, from this machine. A refused publish closes its connection (MQTT 3.1.1 cannot say no).
    const intruder = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => intruder.once("close", () => r()));
    intruder.publish("lam/car1/command", Buffer.from(JSON.stringify({ t: 1, values: { steer_cmd: 0.321 }, mode: "model", limits: [] })), { qos: 0 });
    await closed;
    const again = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    again.publish("lam/car1/status", Buffer.from(JSON.stringify({ state: "online", detail: "hijacked" })), { qos: 0, retain: true });
    // Claiming the node's name without its password does not work either.
    await expect(mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, username: broker.nodeLogin.username, password: "guess" })).rejects.toThrow(
      /Bad username or password/,
    );

    // On loopback without users, local processes may still feed samples (the vehicle's own stack).
    const feeder = mqttSamplePublisher(await connectMqtt(opts));
    await feeder.publishSample({ channel: "speed", t: 1, value: 2.5 });
    node.sink.publishCommand({ t: 1, values: { steer_cmd: 0.036 }, mode: "model", limits: [] });
    await wait(300);
    expect(commands).toEqual([0.036]);
    expect(statuses).toEqual(["commanding"]);
    expect(samples).toEqual([2.5]);
    expect(broker.refused()).toEqual({ login: 1, publish: 2 });

    // A late subscriber sees the node's retained status, not the intruder's.
    const late = await mqttMonitor(await connectMqtt(opts));
    expect((await firstValueFrom(late.statuses$.pipe(timeout(3000)))).detail).toBe("commanding");

    await again.endAsync(true);
    await late.close();
    await feeder.close();
    await viewer.close();
    await node.close();
    await broker.close();
  });

  it("a feeder's connection dying says nothing about the node (lastWill: false); the node's does", async () => {
    const broker = await startEmbeddedBroker();
    const opts = { url: broker.url, vehicle: "car1", protocolVersion: 4 as const };
    const watcher = await mqttMonitor(await connectMqtt(opts));
    const states: string[] = [];
    watcher.statuses$.subscribe((s) => states.push(s.state));
    const feeder = await connectMqtt({ ...opts, ...broker.feederLogin, lastWill: false });
    feeder.client.stream.destroy();
    await wait(300);
    expect(states).toEqual([]);
    expect(broker.refused().publish).toBe(0);
    const node = await connectMqtt({ ...opts, ...broker.nodeLogin });
    node.client.stream.destroy();
    await wait(300);
    expect(states).toEqual(["offline"]);
    await feeder.close();
    await node.close();
    await watcher.close();
    await broker.close();
  });

  it("refuses to listen beyond loopback without logins, naming what to do", async () => {
    await expect(startEmbeddedBroker({ host: "0.0.0.0" })).rejects.toThrow(
      /the built-in broker would listen on 0\.0\.0\.0, reachable from other machines, with no login: give it users \(lam run --broker-password-file FILE/,
    );
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("::1")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("0.0.0.0")).toBe(false);
    expect(isLoopbackHost("192.168.1.10")).toBe(false);
    expect(isLoopbackHost("::")).toBe(false);
  });

  it("with users: anonymous clients are refused at login; a user feeds samples but cannot command", async () => {
    const users = parseUserFile("# who may log in\ncar1-stack:st4ck pass\n\nviewer:v1ew\n", "users.txt");
    const broker = await startEmbeddedBroker({ host: "0.0.0.0", users });
    expect(broker.url).toMatch(/^mqtt:\/\/0\.0\.0\.0:\d+$/);
    expect(broker.localUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const t0 = performance.now();
    await expect(connectMqtt({ url, vehicle: "car1", protocolVersion: 4 })).rejects.toThrow(
      /^MQTT broker mqtt:\/\/127\.0\.0\.1:\d+: the broker refused the login \(not authorized, CONNACK code 5\)$/,
    );
    expect(performance.now() - t0).toBeLessThan(2000);

    const node = await openMqttBridge({ url: broker.localUrl, vehicle: "car1", protocolVersion: 4, ...broker.nodeLogin });
    const got = firstValueFrom(node.source.samples$.pipe(timeout(3000)));
    const stack = await connectMqtt({ url, vehicle: "car1", protocolVersion: 4, username: "car1-stack", password: "st4ck pass" });
    await mqttSamplePublisher(stack).publishSample({ channel: "speed", t: 1, value: 1.5 });
    expect((await got).value).toBe(1.5);
    const closed = new Promise<void>((r) => stack.client.once("close", () => r()));
    stack.client.publish("lam/car1/command", "{}");
    await closed;
    await wait(200);
    // The command, and then the stack's own last will ("offline" on the node's status topic, which connectMqtt
    // sets on every link): only the node's will may speak for the node.
    expect(broker.refused().publish).toBe(2);
    await stack.close();
    await node.close();
    await broker.close();
  });

  it("user files: errors name the file and line, never the password", () => {
    expect(() => parseUserFile("car1-stack\n", "u.txt")).toThrow("u.txt:1: expected user:password");
    expect(() => parseUserFile("a:x\na:secret-y\n", "u.txt")).toThrow('u.txt:2: user "a" appears twice');
    expect(() => parseUserFile("# nobody\n", "u.txt")).toThrow("u.txt: no user:password line");
    expect(parseUserFile("a:b:c\n", "u.txt").get("a")).toBe("b:c");
  });

  it.skipIf(SECURE_MOSQUITTO_MISSING.includes("openssl"))("speaks TLS with a certificate and key; clients check it against their CA", async () => {
    const pki = await makePki();
    const broker = await startEmbeddedBroker({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const viewer = await connectMqtt({ url: broker.url, vehicle: "car1", protocolVersion: 4, tls: { ca: pki.ca } });
    expect(viewer.connected()).toBe(true);
    await viewer.close();
    await expect(connectMqtt({ url: broker.url, vehicle: "car1", protocolVersion: 4, tls: { ca: pki.otherCa } })).rejects.toThrow(
      `TLS: the broker's certificate is not signed by the CA in ${pki.otherCa}`,
    );
    await expect(startEmbeddedBroker({ tls: { cert: "/nonexistent.crt", key: pki.serverKey } })).rejects.toThrow("broker certificate /nonexistent.crt: no such file");
    await broker.close();
    await rm(pki.dir, { recursive: true, force: true });
  });
});
