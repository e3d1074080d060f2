import type { IPublishPacket } from "mqtt";
import { BridgeInputError } from "../codec/live.js";
import { codecByContentType, type PayloadCodec } from "../codec/payload-codec.js";

/** A message off the wire, before its payload is decoded. */
export interface InboundMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** MQTT 5 content type; absent under MQTT 3.1.1 or when the publisher set none. */
  readonly contentType?: string;
}

export function inboundMessage(topic: string, payload: Uint8Array, packet: IPublishPacket): InboundMessage {
  const contentType = packet.properties?.contentType;
  return contentType === undefined ? { topic, payload } : { topic, payload, contentType };
}

/**
 * The decoded payload: size checked first (so a huge payload is never parsed), then the codec the content
 * type names, else the link's own codec.
 */
export function decodeInbound(msg: InboundMessage, fallback: PayloadCodec, maxBytes: number): unknown {
  if (msg.payload.byteLength > maxBytes)
    throw new BridgeInputError(msg.topic, "oversized", `payload of ${msg.payload.byteLength} bytes exceeds the limit of ${maxBytes}`);
  let codec = fallback;
  if (msg.contentType !== undefined) {
    const named = codecByContentType(msg.contentType);
    if (!named) throw new BridgeInputError(msg.topic, "content_type", `content type "${msg.contentType}" is not application/msgpack or application/json`);
    codec = named;
  }
  if (msg.payload.byteLength === 0) throw new BridgeInputError(msg.topic, "malformed", "empty payload");
  try {
    return codec.decode(msg.payload);
  } catch (err) {
    throw new BridgeInputError(msg.topic, "malformed", `not valid ${codec.name} (${msg.payload.byteLength} bytes): ${(err as Error).message}`);
  }
}
