import { CHANNELS, baseChannel } from "./channels.js";
import { MAX_ABS_T } from "./timing.js";
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
  // Per channel name: its registry range, or null if it is not accepted (looked up once per name).
  const ranges = new Map<string, { min: number; max: number } | null>();
  const rangeOf = (channel: string) => {
    let r = ranges.get(channel);
    if (r === undefined) {
      const info = CHANNELS.get(baseChannel(channel));
      r = info && (!allow || allow.has(channel)) ? { min: info.min, max: info.max } : null;
      ranges.set(channel, r);
    }
    return r;
  };
  return (raw) => {
    if (typeof raw !== "object" || raw === null) return { reason: "wrong_type", message: `sample is ${describe(raw)}, not an object` };
    const s = raw as Partial<Sample>;
    if (typeof s.channel !== "string") return { reason: "wrong_type", message: `channel=${describe(s.channel)} is not a string` };
    if (typeof s.t !== "number" || !Number.isFinite(s.t)) return { reason: "wrong_type", message: `channel=${s.channel}: t=${describe(s.t)} is not a finite number` };
    if (Math.abs(s.t) > MAX_ABS_T) return { reason: "clock", message: `channel=${s.channel}: t=${s.t} is not a plausible time (|t| > ${MAX_ABS_T} s)` };
    const range = rangeOf(s.channel);
    if (!range) {
      const known = CHANNELS.has(baseChannel(s.channel));
      return { reason: "unknown_channel", message: `channel=${s.channel} t=${s.t}: ${known ? "not in the allowed channels" : "not a known channel"}` };
    }
    const v = s.value;
    if (typeof v === "number") return v >= range.min && v <= range.max ? undefined : reject(s as Sample, v, range, "");
    if (v instanceof Float32Array) {
      for (let i = 0; i < v.length; i++) if (!(v[i] >= range.min && v[i] <= range.max)) return reject(s as Sample, v[i], range, `[${i}]`);
      return undefined;
    }
    return { reason: "wrong_type", message: `channel=${s.channel} t=${s.t}: value=${describe(v)} is not a number or Float32Array` };
  };
}

/** Messages are built only for rejected samples: the good path allocates nothing. */
function reject(s: Sample, x: number, range: { min: number; max: number }, index: string): Rejection {
  const at = `channel=${s.channel} t=${s.t}`;
  if (!Number.isFinite(x)) return { reason: "nonfinite", message: `${at}: value${index}=${x}` };
  return { reason: "out_of_range", message: `${at}: value${index}=${x} outside [${range.min}, ${range.max}]` };
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (typeof x === "object") return x.constructor?.name ?? "object";
  return `${typeof x} ${String(x)}`;
}
