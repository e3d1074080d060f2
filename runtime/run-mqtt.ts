// `lam run`'s MQTT side: the flags for a broker closed to strangers (built-in or external) and what they open.
import { readFileSync } from "node:fs";
import type { CodecName } from "../bridges/codec/payload-codec.js";
import { parseUserFile, startEmbeddedBroker, type EmbeddedBroker } from "../bridges/mqtt/embedded-broker.js";
import { redactUrl, urlHasPassword, type MqttOptions } from "../bridges/mqtt/options.js";
import { UsageError } from "./io.js";

export const MQTT_FLAGS = {
  mqtt: { type: "string" },
  "mqtt-ca": { type: "string" },
  "mqtt-cert": { type: "string" },
  "mqtt-key": { type: "string" },
  "mqtt-username": { type: "string" },
  "mqtt-password-file": { type: "string" },
  "broker-port": { type: "string" },
  "broker-host": { type: "string" },
  "broker-password-file": { type: "string" },
  "broker-tls-cert": { type: "string" },
  "broker-tls-key": { type: "string" },
} as const;

export const MQTT_HELP = `  --mqtt URL         MQTT broker (MQTT 5). Without it lam starts its own broker (MQTT 3.1.1) on --broker-port
  --mqtt-ca FILE     PEM CA that signed the broker's certificate (mqtts://)
  --mqtt-cert FILE   this client's PEM certificate, with --mqtt-key FILE its private key
  --mqtt-username U  login name; --mqtt-password-file FILE: its password (first line; never on the command line)
  --broker-port N    port of the built-in broker (default 1883; a free port if 1883 is taken; 0 = any free port)
  --broker-host H    address the built-in broker listens on (default 127.0.0.1; any other needs --broker-password-file)
  --broker-password-file FILE  user:password lines: who may log in to the built-in broker (anonymous is then refused)
  --broker-tls-cert FILE, --broker-tls-key FILE  the built-in broker speaks TLS (mqtts://) with this certificate
  (docs/mqtt-security.md: a Mosquitto with TLS, passwords and an ACL so only the vehicle feeds and only lam commands)
`;

export type MqttFlagValues = { [K in keyof typeof MQTT_FLAGS]?: string | undefined };

/** The client half of MQTT_FLAGS: what `lam replay` and `lam sim` take to publish to an external broker. */
export const MQTT_CLIENT_FLAGS = {
  mqtt: MQTT_FLAGS.mqtt,
  "mqtt-ca": MQTT_FLAGS["mqtt-ca"],
  "mqtt-cert": MQTT_FLAGS["mqtt-cert"],
  "mqtt-key": MQTT_FLAGS["mqtt-key"],
  "mqtt-username": MQTT_FLAGS["mqtt-username"],
  "mqtt-password-file": MQTT_FLAGS["mqtt-password-file"],
} as const;


function portOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--broker-port ${v}: expected a port 0..65535`);
  return n;
}

/** Checks the flags against each other before anything starts. */
export function checkMqttFlags(v: MqttFlagValues): void {
  const broker = (["broker-port", "broker-host", "broker-password-file", "broker-tls-cert", "broker-tls-key"] as const).filter((k) => v[k] !== undefined);
  const client = (["mqtt-ca", "mqtt-cert", "mqtt-key", "mqtt-username", "mqtt-password-file"] as const).filter((k) => v[k] !== undefined);
  if (v.mqtt !== undefined && broker.length > 0) throw new UsageError(`--${broker[0]} is for the built-in broker: leave it out with --mqtt`);
  if (v.mqtt === undefined && client.length > 0) throw new UsageError(`--${client[0]} is for an external broker: it needs --mqtt URL`);
  if ((v["mqtt-cert"] === undefined) !== (v["mqtt-key"] === undefined)) throw new UsageError("--mqtt-cert and --mqtt-key go together");
  if ((v["broker-tls-cert"] === undefined) !== (v["broker-tls-key"] === undefined)) throw new UsageError("--broker-tls-cert and --broker-tls-key go together");
  if (v["mqtt-password-file"] !== undefined && v["mqtt-username"] === undefined && !/^[a-z][a-z0-9+.-]*:\/\/[^/@]+@/i.test(v.mqtt ?? ""))
    throw new UsageError("--mqtt-password-file needs --mqtt-username");
  portOf(v["broker-port"]);
}

function isAddrInUse(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "EADDRINUSE";
}

export interface RunMqtt {
  /** The broker's URL as printed (credentials redacted). */
  readonly shownUrl: string;
  /** Options for the node's connection and for the demo vehicle's. */
  readonly node: MqttOptions;
  readonly feeder: MqttOptions;
  readonly broker?: EmbeddedBroker;
}

/** Starts the built-in broker (without --mqtt) and works out how the node and the demo vehicle log in. */
/** Options for a client of the external broker --mqtt names (login and TLS from the flags); warns of a password in the URL. */
export function externalMqttOptions(v: MqttFlagValues & { mqtt: string }, base: { vehicle: string; codec?: CodecName }, log: (line: string) => void): MqttOptions {
  if (urlHasPassword(v.mqtt)) log("warning: the --mqtt URL holds a password (ps and shell history show it): use --mqtt-username and --mqtt-password-file");
  return {
    url: v.mqtt,
    ...base,
    ...(v["mqtt-username"] === undefined ? {} : { username: v["mqtt-username"] }),
    ...(v["mqtt-password-file"] === undefined ? {} : { passwordFile: v["mqtt-password-file"] }),
    tls: {
      ...(v["mqtt-ca"] === undefined ? {} : { ca: v["mqtt-ca"] }),
      ...(v["mqtt-cert"] === undefined ? {} : { cert: v["mqtt-cert"] }),
      ...(v["mqtt-key"] === undefined ? {} : { key: v["mqtt-key"] }),
    },
  };
}

export async function openRunMqtt(v: MqttFlagValues, base: { vehicle: string; codec: CodecName }, log: (line: string) => void): Promise<RunMqtt> {
  if (v.mqtt !== undefined) {
    const node = externalMqttOptions({ ...v, mqtt: v.mqtt }, base, log);
    return { shownUrl: redactUrl(v.mqtt), node, feeder: { ...node, lastWill: false } };
  }
  const requested = portOf(v["broker-port"]);
  const usersFile = v["broker-password-file"];
  const opts = {
    ...(v["broker-host"] === undefined ? {} : { host: v["broker-host"] }),
    ...(usersFile === undefined ? {} : { users: parseUserFile(readUserFile(usersFile), usersFile) }),
    ...(v["broker-tls-cert"] && v["broker-tls-key"] ? { tls: { cert: v["broker-tls-cert"], key: v["broker-tls-key"] } } : {}),
  };
  let broker: EmbeddedBroker;
  try {
    broker = await startEmbeddedBroker({ ...opts, port: requested ?? 1883 });
  } catch (err) {
    if (requested !== undefined || !isAddrInUse(err)) throw err;
    broker = await startEmbeddedBroker({ ...opts, port: 0 });
    log(`port 1883 is taken: the built-in broker listens on ${broker.port} instead`);
  }
  const login = opts.users ? `, login required (${opts.users.size} user${opts.users.size === 1 ? "" : "s"})` : ", anonymous clients may feed samples";
  log(`built-in MQTT broker on ${broker.url}${login}; only this node publishes command, prediction and status`);
  const local = { url: broker.localUrl, ...base, protocolVersion: 4 as const };
  return { shownUrl: broker.url, node: { ...local, ...broker.nodeLogin }, feeder: { ...local, ...broker.feederLogin, lastWill: false }, broker };
}

function readUserFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`--broker-password-file ${file}: ${(err as { code?: string }).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
}
