// Predictions k ticks ahead. The first predicted step lies on top of what was done next (the command follows it),
// so it says little about the model; the value it predicted 0.5 s or 1 s before a moment, against what happened at
// that moment, does.
import type { ActionSequence } from "../../dynamics/types.js";

/** Leads (ticks) the reports plot: 0.5 s and 1 s at `rate`, those within the horizon and beyond the first step. */
export function aheadSteps(rate: number, horizonSteps: number): number[] {
  const ks = [0.5, 1].map((s) => Math.round(s * rate)).filter((k) => k > 1 && k <= horizonSteps);
  return [...new Set(ks)];
}

/**
 * The values `seq` (made at time `tNow`) predicts for k ticks later, for each lead in aheadSteps(rate, its
 * horizon). Steps are addressed as the replay scores them: the first at round((t0 − tNow)·rate) ticks after
 * tNow, then dt·rate ticks apart (one tick where the model steps at the tick rate, as in replays). Where the model
 * steps more coarsely than the ticks (a 20 Hz model in a 40 Hz sim, its prediction held between its steps), the
 * nearest step within half a model step stands for the lead. Undefined when no lead falls within the sequence.
 */
export function predictionAhead(seq: ActionSequence, tNow: number, rate: number): Record<string, Record<string, number>> | undefined {
  const C = seq.channels.length;
  const H = C ? Math.floor(seq.mean.length / C) : 0;
  const first = Math.round((seq.t0 - tNow) * rate);
  const per = seq.dt > 0 ? seq.dt * rate : 1;
  const out: Record<string, Record<string, number>> = {};
  let any = false;
  for (const k of aheadSteps(rate, Math.floor(first + (H - 1) * per + per / 2 + 1e-9))) {
    const s = Math.min(H - 1, Math.max(0, Math.round((k - first) / per)));
    if (H === 0 || Math.abs(first + s * per - k) > per / 2 + 1e-9) continue;
    const row: Record<string, number> = {};
    for (let c = 0; c < C; c++) row[seq.channels[c]] = seq.mean[s * C + c];
    out[String(k)] = row;
    any = true;
  }
  return any ? out : undefined;
}

/**
 * The k-ahead series over a run: at tick n, what the prediction made at tick n−k gave for tick n (null where
 * there was none, or where the ticks are not k periods apart: the drive's time broke in between).
 */
export function aheadSeries(
  ticks: readonly { readonly t: number; readonly prediction: { readonly ahead?: Readonly<Record<string, Readonly<Record<string, number>>>> } | null }[],
  channel: string,
  k: number,
  rate: number,
): (number | null)[] {
  return ticks.map((tick, n) => {
    const src = n - k >= 0 ? ticks[n - k] : undefined;
    const v = src?.prediction?.ahead?.[String(k)]?.[channel];
    if (v === undefined || !Number.isFinite(v)) return null;
    return Math.abs(tick.t - src!.t - k / rate) <= 0.5 / rate ? v : null;
  });
}
