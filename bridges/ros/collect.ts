import { CHANNELS, baseChannel } from "../../perception/index.js";
import type { Sample } from "../../perception/index.js";
import type { MapOptions, MapReject, MapResult } from "./types.js";

/** The value at a field path of a decoded message, or undefined where any step is missing. */
export function field(msg: unknown, ...path: string[]): unknown {
  let v: unknown = msg;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A short, bounded description of a bad value for an error message. */
export function describe(x: unknown): string {
  if (x === undefined) return "missing";
  if (x === null) return "null";
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return `${typeof x} ${String(x)}`;
}

export type Stamp = { readonly t: number } | { readonly error: string };

/**
 * Seconds from header.stamp, read as ROS 1 {sec, nsec} or ROS 2 {sec, nanosec}. A zero stamp means
 * "not stamped" in both ROS versions, so the log time is used.
 */
export function headerStamp(msg: unknown, logTime: number): Stamp {
  const stamp = field(msg, "header", "stamp");
  if (typeof stamp !== "object" || stamp === null) return { error: `header.stamp is ${describe(stamp)}` };
  const s = stamp as { sec?: unknown; nsec?: unknown; nanosec?: unknown };
  const ns = s.nanosec ?? s.nsec;
  if (typeof s.sec !== "number" || !Number.isFinite(s.sec)) return { error: `header.stamp.sec is ${describe(s.sec)}` };
  if (typeof ns !== "number" || !Number.isFinite(ns)) return { error: `header.stamp.nanosec is ${describe(ns)}` };
  if (s.sec === 0 && ns === 0) return { t: logTime };
  return { t: s.sec + ns * 1e-9 };
}

/**
 * Collects one message's samples. Every value passes the same checks here (number, finite, within the
 * channel's physical range), so file importers and the live bridge reject the same things the same way.
 */
export class SampleCollector {
  readonly #samples: Sample[] = [];
  readonly #rejects: MapReject[] = [];

  constructor(
    readonly t: number,
    private readonly options: MapOptions,
  ) {}

  name(channel: string): string {
    return this.options.names?.[channel] ?? channel;
  }

  emit(channel: string, value: unknown, fieldName: string): void {
    const name = this.name(channel);
    if (typeof value !== "number") {
      this.reject(channel, "wrong_type", `${fieldName} is ${describe(value)}, not a number`);
      return;
    }
    if (!Number.isFinite(value)) {
      this.reject(channel, "nonfinite", `${fieldName}=${value}`);
      return;
    }
    const info = CHANNELS.get(baseChannel(channel));
    if (info && (value < info.min || value > info.max)) {
      this.reject(channel, "out_of_range", `${fieldName}=${value} outside [${info.min}, ${info.max}] ${info.unit}`);
      return;
    }
    const sample: Sample = this.options.source === undefined
      ? { channel: name, t: this.t, value }
      : { channel: name, t: this.t, value, source: this.options.source };
    this.#samples.push(sample);
  }

  reject(channel: string, reason: MapReject["reason"], message: string): void {
    this.#rejects.push({ channel: this.name(channel), reason, message });
  }

  result(): MapResult {
    return { t: this.t, samples: this.#samples, rejects: this.#rejects };
  }
}

/** A message whose stamp is unusable gives nothing: every channel it would have given is rejected. */
export function rejectAll(channels: readonly string[], logTime: number, options: MapOptions, message: string): MapResult {
  const c = new SampleCollector(logTime, options);
  for (const ch of channels) c.reject(ch, "wrong_type", message);
  return c.result();
}
