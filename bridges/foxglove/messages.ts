import type { ActionSequence } from "../../dynamics/types.js";
import { Validity, type Frame } from "../../perception/types.js";

const VALIDITY_NAMES: Record<number, string> = {
  [Validity.Missing]: "missing",
  [Validity.Fresh]: "fresh",
  [Validity.Held]: "held",
};

/** A Frame by channel name, as Foxglove's Plot panel addresses fields (/lam/frame.values.speed). */
export function frameMessage(frame: Frame, channels: readonly string[]): Record<string, unknown> {
  if (channels.length !== frame.values.length)
    throw new Error(`frame has ${frame.values.length} values but ${channels.length} channel names were given`);
  const values: Record<string, number | null> = {};
  const valid: Record<string, string> = {};
  channels.forEach((ch, i) => {
    const v = frame.values[i]!;
    values[ch] = Number.isFinite(v) ? v : null;
    valid[ch] = VALIDITY_NAMES[frame.valid[i]!] ?? `unknown(${frame.valid[i]})`;
  });
  return { t: frame.t, values, valid };
}

/** A prediction as rows of { t, <channel>, <channel>_std }: each predicted step plots at its own time. */
export function predictionMessage(seq: ActionSequence): Record<string, unknown> {
  const c = seq.channels.length;
  const steps: Record<string, number>[] = [];
  for (let k = 0; k < seq.mean.length / c; k++) {
    const row: Record<string, number> = { t: seq.t0 + k * seq.dt };
    seq.channels.forEach((ch, j) => {
      row[ch] = seq.mean[k * c + j]!;
      if (seq.std) row[`${ch}_std`] = seq.std[k * c + j]!;
    });
    steps.push(row);
  }
  return { t0: seq.t0, dt: seq.dt, model: seq.model, channels: [...seq.channels], steps };
}
