import type { Frame, FrameSpec, Normalisation } from "./types.js";
import { Validity } from "./types.js";

/**
 * Mean and std per channel over valid (Fresh or Held) values only: Missing values are NaN and
 * would poison the statistics. std is floored so a constant channel does not divide by zero; a
 * channel with no valid value at all gets mean 0, std 1 (identity) rather than NaN.
 */
export function computeNormalisation(frames: Iterable<Frame>, spec: FrameSpec, stdFloor = 1e-6): Normalisation {
  const C = spec.channels.length;
  const n = new Float64Array(C);
  const mean = new Float64Array(C);
  const m2 = new Float64Array(C);
  for (const f of frames) {
    for (let c = 0; c < C; c++) {
      if (f.valid[c] === Validity.Missing) continue;
      // Welford: one pass, stable for large offsets such as positions in metres.
      const x = f.values[c];
      const d = x - mean[c];
      mean[c] += d / ++n[c];
      m2[c] += d * (x - mean[c]);
    }
  }
  const std = Array.from(m2, (s, c) => (n[c] > 0 ? Math.max(Math.sqrt(s / n[c]), stdFloor) : 1));
  return { channels: spec.channels.map((c) => c.name), mean: Array.from(mean), std };
}

/** Maps a Normalisation onto a FrameSpec's channel order; names the channels it lacks. */
export function normaliser(norm: Normalisation, spec: FrameSpec): (frame: Frame) => Frame {
  const mean = new Float64Array(spec.channels.length);
  const inv = new Float64Array(spec.channels.length);
  spec.channels.forEach((ch, c) => {
    const i = norm.channels.indexOf(ch.name);
    if (i < 0) throw new Error(`normalisation has no channel "${ch.name}" (it has: ${norm.channels.join(", ")})`);
    if (!(norm.std[i] > 0 && Number.isFinite(norm.mean[i]))) throw new Error(`normalisation of "${ch.name}": mean=${norm.mean[i]} std=${norm.std[i]} is unusable`);
    mean[c] = norm.mean[i];
    inv[c] = 1 / norm.std[i];
  });
  return (f) => {
    const values = new Float32Array(f.values.length);
    for (let c = 0; c < values.length; c++) values[c] = f.valid[c] === Validity.Missing ? NaN : (f.values[c] - mean[c]) * inv[c];
    return { t: f.t, values, valid: f.valid };
  };
}
