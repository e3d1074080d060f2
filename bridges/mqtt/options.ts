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
  readonly password?: string;
}

export interface ResolvedMqttOptions extends Required<Omit<MqttOptions, "qos" | "backoff" | "username" | "password" | "clientId">> {
  readonly qos: MqttQos;
  readonly backoff: BackoffOptions;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
}

export const DEFAULT_QOS: MqttQos = { samples: 0, predictions: 0, commands: 1, status: 1 };

export function resolveMqttOptions(opts: MqttOptions): ResolvedMqttOptions {
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
  };
}
