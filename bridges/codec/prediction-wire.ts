import type { ActionSequence } from "../../dynamics/types.js";
import { BridgeInputError } from "./live.js";
import { finiteNumber, finiteVector, record, string, stringArray } from "./checks.js";

/** An ActionSequence on the wire: same fields; `std` left out when the model gives none. */
export function predictionToWire(seq: ActionSequence): Record<string, unknown> {
  const wire: Record<string, unknown> = { t0: seq.t0, dt: seq.dt, channels: seq.channels, mean: seq.mean, model: seq.model };
  if (seq.std) wire.std = seq.std;
  return wire;
}

export function predictionFromWire(raw: unknown, where: string): ActionSequence {
  const body = record(raw, where);
  const t0 = finiteNumber(body.t0, where, "t0");
  const dt = finiteNumber(body.dt, where, "dt");
  if (dt <= 0) throw new BridgeInputError(`${where}@dt`, "out_of_range", `dt=${dt} must be > 0`);
  const channels = stringArray(body.channels, where, "channels");
  const model = string(body.model, where, "model");
  const mean = finiteVector(body.mean, where, "mean");
  if (channels.length === 0 || mean.length === 0 || mean.length % channels.length !== 0)
    throw new BridgeInputError(`${where}@mean`, "malformed", `mean has ${mean.length} values, not horizon × ${channels.length} channels`);
  const seq = { t0, dt, channels, mean, model };
  if (body.std === undefined) return seq;
  const std = finiteVector(body.std, where, "std");
  if (std.length !== mean.length) throw new BridgeInputError(`${where}@std`, "malformed", `std has ${std.length} values, mean ${mean.length}`);
  return { ...seq, std };
}
