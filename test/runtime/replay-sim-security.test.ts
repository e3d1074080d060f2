// `lam replay --mqtt` and `lam sim --mqtt` publish to a broker closed to strangers with the same login and TLS
// flags as `lam run` (before: only a URL, so a password lived in it and a CA or client certificate was impossible).
// Real Mosquitto with TLS, client certificates, a password file and the documented ACL.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";
import { ACCOUNTS, SECURE_MOSQUITTO_MISSING, startSecureMosquitto, type SecureMosquitto } from "../support/mosquitto-secure.js";
import { requireTool } from "../support/require-tool.js";
import { DATA, writeTinyModel } from "./live-support.js";

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

describe("lam replay / lam sim: MQTT login and TLS flags", () => {
  it("a client flag without --mqtt is a usage error naming the flag", async () => {
    const r = await lam("replay", resolve(DATA, "f1tenth/DS1"), "--mqtt-username", "u");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--mqtt-username is for an external broker: it needs --mqtt URL");
    const s = await lam("sim", "catalog", "--mqtt-ca", "/nonexistent.pem");
    expect(s.code).toBe(2);
    expect(s.err).toContain("--mqtt-ca is for an external broker: it needs --mqtt URL");
  });

  it("--mqtt-cert without --mqtt-key is a usage error", async () => {
    const r = await lam("sim", "catalog", "--mqtt", "mqtts://127.0.0.1:1", "--mqtt-cert", "/c.pem");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--mqtt-cert and --mqtt-key go together");
  });
});

const SECURE = requireTool("mosquitto");
describe.skipIf(!SECURE.path || SECURE_MOSQUITTO_MISSING.length > 0)(`lam replay --mqtt against Mosquitto with TLS and passwords${SECURE.skipNote}`, () => {
  let broker: SecureMosquitto;
  let modelDir: string;
  beforeAll(async () => {
    modelDir = mkdtempSync(join(tmpdir(), "lam-replay-sec-model-"));
    await writeTinyModel(modelDir);
    broker = await startSecureMosquitto();
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
  });
  const tls = () => ["--mqtt-ca", broker.pki.ca, "--mqtt-cert", broker.pki.clientCert, "--mqtt-key", broker.pki.clientKey];

  it("logs in with a password file and a client certificate, publishes every tick, prints no password", async () => {
    const r = await lam("replay", resolve(DATA, "f1tenth/DS1"), "--model", modelDir, "--mqtt", broker.url, ...tls(), "--mqtt-username", ACCOUNTS.node.username, "--mqtt-password-file", broker.passwordFiles.node, "--vehicle", "car1");
    expect(r.code, r.err).toBe(0);
    const m = /lam replay: mqtt mqtts:\/\/127\.0\.0\.1:\d+: (\d+) published, (\d+) not/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(1000);
    expect(Number(m![2])).toBe(0);
    expect(r.err + r.out).not.toContain(ACCOUNTS.node.password);
  }, 120_000);

  it("a wrong password ends the replay with exit 1 and one line, the password unprinted", async () => {
    const wrong = join(modelDir, "wrong.password");
    writeFileSync(wrong, "Wr0ng-password\n");
    const r = await lam("replay", resolve(DATA, "f1tenth/DS1"), "--model", modelDir, "--mqtt", broker.url, ...tls(), "--mqtt-username", ACCOUNTS.node.username, "--mqtt-password-file", wrong, "--vehicle", "car1");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the broker refused the login/);
    expect(r.err).not.toContain("Wr0ng-password");
  }, 60_000);
});
