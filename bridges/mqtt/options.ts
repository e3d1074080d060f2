import type { BackoffOptions } from "./backoff.js";
import { DEFAULT_BACKOFF } from "./backoff.js";
import type { CodecName } from "../codec/payload-codec.js";

export type QoS = 0 | 1 | 2;

export interface MqttQos {
  /** Samples in: the newest value matters, a lost one is replaced 10 ms later. */
  readonly samples: QoS;
  readonly predictions: QoS;
  /** Commands: delivered at least once. */
  readonly commands: QoS;
  /** Status and its last will (always retained). */
  readonly status: QoS;
}

export interface MqttOptions {
  /** mqtt://host:port, mqtts://, ws:// — anything MQTT.js connects to. */
  readonly url: string;
  readonly vehicle: string;
  /** How lam encodes what it publishes, and how it reads payloads that carry no content type (MQTT 3.1.1). */
  readonly codec?: CodecName;
  /** 5 (default; carries the content type) or 4 (MQTT 3.1.1, e.g. the embedded aedes broker). */
  readonly protocolVersion?: 4 | 5;
  readonly qos?: Partial<MqttQos>;
  readonly clientId?: string;
  /** Payloads larger than this are rejected as "oversized" before decoding. */
  readonly maxPayloadBytes?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** How long connectMqtt waits for the first CONNACK before giving up (ms). */
  readonly connectTimeoutMs?: number;
  readonly keepaliveS?: number;
  readonly username?: string;
  /** A password in memory. From the CLI it comes from `passwordFile`, never from the command line. */
  readonly password?: string;
  /** A file whose first line is the password (read at connect; the password is never printed). */
  readonly passwordFile?: string;
  /** PEM files for mqtts:// and wss://. */
  readonly tls?: MqttTlsFiles;
  /**
   * Leave "offline" as the vehicle's status should this connection die (default true). Only the node's own link
   * should: a feeder or a monitor that dies says nothing about the node.
   */
  readonly lastWill?: boolean;
}

export interface MqttTlsFiles {
  /** The CA that signed the broker's certificate (instead of the system's CAs). */
  readonly ca?: string;
  /** This client's certificate and its private key, for brokers that require one. */
  readonly cert?: string;
  readonly key?: string;
}

export interface ResolvedMqttOptions
  extends Required<Omit<MqttOptions, "qos" | "backoff" | "username" | "password" | "passwordFile" | "tls" | "clientId">> {
  readonly qos: MqttQos;
  readonly backoff: BackoffOptions;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly passwordFile?: string;
  readonly tls: MqttTlsFiles;
}

export const DEFAULT_QOS: MqttQos = { samples: 0, predictions: 0, commands: 1, status: 1 };

export function resolveMqttOptions(opts: MqttOptions): ResolvedMqttOptions {
  if (opts.password !== undefined && opts.passwordFile !== undefined) throw new Error("a password and a password file: give one");
  if ((opts.tls?.cert === undefined) !== (opts.tls?.key === undefined))
    throw new Error(`a client certificate needs both its certificate and its key (got only the ${opts.tls?.cert === undefined ? "key" : "certificate"})`);
  const maxPayloadBytes = opts.maxPayloadBytes ?? 256 * 1024;
  if (!(maxPayloadBytes > 0)) throw new Error(`maxPayloadBytes=${maxPayloadBytes} must be > 0`);
  return {
    url: opts.url,
    vehicle: opts.vehicle,
    codec: opts.codec ?? "msgpack",
    protocolVersion: opts.protocolVersion ?? 5,
    qos: { ...DEFAULT_QOS, ...opts.qos },
    clientId: opts.clientId ?? `lam-${opts.vehicle}-${Math.random().toString(16).slice(2, 10)}`,
    maxPayloadBytes,
    backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    keepaliveS: opts.keepaliveS ?? 10,
    ...(opts.username === undefined ? {} : { username: opts.username }),
    ...(opts.password === undefined ? {} : { password: opts.password }),
    ...(opts.passwordFile === undefined ? {} : { passwordFile: opts.passwordFile }),
    tls: { ...opts.tls },
    lastWill: opts.lastWill ?? true,
  };
}

/**
 * Hides the password of every `scheme://user:password@` in `text` (a URL, or a message that quotes one):
 * `mqtt://user:***@host`. Every URL lam prints goes through here.
 */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/?#]*):[^\s/?#]*@/gi, "$1$2:***@");
}

/** True when the URL carries a password in its user info (which ps, shell history and logs would show). */
export function urlHasPassword(url: string): boolean {
  return redactUrl(url) !== url;
}
