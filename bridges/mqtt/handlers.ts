import type { ActionSequence } from "../../dynamics/types.js";
import type { Sample } from "../../perception/types.js";
import type { Command } from "../../policy/types.js";
import type { NodeStatus } from "../codec/live.js";
import type { PayloadCodec } from "../codec/payload-codec.js";
import { commandFromWire } from "../codec/command-wire.js";
import { predictionFromWire } from "../codec/prediction-wire.js";
import { sampleFromWire } from "../codec/sample-wire.js";
import { statusFromWire } from "../codec/status-wire.js";
import { decodeInbound, type InboundMessage } from "./inbound.js";

/** What every handler needs to decode a payload. */
export interface DecodeContext {
  readonly codec: PayloadCodec;
  readonly maxPayloadBytes: number;
}

// One handler per message kind (as MQTT.js has one per packet type): decode, then check the shape.
// Each returns the checked value or throws a BridgeInputError naming the topic and the field.

export function handleSample(ctx: DecodeContext, msg: InboundMessage, channel: string): Sample {
  // The topic is the source, as a ROS topic is for the ROS 2 bridge.
  return sampleFromWire(decodeInbound(msg, ctx.codec, ctx.maxPayloadBytes), channel, msg.topic, msg.topic);
}

export function handlePrediction(ctx: DecodeContext, msg: InboundMessage): ActionSequence {
  return predictionFromWire(decodeInbound(msg, ctx.codec, ctx.maxPayloadBytes), msg.topic);
}

export function handleCommand(ctx: DecodeContext, msg: InboundMessage): Command {
  return commandFromWire(decodeInbound(msg, ctx.codec, ctx.maxPayloadBytes), msg.topic);
}

export function handleStatus(ctx: DecodeContext, msg: InboundMessage): NodeStatus {
  return statusFromWire(decodeInbound(msg, ctx.codec, ctx.maxPayloadBytes), msg.topic);
}
