// Ingress: an MQTT sample payload straight through the node's decoder (decodeInbound: size, content type, codec),
// the wire check (sampleFromWire) and the per-channel gate (SampleGate: unknown channels, time going back or
// jumping), for volume: no broker, no scheduler. A BridgeInputError is a rejection (counted by its reason);
// anything else thrown is a crash; an accepted sample must carry finite numbers.
import { BridgeInputError } from "../../bridges/codec/live.js";
import { jsonCodec, msgpackCodec } from "../../bridges/codec/payload-codec.js";
import { sampleFromWire } from "../../bridges/codec/sample-wire.js";
import { SampleGate } from "../../bridges/codec/sample-gate.js";
import { decodeInbound, type InboundMessage } from "../../bridges/mqtt/inbound.js";
import { hostileTime, hostileValue } from "./hostile.js";
import type { Rng } from "./rng.js";
import { show, Tally, type IngressReport } from "./tally.js";

const MAX_BYTES = 64 * 1024;
const CHANNELS = ["speed", "yaw_rate", "accel", "lat_accel", "speed_cmd", "steer_cmd"];

/** One generated message: mostly well-formed envelopes with hostile contents, some raw garbage. */
export function hostileMessage(rng: Rng, now: number): { msg: InboundMessage; channel: string } {
  const channel = rng.chance(0.9) ? rng.pick(CHANNELS) : rng.pick(["speed@x", "nope", "", "speed@" + "a".repeat(rng.int(300)), "../command", "steer_cmd@#"]);
  const topic = `lam/fuzz/in/${channel}`;
  const contentType = rng.pick([undefined, "application/msgpack", "application/json", "text/plain", "application/msgpack; charset=x"]);
  const codec = contentType === "application/json" ? jsonCodec : msgpackCodec;
  let payload: Uint8Array;
  switch (rng.int(6)) {
    case 0:
      payload = rng.bytes(rng.int(64));
      break;
    case 1: {
      const good = codec.encode({ t: now, value: 1 });
      payload = good.subarray(0, rng.int(good.byteLength)); // truncated
      break;
    }
    case 2:
      payload = new Uint8Array(MAX_BYTES + 1 + rng.int(1000)); // oversized
      break;
    default: {
      const body: Record<string, unknown> = { t: rng.chance(0.8) ? hostileTime(rng, now) : hostileValue(rng), value: rng.chance(0.5) ? rng.next() * 4 - 2 : hostileValue(rng) };
      if (rng.chance(0.1)) body.extra = hostileValue(rng);
      try {
        payload = codec.encode(rng.chance(0.05) ? hostileValue(rng) : body);
      } catch {
        // Not encodable by this codec (e.g. a BigInt in JSON): send raw bytes instead.
        payload = rng.bytes(1 + rng.int(32));
      }
    }
  }
  return { msg: contentType === undefined ? { topic, payload } : { topic, payload, contentType }, channel };
}

export function fuzzPayloads(rng: Rng, inputs: number): IngressReport {
  const tally = new Tally("MQTT payload decoder");
  const gate = new SampleGate();
  let now = 1_700_000_000;
  for (let i = 0; i < inputs; i++) {
    now += 0.001;
    let generated: ReturnType<typeof hostileMessage>;
    try {
      generated = hostileMessage(rng, now);
    } catch (e) {
      tally.harness(e);
      continue;
    }
    const { msg, channel } = generated;
    tally.inputs++;
    try {
      const raw = decodeInbound(msg, msgpackCodec, MAX_BYTES);
      gate.checkChannel(channel, msg.topic);
      const sample = sampleFromWire(raw, channel, msg.topic);
      gate.admit(sample, msg.topic);
      const values = typeof sample.value === "number" ? [sample.value] : Array.from(sample.value);
      if (!Number.isFinite(sample.t) || !values.every(Number.isFinite)) tally.nonfinite++;
      tally.accepted++;
    } catch (e) {
      if (e instanceof BridgeInputError) tally.reject(e.reason);
      else tally.crash(e, `${msg.topic} ${msg.contentType ?? "-"} ${show(msg.payload)}`);
    }
  }
  return tally.report("decodeInbound → sampleFromWire → SampleGate, in process");
}
