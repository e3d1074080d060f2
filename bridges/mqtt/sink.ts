import type { ActionSequence } from "../../dynamics/types.js";
import type { Sample } from "../../perception/types.js";
import type { Command } from "../../policy/types.js";
import { commandFromWire, commandToWire } from "../codec/command-wire.js";
import { BridgeInputError, type ActionSink, type NodeStatus } from "../codec/live.js";
import { predictionToWire } from "../codec/prediction-wire.js";
import { sampleToWire } from "../codec/sample-wire.js";
import { BridgeCounters } from "../codec/stats.js";
import { statusToWire } from "../codec/status-wire.js";
import { AckWatch } from "./ack-watch.js";
import type { MqttLink } from "./link.js";

export interface MqttSinkOptions {
  /**
   * How old (ms) a command or prediction may be and still go out. A stamped one (the live node stamps each with its
   * tick time) older than this is dropped as "stale"; so is everything while the broker has left a publish
   * unacknowledged for longer (a paused broker would deliver the backlog at once, seconds late); a command still
   * unacknowledged after it is withdrawn from the client's queue (never re-sent after a reconnect). Also the MQTT 5
   * message expiry of both, rounded up to whole seconds (the protocol's unit), and `expires` in the payload so a
   * receiver can drop late ones at the true bound. Default 100 ms: two control periods at 20 Hz (a loaded host acks slower than one).
   */
  readonly expiryMs?: number;
  /** The clock stamps are read against (ms, Unix on the wall clock). Default Date.now. */
  readonly now?: () => number;
}

export const DEFAULT_EXPIRY_MS = 100;

/**
 * Predictions, commands and status to lam/<vehicle>/{prediction,command,status}. Status is retained and
 * re-published after every reconnect, so a late subscriber (or one after a broker restart) sees the truth.
 */
export function mqttActionSink(link: MqttLink, opts: MqttSinkOptions = {}): ActionSink {
  const counters = new BridgeCounters();
  const release = link.acquire();
  const { topics, options } = link;
  const expiryMs = opts.expiryMs ?? DEFAULT_EXPIRY_MS;
  if (!(expiryMs > 0 && Number.isFinite(expiryMs))) throw new Error(`command expiry ${expiryMs} ms must be a positive number`);
  const now = opts.now ?? Date.now;
  const v5 = options.protocolVersion === 5;
  const acks = new AckWatch();
  // Stamped (live) commands the client may still (re)send: withdrawn once older than the bound. A replay's unstamped
  // commands are about recorded time and published faster than real time: they are never withdrawn.
  const queued = new Map<number, { sentMs: number }>();
  const inFlight = new Set<Promise<void>>();
  let lastStatus: NodeStatus | undefined;
  let closed = false;

  const withdrawOld = (): void => {
    const t = now();
    for (const [mid, q] of queued)
      if (t - q.sentMs > expiryMs) {
        queued.delete(mid);
        // Its callback reports "Message removed": counted there as stale.
        link.client.removeOutgoingMessage(mid);
      }
  };
  const sweep = setInterval(withdrawOld, Math.max(10, expiryMs));
  sweep.unref();

  /** Why a stamped message must not go out now, or undefined. */
  const tooLate = (stampMs: number | undefined, what: string): string | undefined => {
    if (stampMs === undefined) return undefined;
    const t = now();
    const age = t - stampMs;
    if (age > expiryMs) return `${what} is ${age.toFixed(0)} ms old (limit ${expiryMs} ms): dropped`;
    const waiting = acks.waitingMs(t);
    if (waiting > expiryMs) return `the broker has not acknowledged a publish for ${waiting.toFixed(0)} ms (limit ${expiryMs} ms): ${what} dropped, not queued`;
    return undefined;
  };

  /** A command or prediction with its expiry: straight on the client, to set the expiry and know the message id. */
  const sendExpiring = (topic: string, body: Record<string, unknown>, qos: 0 | 1 | 2, stampMs: number | undefined): void => {
    counters.received++;
    if (!link.connected()) {
      counters.reject(new BridgeInputError(topic, "publish_failed", "broker not connected: dropped, not queued"));
      return;
    }
    const wire = stampMs === undefined ? body : { ...body, stamp: stampMs / 1000, expires: (stampMs + expiryMs) / 1000 };
    let bytes: Buffer;
    try {
      bytes = Buffer.from(link.codec.encode(wire));
    } catch (err) {
      counters.reject(new BridgeInputError(topic, "malformed", `cannot encode with ${link.codec.name}: ${(err as Error).message}`));
      return;
    }
    const properties = v5 ? { properties: { contentType: link.codec.contentType, messageExpiryInterval: Math.max(1, Math.ceil(expiryMs / 1000)) } } : {};
    const sentMs = now();
    const token = qos > 0 ? acks.sent(sentMs) : -1;
    let mid = -1;
    link.client.publish(topic, bytes, { qos, retain: false, ...properties }, (err) => {
      if (mid >= 0) queued.delete(mid);
      if (!err) {
        if (token >= 0) acks.acked(token);
        counters.accepted++;
      } else if (err.message === "Message removed") {
        counters.reject(new BridgeInputError(topic, "stale", `not acknowledged within ${expiryMs} ms: withdrawn, never re-sent`));
      } else {
        if (token >= 0) acks.forget(token);
        counters.reject(new BridgeInputError(topic, "publish_failed", err.message));
      }
    });
    if (qos > 0 && stampMs !== undefined) {
      const id = link.client.getLastMessageId();
      if (typeof id === "number") {
        mid = id;
        queued.set(id, { sentMs });
      }
    }
  };

  const send = (topic: string, value: unknown, qos: 0 | 1 | 2, retain = false): void => {
    if (closed) return;
    counters.received++;
    // MQTT.js would queue a QoS 1 publish while offline and deliver it after the reconnect: a command that
    // reaches an actuator seconds late is worse than none, so only the (retained) status waits for the link.
    if (!retain && !link.connected()) {
      counters.reject(new BridgeInputError(topic, "publish_failed", "broker not connected: dropped, not queued"));
      return;
    }
    // The status is a probe of the link too: its ack ends a stall.
    const token = qos > 0 ? acks.sent(now()) : -1;
    const p = link.publish(topic, value, qos, retain).then(
      () => {
        if (token >= 0) acks.acked(token);
        counters.accepted++;
      },
      (err: Error) => {
        if (token >= 0) acks.forget(token);
        counters.reject(new BridgeInputError(topic, "publish_failed", err.message));
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const refuse = (err: unknown, topic: string): void => {
    counters.received++;
    counters.reject(err instanceof BridgeInputError ? err : new BridgeInputError(topic, "malformed", String(err)));
  };

  const offReconnect = link.onReconnect(() => {
    acks.clear();
    if (lastStatus) send(topics.status, statusToWire(lastStatus), options.qos.status, true);
  });

  return {
    publishPrediction(seq: ActionSequence, stampMs?: number) {
      if (closed) return;
      const late = tooLate(stampMs, "prediction");
      if (late) return refuse(new BridgeInputError(topics.prediction, "stale", late), topics.prediction);
      sendExpiring(topics.prediction, predictionToWire(seq), options.qos.predictions, stampMs);
    },
    publishCommand(cmd: Command, stampMs?: number) {
      if (closed) return;
      // Checked on the way out too: a non-finite command must never reach an actuator.
      let wire;
      try {
        wire = commandToWire(commandFromWire(commandToWire(cmd), topics.command));
      } catch (err) {
        refuse(err, topics.command);
        return;
      }
      withdrawOld();
      const late = tooLate(stampMs, "command");
      if (late) return refuse(new BridgeInputError(topics.command, "stale", late), topics.command);
      sendExpiring(topics.command, wire, options.qos.commands, stampMs);
    },
    publishStatus(status: NodeStatus) {
      lastStatus = status;
      send(topics.status, statusToWire(status), options.qos.status, true);
    },
    stats: () => ({ ...counters.snapshot(), connected: link.connected(), reconnects: link.reconnects() }),
    async close() {
      if (closed) return;
      if (link.connected()) send(topics.status, statusToWire({ state: "offline", t: Date.now() / 1000, detail: "closed" }), options.qos.status, true);
      closed = true;
      clearInterval(sweep);
      offReconnect();
      await Promise.all(inFlight);
      await release();
    },
  };
}

/** Samples onto lam/<vehicle>/in/<channel>: how a replay or a test feeds a live node. */
export function mqttSamplePublisher(link: MqttLink): { publishSample(sample: Sample): Promise<void>; close(): Promise<void> } {
  const release = link.acquire();
  return {
    publishSample: (sample) => link.publish(link.topics.sample(sample.channel), sampleToWire(sample), link.options.qos.samples),
    close: release,
  };
}
