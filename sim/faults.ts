// Fault injection on one sensor sample. Faults are per channel and per time window [from, to) on the true
// measurement time, applied in the order the scenario lists them, each with its own seeded random stream.
import type { FaultSpec } from "../scenarios/schema.js";
import { mulberry32, streamSeed, type Rng } from "./rng.js";

export type FaultKind = FaultSpec["kind"];

/** Per channel: how many samples each fault kind touched. `dropout` counts samples removed. */
export type FaultCounts = Partial<Record<FaultKind, number>>;

export interface Delivery {
  readonly channel: string;
  /** Stamp the sample carries (a time jump moves it away from the true time). */
  readonly t: number;
  readonly value: number;
  /** Virtual time at which the sample reaches the driver (latency delays it). */
  readonly deliverAt: number;
}

export interface FaultInjector {
  /** The sample as delivered, or null when a dropout removed it. */
  apply(channel: string, t: number, value: number): Delivery | null;
  counts(): Record<string, FaultCounts>;
}

function channelsOf(f: FaultSpec): readonly string[] {
  return typeof f.channel === "string" ? [f.channel] : f.channel;
}

export function faultInjector(faults: readonly FaultSpec[], seed: number, duration: number): FaultInjector {
  const rngs = new Map<string, Rng>();
  const rng = (i: number, ch: string): Rng => {
    const key = `${i}:${ch}`;
    let r = rngs.get(key);
    if (!r) rngs.set(key, (r = mulberry32(streamSeed(seed, key))));
    return r;
  };
  const counts: Record<string, FaultCounts> = {};
  const bump = (ch: string, k: FaultKind) => {
    const c = (counts[ch] ??= {});
    c[k] = (c[k] ?? 0) + 1;
  };
  const byChannel = new Map<string, { i: number; f: FaultSpec }[]>();
  faults.forEach((f, i) => {
    for (const ch of channelsOf(f)) {
      const list = byChannel.get(ch) ?? [];
      list.push({ i, f });
      byChannel.set(ch, list);
    }
  });
  return {
    apply(channel, t, value) {
      const list = byChannel.get(channel);
      if (!list) return { channel, t, value, deliverAt: t };
      let stamp = t;
      let deliverAt = t;
      for (const { i, f } of list) {
        if (t < f.from || t >= (f.to ?? duration + 1e-9)) continue;
        const r = rng(i, channel);
        switch (f.kind) {
          case "noise":
            value += f.std * r.normal();
            break;
          case "bias":
            value += f.value;
            break;
          case "nan":
            if (r.next() < f.prob) value = NaN;
            else continue;
            break;
          case "dropout":
            if (r.next() < f.prob) {
              bump(channel, "dropout");
              return null;
            }
            continue;
          case "latency":
            deliverAt += f.delay + f.jitter * r.next();
            break;
          case "time_jump":
            stamp += f.offset;
            break;
        }
        bump(channel, f.kind);
      }
      return { channel, t: stamp, value, deliverAt };
    },
    counts: () => counts,
  };
}
