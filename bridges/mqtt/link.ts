import mqtt from "mqtt";
import type { IClientPublishOptions, IPublishPacket, MqttClient } from "mqtt";
import { codecByName, type PayloadCodec } from "../codec/payload-codec.js";
import { statusToWire } from "../codec/status-wire.js";
import { backoffDelay } from "./backoff.js";
import { fatalConnectError } from "./connect-errors.js";
import { readMqttSecrets } from "./secrets.js";
import { redactUrl, resolveMqttOptions, type MqttOptions, type QoS, type ResolvedMqttOptions } from "./options.js";
import { mqttTopics, type MqttTopics } from "./topics.js";

export type MessageListener = (topic: string, payload: Uint8Array, packet: IPublishPacket) => void;

/**
 * One MQTT connection shared by a node's source and sink: the client, its codec and topics, the last will,
 * and reconnection with backoff. Sources and sinks acquire() it; it ends when the last one releases it.
 */
export interface MqttLink {
  readonly options: ResolvedMqttOptions;
  readonly codec: PayloadCodec;
  readonly topics: MqttTopics;
  readonly client: MqttClient;
  connected(): boolean;
  reconnects(): number;
  lastError(): string | undefined;
  /** Publish `value` encoded with the link's codec (content type attached under MQTT 5). */
  publish(topic: string, value: unknown, qos: QoS, retain?: boolean): Promise<void>;
  subscribe(filter: string, qos: QoS, listener: MessageListener): Promise<() => Promise<void>>;
  /** Called after every reconnect (not the first connect): re-publish what must be retained. */
  onReconnect(listener: () => void): () => void;
  acquire(): () => Promise<void>;
  close(): Promise<void>;
}

/** How long close() waits for the broker to take the last messages before it drops the connection. */
export const CLOSE_GRACE_MS = 1000;

/** The last will: the broker publishes it, retained, when the connection dies without a DISCONNECT. */
export const WILL_STATUS = { state: "offline", detail: "connection lost" } as const;

export async function connectMqtt(opts: MqttOptions): Promise<MqttLink> {
  const options = resolveMqttOptions(opts);
  const codec = codecByName(options.codec);
  const topics = mqttTopics(options.vehicle);
  const v5 = options.protocolVersion === 5;
  const properties = v5 ? { properties: { contentType: codec.contentType } } : {};
  // The URL as every message shows it: a password in it is never printed.
  const where = redactUrl(options.url);
  const secrets = readMqttSecrets(options);

  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    protocolVersion: options.protocolVersion,
    clean: true,
    keepalive: options.keepaliveS,
    // MQTT.js retries on a fixed period; lam schedules its own attempts with backoff (below).
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(secrets.password === undefined ? {} : { password: secrets.password }),
    ...(secrets.ca ? { ca: secrets.ca } : {}),
    ...(secrets.cert ? { cert: secrets.cert } : {}),
    ...(secrets.key ? { key: secrets.key } : {}),
    ...(options.lastWill
      ? {
          will: {
            topic: topics.status,
            payload: Buffer.from(codec.encode(statusToWire(WILL_STATUS))),
            qos: options.qos.status,
            retain: true,
            ...properties,
          },
        }
      : {}),
  });

  let connected = false;
  let everConnected = false;
  let closing = false;
  let attempt = 0;
  let reconnects = 0;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let refs = 0;
  const messageListeners = new Map<string, Set<MessageListener>>();
  // MQTT.js only renews subscriptions itself when it schedules the reconnects; here lam does both.
  const subscriptions = new Map<string, QoS>();
  const reconnectListeners = new Set<() => void>();

  client.on("error", (err) => {
    lastError = redactUrl(`${where}: ${err.message}`);
  });
  client.on("connect", () => {
    connected = true;
    attempt = 0;
    if (everConnected) {
      reconnects++;
      for (const [filter, qos] of subscriptions)
        client.subscribe(filter, { qos }, (err) => {
          if (err) lastError = `${where}: resubscribe ${filter}: ${err.message}`;
        });
      for (const l of reconnectListeners) l();
    }
    everConnected = true;
  });
  client.on("close", () => {
    connected = false;
    if (closing || timer) return;
    const delay = backoffDelay(attempt++, options.backoff);
    timer = setTimeout(() => {
      timer = undefined;
      // Keep the stores: in-flight QoS 1 packets complete after the reconnect (the sink itself sends no command while offline).
      if (!closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  });
  // One "message" listener, dispatching by subscription filter: each filter has its own handlers.
  client.on("message", (topic, payload, packet) => {
    for (const [filter, listeners] of messageListeners) {
      if (!topicMatches(filter, topic)) continue;
      for (const l of listeners) l(topic, payload, packet);
    }
  });

  await new Promise<void>((resolve, reject) => {
    const giveUp = (message: string): void => {
      cleanup();
      closing = true;
      clearTimeout(timer);
      client.end(true);
      reject(new Error(message));
    };
    const deadline = setTimeout(
      () => giveUp(`MQTT broker ${where} did not accept a connection within ${options.connectTimeoutMs} ms${lastError ? ` (${lastError})` : ""}`),
      options.connectTimeoutMs,
    );
    const onConnect = (): void => {
      cleanup();
      resolve();
    };
    // A refused login or a certificate either side rejects will not change by retrying: fail now, in one line.
    const onError = (err: Error): void => {
      const fatal = fatalConnectError(err, options.tls);
      if (fatal) giveUp(`MQTT broker ${where}: ${fatal}`);
    };
    const cleanup = (): void => {
      clearTimeout(deadline);
      client.off("connect", onConnect);
      client.off("error", onError);
    };
    client.on("connect", onConnect);
    client.on("error", onError);
  });

  const link: MqttLink = {
    options,
    codec,
    topics,
    client,
    connected: () => connected,
    reconnects: () => reconnects,
    lastError: () => lastError,
    publish(topic, value, qos, retain = false) {
      const publishOptions: IClientPublishOptions = { qos, retain, ...properties };
      return new Promise((resolve, reject) => {
        let bytes: Buffer;
        try {
          bytes = Buffer.from(codec.encode(value));
        } catch (err) {
          reject(new Error(`${topic}: cannot encode with ${codec.name}: ${(err as Error).message}`));
          return;
        }
        client.publish(topic, bytes, publishOptions, (err) => (err ? reject(new Error(`${topic}: ${err.message}`)) : resolve()));
      });
    },
    async subscribe(filter, qos, listener) {
      let set = messageListeners.get(filter);
      if (!set) messageListeners.set(filter, (set = new Set()));
      set.add(listener);
      const previousQos = subscriptions.get(filter);
      subscriptions.set(filter, Math.max(qos, previousQos ?? 0) as QoS);
      const unsubscribe = async () => {
        set.delete(listener);
        if (set.size > 0) return;
        messageListeners.delete(filter);
        subscriptions.delete(filter);
        if (client.connected && !closing) await client.unsubscribeAsync(filter).catch(() => undefined);
      };
      try {
        await client.subscribeAsync(filter, { qos });
      } catch (e) {
        // A refused subscription must not stay registered (nor be renewed on every reconnect).
        if (previousQos === undefined) await unsubscribe();
        else set.delete(listener);
        throw e;
      }
      return unsubscribe;
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    acquire() {
      refs++;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        if (--refs === 0) await link.close();
      };
    },
    async close() {
      if (closing) return;
      closing = true;
      clearTimeout(timer);
      // A normal DISCONNECT: the broker discards the will (the sink has published "offline" itself). A broker that
      // stopped answering would hold a graceful end forever (it waits for acknowledgements): force it after a while.
      if (!client.connected) return void (await client.endAsync(true));
      let grace: NodeJS.Timeout | undefined;
      const stuck = new Promise<"stuck">((resolve) => (grace = setTimeout(() => resolve("stuck"), CLOSE_GRACE_MS)));
      const r = await Promise.race([client.endAsync(false).then(() => "done" as const), stuck]);
      clearTimeout(grace);
      if (r === "stuck") await client.endAsync(true);
    },
  };
  return link;
}

/** MQTT filter matching for the two wildcards (+ one level, # the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
