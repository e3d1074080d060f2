import { readFileSync } from "node:fs";
import type { ResolvedMqttOptions } from "./options.js";

/** What connectMqtt hands MQTT.js from the options' files: PEM buffers and the password. */
export interface MqttSecrets {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly password?: string;
}

function readNamed(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(`${what} ${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (err as Error).message}`);
  }
}

function pem(what: string, file: string, kind: RegExp): Buffer {
  const bytes = readNamed(what, file);
  if (!kind.test(bytes.toString("latin1"))) throw new Error(`${what} ${file}: not a PEM file (no "-----BEGIN ${kind.source.includes("KEY") ? "... PRIVATE KEY" : "CERTIFICATE"}-----" line)`);
  return bytes;
}

/** Reads the TLS files and the password file named in `o`; every error names the file and never shows the secret. */
export function readMqttSecrets(o: ResolvedMqttOptions): MqttSecrets {
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer; password?: string } = {};
  if (o.tls.ca) out.ca = pem("CA file", o.tls.ca, /-----BEGIN CERTIFICATE-----/);
  if (o.tls.cert) out.cert = pem("client certificate", o.tls.cert, /-----BEGIN CERTIFICATE-----/);
  if (o.tls.key) out.key = pem("client key", o.tls.key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  if (o.password !== undefined) out.password = o.password;
  if (o.passwordFile) {
    const first = readNamed("password file", o.passwordFile).toString("utf8").split(/\r?\n/)[0] ?? "";
    if (first.length === 0) throw new Error(`password file ${o.passwordFile}: the first line is empty`);
    out.password = first;
  }
  return out;
}

