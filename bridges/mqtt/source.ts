import { Subject } from "rxjs";
import type { Sample } from "../../perception/types.js";
import { BridgeInputError, type SampleSource } from "../codec/live.js";
import { BridgeCounters } from "../codec/stats.js";
import { handleSample } from "./handlers.js";
import { inboundMessage } from "./inbound.js";
import type { MqttLink } from "./link.js";
import { SampleGate, type SampleGateOptions } from "../codec/sample-gate.js";
import { parseTopic } from "./topics.js";

export interface MqttSampleSourceOptions extends SampleGateOptions {
  /** Take retained samples too. Default false: a retained sample was stamped whenever it was published, and would
   * greet every restart of the node with the same (possibly hostile) time. */
  readonly acceptRetained?: boolean;
}

/**
 * Samples from lam/<vehicle>/in/<channel>. Every message is checked on its own: a bad one is counted and
 * reported on errors$, and the good ones beside it go through in arrival order.
 */
export async function mqttSampleSource(link: MqttLink, opts: MqttSampleSourceOptions = {}): Promise<SampleSource> {
  const samples$ = new Subject<Sample>();
  const errors$ = new Subject<BridgeInputError>();
  const counters = new BridgeCounters();
  const gate = new SampleGate(opts);
  const ctx = { codec: link.codec, maxPayloadBytes: link.options.maxPayloadBytes };
  const release = link.acquire();

  const unsubscribe = await link.subscribe(link.topics.samples, link.options.qos.samples, (topic, payload, packet) => {
    counters.received++;
    let sample: Sample;
    try {
      const kind = parseTopic(topic);
      if (kind?.kind !== "sample") throw new BridgeInputError(topic, "unknown_channel", "not a lam sample topic");
      if (packet.retain && !opts.acceptRetained)
        throw new BridgeInputError(topic, "retained", "a retained sample is not live data (publish samples without the retain flag)");
      gate.checkChannel(kind.channel, topic);
      sample = handleSample(ctx, inboundMessage(topic, payload, packet), kind.channel);
      gate.admit(sample, topic);
    } catch (err) {
      const error = err instanceof BridgeInputError ? err : new BridgeInputError(topic, "malformed", String(err));
      counters.reject(error);
      errors$.next(error);
      return;
    }
    counters.accepted++;
    samples$.next(sample);
  });

  let closed = false;
  return {
    samples$: samples$.asObservable(),
    errors$: errors$.asObservable(),
    stats: () => ({ ...counters.snapshot(), connected: link.connected(), reconnects: link.reconnects() }),
    async close() {
      if (closed) return;
      closed = true;
      await unsubscribe();
      samples$.complete();
      errors$.complete();
      await release();
    },
  };
}
