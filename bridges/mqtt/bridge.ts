import type { ActionSink, SampleSource } from "../codec/live.js";
import { connectMqtt, type MqttLink } from "./link.js";
import type { MqttOptions } from "./options.js";
import { mqttActionSink, type MqttSinkOptions } from "./sink.js";
import { mqttSampleSource, type MqttSampleSourceOptions } from "./source.js";

export interface MqttBridge {
  readonly link: MqttLink;
  readonly source: SampleSource;
  readonly sink: ActionSink;
  /** Publishes "offline" (retained), unsubscribes, disconnects. */
  close(): Promise<void>;
}

/** A node's MQTT side in one call: one connection, a sample source and an action sink on it. */
export async function openMqttBridge(opts: MqttOptions & MqttSampleSourceOptions & MqttSinkOptions): Promise<MqttBridge> {
  const link = await connectMqtt(opts);
  const sink = mqttActionSink(link, opts);
  const source = await mqttSampleSource(link, opts);
  return {
    link,
    source,
    sink,
    async close() {
      await source.close();
      await sink.close();
    },
  };
}
