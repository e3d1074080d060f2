// Canonical Samples synthesised from the simulated truth, each sensor at its own rate, through fault injection,
// and queued until their (possibly delayed) delivery time. A sensor sample due at n/rate is stamped n/rate and
// takes the state of the first physics step at or after that time (at most one physics step late).
import type { Sample } from "../perception/types.js";
import type { FaultSpec } from "../scenarios/schema.js";
import { faultInjector, type FaultCounts } from "./faults.js";
import { SCENE_CHANNELS, type SceneValues } from "../perception/scene.js";

export interface SensorRates {
  readonly imu_hz: number;
  readonly wheel_hz: number;
  readonly steering_hz: number;
  readonly gnss_hz: number;
  /** The planning stack's scene channels (path, target speed, lead). */
  readonly scene_hz: number;
}

export const DEFAULT_SENSOR_RATES: SensorRates = { imu_hz: 100, wheel_hz: 50, steering_hz: 50, gnss_hz: 10, scene_hz: 20 };

/** Which channels each sensor produces and the source name it stamps on them. */
export const SENSOR_GROUPS = [
  { source: "imu", rate: "imu_hz", channels: ["accel", "lat_accel", "yaw_rate"] },
  { source: "wheel", rate: "wheel_hz", channels: ["speed"] },
  { source: "steering", rate: "steering_hz", channels: ["steer"] },
  { source: "gnss", rate: "gnss_hz", channels: ["x", "y", "heading"] },
  { source: "scene", rate: "scene_hz", channels: SCENE_CHANNELS },
] as const;

export type Truth = Readonly<Record<"speed" | "accel" | "lat_accel" | "yaw_rate" | "steer" | "x" | "y" | "heading", number>> & {
  /** The scene channels now, computed only when the scene sensor is due (absent: no scene sensor). */
  readonly scene?: () => SceneValues;
};

export interface SensorSuite {
  /** Called at every physics step (time `t`) with the true state. */
  observe(t: number, truth: Truth): void;
  /** The command the vehicle executed from time `t`, as recorded-action samples. */
  recordCommand(t: number, values: Readonly<Record<string, number>>): void;
  /** Samples whose delivery time is ≤ t, in delivery order; removes them from the queue. */
  deliver(t: number): Sample[];
  faultCounts(): Record<string, FaultCounts>;
  /** Samples produced per channel before faults (for checking fault counts against). */
  produced(): Record<string, number>;
}

export function sensorSuite(opts: {
  rates?: Partial<SensorRates>;
  faults: readonly FaultSpec[];
  seed: number;
  duration: number;
}): SensorSuite {
  const rates = { ...DEFAULT_SENSOR_RATES, ...opts.rates };
  const groups = SENSOR_GROUPS.map((g) => ({ ...g, hz: rates[g.rate], next: 0 }));
  const inject = faultInjector(opts.faults, opts.seed, opts.duration);
  const queue: { s: Sample; at: number; seq: number }[] = [];
  const produced: Record<string, number> = {};
  let seq = 0;
  const push = (channel: string, t: number, value: number, source: string) => {
    produced[channel] = (produced[channel] ?? 0) + 1;
    const d = inject.apply(channel, t, value);
    if (!d) return;
    queue.push({ s: { channel, t: d.t, value: d.value, source }, at: d.deliverAt, seq: seq++ });
  };
  return {
    observe(t, truth) {
      for (const g of groups) {
        for (let due = g.next / g.hz; due <= t + 1e-9; due = ++g.next / g.hz) {
          if (g.source === "scene") {
            const v = truth.scene?.();
            // A channel the scene does not give (no target speed, say) is simply not produced.
            if (v) for (const ch of g.channels) if (v[ch] !== undefined) push(ch, due, v[ch], g.source);
            continue;
          }
          for (const ch of g.channels) push(ch, due, truth[ch as keyof Truth] as number, g.source);
        }
      }
    },
    recordCommand(t, values) {
      for (const ch of Object.keys(values).sort()) push(ch, t, values[ch], "vehicle");
    },
    deliver(t) {
      const eps = 1e-9;
      const due = queue.filter((q) => q.at <= t + eps);
      if (due.length === 0) return [];
      const rest = queue.filter((q) => q.at > t + eps);
      queue.length = 0;
      queue.push(...rest);
      due.sort((a, b) => a.at - b.at || a.seq - b.seq);
      return due.map((q) => q.s);
    },
    faultCounts: () => inject.counts(),
    produced: () => produced,
  };
}
