// Issue 8, reproductions 7 and 8, through `lam run`: credentials only inside the URL and printed in clear, a CA only
// via NODE_EXTRA_CA_CERTS, no client certificates, 10 s of retries on a refused login; a built-in broker anyone could
// reach. Real Mosquitto with TLS, client certificates, a password file and the documented ACL.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveStats } from "../../runtime/live/stats.js";
import { main } from "../../runtime/main.js";
import { ACCOUNTS, SECURE_MOSQUITTO_MISSING, startSecureMosquitto, type SecureMosquitto } from "../support/mosquitto-secure.js";
import { writeTinyModel } from "./live-support.js";

let modelDir: string;
let broker: SecureMosquitto;

/** lam in-process; each stderr write is timed (ms since the start). */
async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: { at: number; s: string }[] = [];
  const t0 = performance.now();
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push({ at: performance.now() - t0, s }) } });
  return { code, out: out.join(""), err: err.map((e) => e.s).join(""), lines: err, ms: performance.now() - t0 };
}

type RunJson = LiveStats & { mqtt: string };

describe("lam run: usage of the security flags", () => {
  it.each([
    [["--mqtt-ca", "ca.crt"], /--mqtt-ca is for an external broker: it needs --mqtt URL/],
    [["--mqtt", "mqtt://127.0.0.1:1", "--broker-host", "0.0.0.0"], /--broker-host is for the built-in broker/],
    [["--mqtt", "mqtt://127.0.0.1:1", "--mqtt-cert", "c.crt"], /--mqtt-cert and --mqtt-key go together/],
    [["--mqtt", "mqtt://127.0.0.1:1", "--mqtt-password-file", "p"], /--mqtt-password-file needs --mqtt-username/],
    [["--broker-tls-key", "k.pem"], /--broker-tls-cert and --broker-tls-key go together/],
  ])("%j → exit 2", async (args, message) => {
    const r = await lam("run", ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe("lam run: the built-in broker", () => {
  beforeAll(async () => {
    modelDir ??= mkdtempSync(join(tmpdir(), "lam-sec-model-"));
    await writeTinyModel(modelDir);
  });

  it("will not listen beyond loopback without logins", async () => {
    const r = await lam("run", "--model", modelDir, "--broker-host", "0.0.0.0", "--broker-port", "0", "--duration", "1");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/lam run: the built-in broker would listen on 0\.0\.0\.0, reachable from other machines, with no login/);
  });

  it("--broker-host 0.0.0.0 --broker-password-file: the demo vehicle and the node log in with their own accounts", async () => {
    const users = join(modelDir, "users.txt");
    writeFileSync(users, "car1-stack:st4ck-pass\n");
    const r = await lam("run", "--demo", "--model", modelDir, "--broker-host", "0.0.0.0", "--broker-password-file", users, "--broker-port", "0", "--duration", "3", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/built-in MQTT broker on mqtt:\/\/0\.0\.0\.0:\d+, login required \(1 user\); only this node publishes command, prediction and status/);
    const j = JSON.parse(r.out) as RunJson;
    expect(j.commands.total).toBeGreaterThan(20);
    expect(j.samples.in).toBeGreaterThan(500);
    // Nothing the node published was refused (the sink may still drop a command as stale under load).
    expect(j.sinks[0]!.rejected.publish_failed ?? 0).toBe(0);
  });
});

describe.skipIf(SECURE_MOSQUITTO_MISSING.length > 0)("lam run against Mosquitto with TLS, client certificates and passwords", () => {
  beforeAll(async () => {
    modelDir ??= mkdtempSync(join(tmpdir(), "lam-sec-model-"));
    await writeTinyModel(modelDir);
    broker = await startSecureMosquitto();
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
  });
  const tls = () => ["--mqtt-ca", broker.pki.ca, "--mqtt-cert", broker.pki.clientCert, "--mqtt-key", broker.pki.clientKey];

  it("--mqtt-ca --mqtt-cert --mqtt-key --mqtt-username --mqtt-password-file: connects, runs, stops", async () => {
    const r = await lam("run", "--model", modelDir, "--mqtt", broker.url, ...tls(), "--mqtt-username", ACCOUNTS.node.username, "--mqtt-password-file", broker.passwordFiles.node, "--vehicle", "car1", "--duration", "1", "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as RunJson;
    expect(j.mqtt).toBe(broker.url);
    expect(j.state).toBe("offline");
    expect(j.sinks[0]!.accepted).toBeGreaterThan(0);
    expect(r.err + r.out).not.toContain(ACCOUNTS.node.password);
  });

  it("reproduction 8: a password inside the URL works, is warned about, and is printed nowhere (stderr, --json)", async () => {
    const url = broker.url.replace("mqtts://", `mqtts://${ACCOUNTS.node.username}:${ACCOUNTS.node.password}@`);
    const r = await lam("run", "--model", modelDir, "--mqtt", url, ...tls(), "--vehicle", "car1", "--duration", "1", "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.err + r.out).not.toContain(ACCOUNTS.node.password);
    expect(r.err).toContain("warning: the --mqtt URL holds a password");
    expect(r.err).toContain(`MQTT mqtts://${ACCOUNTS.node.username}:***@127.0.0.1:${broker.port}`);
    expect((JSON.parse(r.out) as RunJson).mqtt).toBe(`mqtts://${ACCOUNTS.node.username}:***@127.0.0.1:${broker.port}`);
  });

  it("reproduction 8: a refused login ends lam run at once (exit 1, one line), not after 10 s of retries", async () => {
    const wrong = join(modelDir, "wrong.password");
    writeFileSync(wrong, "Wr0ng-password\n");
    const r = await lam("run", "--model", modelDir, "--mqtt", broker.url, ...tls(), "--mqtt-username", ACCOUNTS.node.username, "--mqtt-password-file", wrong, "--duration", "5");
    expect(r.code).toBe(1);
    const last = r.lines.at(-1)!;
    expect(last.s).toMatch(/^lam run: MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: the broker refused the login \((not authorized|bad user name or password), CONNACK code 13[45]\)\n$/);
    // From the model being ready (the line before the MQTT connection) to the error.
    const modelLine = r.lines.find((l) => l.s.startsWith("lam run: model "))!;
    expect(last.at - modelLine.at).toBeLessThan(2000);
    expect(r.err).not.toContain("Wr0ng-password");
  });

  it("reproduction 8: a CA that did not sign the broker's certificate: exit 1, one line naming the CA file", async () => {
    const r = await lam("run", "--model", modelDir, "--mqtt", broker.url, "--mqtt-ca", broker.pki.otherCa, "--mqtt-cert", broker.pki.clientCert, "--mqtt-key", broker.pki.clientKey, "--duration", "5");
    expect(r.code).toBe(1);
    expect(r.lines.at(-1)!.s).toMatch(new RegExp(`^lam run: MQTT broker mqtts://127\\.0\\.0\\.1:\\d+: TLS: the broker's certificate is not signed by the CA in ${broker.pki.otherCa} \\([A-Z_]+\\)\\n$`));
  });
});
