import type { Sample } from "../../perception/types.js";
import { BridgeInputError } from "./live.js";
import { describe, finiteNumber, finiteVector, record } from "./checks.js";

/** A sample on the wire: the channel is in the topic (or the ROS message type), not the payload. */
export interface SampleWire {
  readonly t: number;
  readonly value: number | Float32Array;
}

export function sampleToWire(sample: Sample): SampleWire {
  return { t: sample.t, value: sample.value };
}

/** A checked Sample from a decoded payload, or a BridgeInputError naming `where` and the bad field. */
export function sampleFromWire(raw: unknown, channel: string, where: string, source?: string): Sample {
  const body = record(raw, where);
  const t = finiteNumber(body.t, where, "t");
  const rawValue = body.value;
  let value: number | Float32Array;
  if (typeof rawValue === "number") value = finiteNumber(rawValue, where, "value");
  else if (rawValue === undefined) throw new BridgeInputError(`${where}@value`, "wrong_type", "value is missing");
  else if (Array.isArray(rawValue) || ArrayBuffer.isView(rawValue)) value = finiteVector(rawValue, where, "value");
  else throw new BridgeInputError(`${where}@value`, "wrong_type", `value is not a number or vector: ${describe(rawValue)}`);
  return source === undefined ? { channel, t, value } : { channel, t, value, source };
}
