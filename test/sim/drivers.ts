// Test drivers: a "predicting" driver built on the reference (so reports have predictions, spread, limits and
// fallbacks to show), and a broken driver that emits NaN commands.
import type { Driver } from "../../sim/index.js";

/** Follows the reference, predicts it held over `horizon` steps with a growing spread, clips steer at ±limit. */
export function predictingDriver(opts: { horizon?: number; dt?: number; steerLimit?: number; fallbackFrom?: number; fallbackTo?: number } = {}): Driver {
  const horizon = opts.horizon ?? 10;
  const dt = opts.dt ?? 0.05;
  const lim = opts.steerLimit ?? 0.02;
  return {
    reset() {},
    tick({ t, reference }) {
      const channels = Object.keys(reference).sort();
      const mean = new Float32Array(horizon * channels.length);
      const std = new Float32Array(horizon * channels.length);
      for (let i = 0; i < horizon; i++)
        channels.forEach((ch, c) => {
          mean[i * channels.length + c] = reference[ch] * (1 + 0.02 * i);
          std[i * channels.length + c] = 0.01 * (1 + i) * (ch === "steer_cmd" ? 0.2 : 1);
        });
      const values: Record<string, number> = { ...reference };
      const limits: string[] = [];
      if (Math.abs(values.steer_cmd) > lim) {
        values.steer_cmd = Math.sign(values.steer_cmd) * lim;
        limits.push("steer_max");
      }
      const fallback = opts.fallbackFrom !== undefined && t >= opts.fallbackFrom && t < (opts.fallbackTo ?? Infinity);
      return {
        command: { t, values, mode: fallback ? "fallback" : "model", limits },
        prediction: { t0: t, dt, channels, mean, std, model: "test" },
        ...(fallback ? { fallbackReason: "test window" } : {}),
      };
    },
  };
}

/** Emits NaN steering between `from` and `to`. */
export function nanDriver(from: number, to: number): Driver {
  return {
    reset() {},
    tick({ t, reference }) {
      const values = { ...reference };
      if (t >= from && t < to) values.steer_cmd = NaN;
      return { command: { t, values, mode: "model", limits: [] } };
    },
  };
}
