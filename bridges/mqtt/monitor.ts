import { Subject } from "rxjs";
import type { ActionSequence } from "../../dynamics/types.js";
import type { Command } from "../../policy/types.js";
import { BridgeInputError, type NodeStatus } from "../codec/live.js";
import { handleCommand, handlePrediction, handleStatus, type DecodeContext } from "./handlers.js";
import { inboundMessage, type InboundMessage } from "./inbound.js";
import type { MqttLink, MessageListener } from "./link.js";
import { mqttTopics } from "./topics.js";

/** What a lam node publishes, read back: for dashboards, a second node, and the tests. */
export interface MqttMonitor {
  readonly predictions$: Subject<ActionSequence>;
  readonly commands$: Subject<Command>;
  readonly statuses$: Subject<NodeStatus>;
  readonly errors$: Subject<BridgeInputError>;
  close(): Promise<void>;
}

/** Watches `vehicle` (default: the link's own) through `link`. */
export async function mqttMonitor(link: MqttLink, vehicle = link.options.vehicle): Promise<MqttMonitor> {
  const topics = mqttTopics(vehicle);
  const ctx: DecodeContext = { codec: link.codec, maxPayloadBytes: link.options.maxPayloadBytes };
  const monitor: MqttMonitor = {
    predictions$: new Subject(),
    commands$: new Subject(),
    statuses$: new Subject(),
    errors$: new Subject(),
    close: async () => undefined,
  };
  const route =
    <T>(handle: (ctx: DecodeContext, msg: InboundMessage) => T, out: Subject<T>): MessageListener =>
    (topic, payload, packet) => {
      try {
        out.next(handle(ctx, inboundMessage(topic, payload, packet)));
      } catch (err) {
        monitor.errors$.next(err instanceof BridgeInputError ? err : new BridgeInputError(topic, "malformed", String(err)));
      }
    };
  const release = link.acquire();
  const { qos } = link.options;
  const offs = [
    await link.subscribe(topics.prediction, qos.predictions, route(handlePrediction, monitor.predictions$)),
    await link.subscribe(topics.command, qos.commands, route(handleCommand, monitor.commands$)),
    await link.subscribe(topics.status, qos.status, route(handleStatus, monitor.statuses$)),
  ];
  return {
    ...monitor,
    async close() {
      for (const off of offs) await off();
      for (const s of [monitor.predictions$, monitor.commands$, monitor.statuses$, monitor.errors$]) s.complete();
      await release();
    },
  };
}
