import { CHANNELS, baseChannel } from "./channels.js";
import type { RejectReason, Sample } from "./types.js";

export interface Rejection {
  readonly reason: RejectReason;
  readonly message: string;
}

export interface ValidateOptions {
  /** If given, only these exact channel names pass; anything else is `unknown_channel`. */
  readonly channels?: Iterable<string>;
}

/**
 * Checks one sample against the Sample contract and the channel registry's physical range.
 * Returns undefined for a good sample, else the reason and a message naming the channel, time and value.
 */
export type SampleValidator = (sample: unknown) => Rejection | undefined;

export function sampleValidator(options: ValidateOptions = {}): SampleValidator {
  const allow = options.channels ? new Set(options.channels) : undefined;
  return (raw) => {
    if (typeof raw !== "object" || raw === null) return { reason: "wrong_type", message: `sample is ${describe(raw)}, not an object` };
    const s = raw as Partial<Sample>;
    if (typeof s.channel !== "string") return { reason: "wrong_type", message: `channel=${describe(s.channel)} is not a string` };
    const where = `channel=${s.channel}`;
    if (typeof s.t !== "number" || !Number.isFinite(s.t)) return { reason: "wrong_type", message: `${where}: t=${describe(s.t)} is not a finite number` };
    const at = `${where} t=${s.t}`;
    const info = CHANNELS.get(baseChannel(s.channel));
    if (!info || (allow && !allow.has(s.channel))) {
      return { reason: "unknown_channel", message: `${at}: ${info ? "not in the allowed channels" : "not a known channel"}` };
    }
    const v = s.value;
    if (typeof v === "number") return checkValue(v, info.min, info.max, at, "");
    if (v instanceof Float32Array) {
      for (let i = 0; i < v.length; i++) {
        const r = checkValue(v[i], info.min, info.max, at, `[${i}]`);
        if (r) return r;
      }
      return undefined;
    }
    return { reason: "wrong_type", message: `${at}: value=${describe(v)} is not a number or Float32Array` };
  };
}

function checkValue(x: number, min: number, max: number, at: string, index: string): Rejection | undefined {
  if (!Number.isFinite(x)) return { reason: "nonfinite", message: `${at}: value${index}=${x}` };
  if (x < min || x > max) return { reason: "out_of_range", message: `${at}: value${index}=${x} outside [${min}, ${max}]` };
  return undefined;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (typeof x === "object") return x.constructor?.name ?? "object";
  return `${typeof x} ${String(x)}`;
}
