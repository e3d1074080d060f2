import type { ActionSequence } from "../../dynamics/types.js";
import type { Sample } from "../../perception/types.js";
import type { Command } from "../../policy/types.js";
import { commandFromWire, commandToWire } from "../codec/command-wire.js";
import { BridgeInputError, type ActionSink, type NodeStatus } from "../codec/live.js";
import { predictionToWire } from "../codec/prediction-wire.js";
import { sampleToWire } from "../codec/sample-wire.js";
import { BridgeCounters } from "../codec/stats.js";
import { statusToWire } from "../codec/status-wire.js";
import type { MqttLink } from "./link.js";

/**
 * Predictions, commands and status to lam/<vehicle>/{prediction,command,status}. Status is retained and
 * re-published after every reconnect, so a late subscriber (or one after a broker restart) sees the truth.
 */
export function mqttActionSink(link: MqttLink): ActionSink {
  const counters = new BridgeCounters();
  const release = link.acquire();
  const { topics, options } = link;
  const inFlight = new Set<Promise<void>>();
  let lastStatus: NodeStatus | undefined;
  let closed = false;

  const send = (topic: string, value: unknown, qos: 0 | 1 | 2, retain = false): void => {
    if (closed) return;
    counters.received++;
    // MQTT.js would queue a QoS 1 publish while offline and deliver it after the reconnect: a command that
    // reaches an actuator seconds late is worse than none, so only the (retained) status waits for the link.
    if (!retain && !link.connected()) {
      counters.reject(new BridgeInputError(topic, "publish_failed", "broker not connected: dropped, not queued"));
      return;
    }
    const p = link.publish(topic, value, qos, retain).then(
      () => void counters.accepted++,
      (err: Error) => counters.reject(new BridgeInputError(topic, "publish_failed", err.message)),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const refuse = (err: unknown, topic: string): void => {
    counters.received++;
    counters.reject(err instanceof BridgeInputError ? err : new BridgeInputError(topic, "malformed", String(err)));
  };

  const offReconnect = link.onReconnect(() => {
    if (lastStatus) send(topics.status, statusToWire(lastStatus), options.qos.status, true);
  });

  return {
    publishPrediction(seq: ActionSequence) {
      send(topics.prediction, predictionToWire(seq), options.qos.predictions);
    },
    publishCommand(cmd: Command) {
      // Checked on the way out too: a non-finite command must never reach an actuator.
      let wire;
      try {
        wire = commandToWire(commandFromWire(commandToWire(cmd), topics.command));
      } catch (err) {
        refuse(err, topics.command);
        return;
      }
      send(topics.command, wire, options.qos.commands);
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
