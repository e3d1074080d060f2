// Issue 8, reproductions 7 and 8, against a real Mosquitto closed to strangers: TLS with a CA and a client
// certificate made here, a password file, and the ACL of docs/mqtt-security.md.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import mqtt from "mqtt";
import { firstValueFrom, timeout } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fatalConnectError } from "../../bridges/mqtt/connect-errors.js";
import { connectMqtt, mqttMonitor, mqttSamplePublisher, openMqttBridge, redactUrl } from "../../bridges/mqtt/index.js";
import { ACCOUNTS, SECURE_MOSQUITTO_MISSING, startSecureMosquitto, type SecureMosquitto } from "../support/mosquitto-secure.js";

let broker: SecureMosquitto;

const clientTls = () => ({ ca: broker.pki.ca, cert: broker.pki.clientCert, key: broker.pki.clientKey });
const as = (who: keyof typeof ACCOUNTS) => ({ username: ACCOUNTS[who].username, passwordFile: broker.passwordFiles[who] });

/** connectMqtt's failure: its message and how long it took. */
async function failure(opts: Parameters<typeof connectMqtt>[0]): Promise<{ message: string; ms: number }> {
  const t0 = performance.now();
  try {
    const link = await connectMqtt(opts);
    await link.close();
  } catch (err) {
    return { message: (err as Error).message, ms: performance.now() - t0 };
  }
  throw new Error("connected, but should have been refused");
}

describe("redactUrl", () => {
  it("hides the password of every URL in a text, keeps the rest", () => {
    expect(redactUrl("mqtts://node:s3cret@broker:8883")).toBe("mqtts://node:***@broker:8883");
    expect(redactUrl("mqtt://broker:1883")).toBe("mqtt://broker:1883");
    expect(redactUrl("mqtt://user@broker")).toBe("mqtt://user@broker");
    // A raw "@" in the password: everything up to the host's "@" is hidden.
    expect(redactUrl("x mqtt://u:p@ss@h:1/t and ws://a:b@c")).toBe("x mqtt://u:***@h:1/t and ws://a:***@c");
  });
});

describe("fatalConnectError: what is worth retrying", () => {
  const refused = (code: number) => Object.assign(new Error(`Connection refused: x`), { code });
  it("a refused login or a rejected certificate is final; a broker not there yet or busy is retried", () => {
    expect(fatalConnectError(refused(5), {})).toBe("the broker refused the login (not authorized, CONNACK code 5)");
    expect(fatalConnectError(refused(134), {})).toBe("the broker refused the login (bad user name or password, CONNACK code 134)");
    expect(fatalConnectError(refused(3), {})).toBeUndefined(); // server unavailable
    expect(fatalConnectError(refused(137), {})).toBeUndefined(); // server busy
    expect(fatalConnectError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), {})).toBeUndefined();
    expect(fatalConnectError(Object.assign(new Error("x"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }), {})).toMatch(/not signed by a CA this machine trusts .*give its CA file$/);
    expect(fatalConnectError(Object.assign(new Error("x"), { code: "ERR_SSL_WRONG_VERSION_NUMBER" }), {})).toMatch(/does not speak TLS on this port/);
  });
});

describe.skipIf(SECURE_MOSQUITTO_MISSING.length > 0)("lam against a Mosquitto with TLS, client certificates, passwords and the documented ACL", () => {
  beforeAll(async () => {
    broker = await startSecureMosquitto();
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
  });

  it("the node logs in with a CA, a client certificate and a password file, and its commands reach a viewer", async () => {
    const node = await openMqttBridge({ url: broker.url, vehicle: "car1", tls: clientTls(), ...as("node") });
    const viewer = await connectMqtt({ url: broker.url, vehicle: "car1", tls: clientTls(), ...as("viewer") });
    const monitor = await mqttMonitor(viewer);
    const got = firstValueFrom(monitor.commands$.pipe(timeout(5000)));
    node.sink.publishCommand({ t: 1, values: { steer_cmd: 0.05 }, mode: "model", limits: [] });
    expect((await got).values).toEqual({ steer_cmd: 0.05 });
    await monitor.close();
    await node.close();
  });

  it("reproduction 7: only the vehicle's stack feeds the node; nobody but the node publishes command or status", async () => {
    const node = await openMqttBridge({ url: broker.url, vehicle: "car1", tls: clientTls(), ...as("node") });
    const seen: string[] = [];
    node.source.samples$.subscribe((s) => seen.push(`${s.channel}=${String(s.value)}`));
    const watcher = await connectMqtt({ url: broker.url, vehicle: "car1", tls: clientTls(), ...as("viewer") });
    const monitor = await mqttMonitor(watcher);
    const commands: number[] = [];
    monitor.commands$.subscribe((c) => commands.push(c.values.steer_cmd ?? NaN));
    const statuses: string[] = [];
    monitor.statuses$.subscribe((s) => statuses.push(s.detail ?? ""));

    // The viewer (logged in, but read-only) tries to steer: samples, a command, a status. Mosquitto drops them.
    const intruder = mqttSamplePublisher(await connectMqtt({ url: broker.url, vehicle: "car1", tls: clientTls(), ...as("viewer") }));
    const raw = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      ca: readFileSync(broker.pki.ca),
      cert: readFileSync(broker.pki.clientCert),
      key: readFileSync(broker.pki.clientKey),
      username: ACCOUNTS.viewer.username,
      password: ACCOUNTS.viewer.password,
    });
    await intruder.publishSample({ channel: "steer_cmd", t: 1, value: 0.321 });
    // MQTT 5 says so: PUBACK reason code 135 "not authorized".
    await expect(raw.publishAsync("lam/car1/command", JSON.stringify({ t: 1, values: { steer_cmd: 0.321 }, mode: "model", limits: [] }), { qos: 1 })).rejects.toThrow(
      /not authorized/i,
    );
    await expect(raw.publishAsync("lam/car1/status", JSON.stringify({ state: "online", detail: "hijacked" }), { qos: 1, retain: true })).rejects.toThrow(/not authorized/i);

    // The vehicle's own stack may feed the node but not command the actuators either.
    const rawStack = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      ca: readFileSync(broker.pki.ca),
      cert: readFileSync(broker.pki.clientCert),
      key: readFileSync(broker.pki.clientKey),
      username: ACCOUNTS.stack.username,
      password: ACCOUNTS.stack.password,
    });
    await expect(rawStack.publishAsync("lam/car1/command", "{}", { qos: 1 })).rejects.toThrow(/not authorized/i);
    await rawStack.endAsync();

    // The stack's samples get through; the node's command gets through.
    const stack = mqttSamplePublisher(await connectMqtt({ url: broker.url, vehicle: "car1", tls: clientTls(), ...as("stack") }));
    await stack.publishSample({ channel: "steer_cmd", t: 2, value: 0.036 });
    node.sink.publishCommand({ t: 2, values: { steer_cmd: 0.036 }, mode: "model", limits: [] });
    const t0 = Date.now();
    while ((seen.length < 1 || commands.length < 1) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual(["steer_cmd=0.036"]);
    expect(commands).toEqual([0.036]);
    expect(statuses).not.toContain("hijacked");

    await raw.endAsync();
    await intruder.close();
    await stack.close();
    await monitor.close();
    await node.close();
  });

  it("an anonymous client is refused at once, in one line, without the 10 s of retries", async () => {
    const r = await failure({ url: broker.url, vehicle: "car1", tls: clientTls(), connectTimeoutMs: 10_000 });
    expect(r.message).toMatch(/^MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: the broker refused the login \(not authorized, CONNACK code 135\)$/);
    expect(r.ms).toBeLessThan(2000);
  });

  it("reproduction 8: a wrong password fails at once; the password is never in the message", async () => {
    const wrong = path.join(broker.pki.dir, "wrong.password");
    writeFileSync(wrong, "not-the-Password\n");
    const r = await failure({ url: broker.url, vehicle: "car1", tls: clientTls(), username: ACCOUNTS.node.username, passwordFile: wrong });
    expect(r.message).toMatch(/the broker refused the login \((not authorized|bad user name or password), CONNACK code 13[45]\)$/);
    expect(r.message).not.toContain("not-the-Password");
    expect(r.ms).toBeLessThan(2000);
    // Credentials in the URL: accepted, and the message shows them redacted.
    const inUrl = await failure({ url: broker.url.replace("mqtts://", "mqtts://lam-node-car1:Wr0ng-pw@"), vehicle: "car1", tls: clientTls() });
    expect(inUrl.message).toContain("mqtts://lam-node-car1:***@127.0.0.1:");
    expect(inUrl.message).not.toContain("Wr0ng-pw");
  });

  it("reproduction 8: a broker certificate from another CA fails at once, naming the CA file", async () => {
    const r = await failure({ url: broker.url, vehicle: "car1", tls: { ...clientTls(), ca: broker.pki.otherCa }, ...as("node") });
    expect(r.message).toMatch(/^MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: TLS: the broker's certificate is not signed by the CA in (\S+) \([A-Z_]+\)$/);
    expect(r.message).toContain(` in ${broker.pki.otherCa} (`);
    expect(r.ms).toBeLessThan(2000);
  });

  it("reproduction 8: no client certificate, or one the broker's CA did not sign: one line naming the certificate", async () => {
    const none = await failure({ url: broker.url, vehicle: "car1", tls: { ca: broker.pki.ca }, ...as("node") });
    expect(none.message).toMatch(/^MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: TLS: the broker requires a client certificate: give a certificate and its key$/);

    expect(none.ms).toBeLessThan(2000);
    const stranger = await failure({ url: broker.url, vehicle: "car1", tls: { ca: broker.pki.ca, cert: broker.pki.strangerCert, key: broker.pki.strangerKey }, ...as("node") });
    expect(stranger.message).toMatch(/: TLS: the broker refused the client certificate \S+stranger\.crt \(ERR_SSL_[A-Z0-9_]+\)$/);
    expect(stranger.ms).toBeLessThan(2000);
  });

  it("missing or malformed files are named before any connection", async () => {
    await expect(connectMqtt({ url: broker.url, vehicle: "car1", tls: { ca: "/nonexistent/ca.crt" } })).rejects.toThrow("CA file /nonexistent/ca.crt: no such file");
    await expect(connectMqtt({ url: broker.url, vehicle: "car1", tls: { ...clientTls(), key: broker.pki.clientCert } })).rejects.toThrow(
      `client key ${broker.pki.clientCert}: not a PEM file`,
    );
    await expect(connectMqtt({ url: broker.url, vehicle: "car1", tls: { cert: broker.pki.clientCert } })).rejects.toThrow(/needs both its certificate and its key/);
    const empty = path.join(broker.pki.dir, "empty.password");
    writeFileSync(empty, "\n");
    await expect(connectMqtt({ url: broker.url, vehicle: "car1", username: "x", passwordFile: empty })).rejects.toThrow(`password file ${empty}: the first line is empty`);
  });
});
