import type { ActionChannel } from "./params.js";
import { isFiniteNumber, showValue, type Fault } from "./faults.js";

/** The prediction at the step the policy acts on, by action channel. */
export interface ActedStep {
  /** Fractional step index into the horizon (0 = first predicted row). */
  readonly step: number;
  readonly mean: Readonly<Record<string, number>>;
  readonly std: Readonly<Record<string, number>> | null;
}

type Numbers = ArrayLike<unknown>;

function isNumberArray(x: unknown): x is Numbers {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function scan(a: Numbers, name: string): Fault | null {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== "number") return { reason: "bad_prediction", detail: `${name}[${i}] = ${showValue(v)}: not a number` };
    if (!Number.isFinite(v)) return { reason: "nonfinite_prediction", detail: `${name}[${i}] = ${v}` };
  }
  return null;
}

function at(a: Numbers, row: number, frac: number, col: number, cols: number, rows: number): number {
  const v0 = a[row * cols + col] as number;
  if (frac === 0 || row + 1 >= rows) return v0;
  const v1 = a[(row + 1) * cols + col] as number;
  return v0 + frac * (v1 - v0);
}

/**
 * Check an ActionSequence from outside (any shape) and read the row at time `tAct`, interpolated between
 * predicted steps. Any NaN/Inf anywhere in it is a fault, not just at the acted step: a model that emits one is broken.
 */
export function readPrediction(pred: unknown, channels: readonly ActionChannel[], tAct: number): ActedStep | Fault {
  if (pred === null || typeof pred !== "object") return { reason: "bad_prediction", detail: `prediction = ${showValue(pred)}: not an ActionSequence` };
  const p = pred as Record<string, unknown>;
  const names = p.channels;
  if (!Array.isArray(names) || names.length === 0 || !names.every((c) => typeof c === "string")) {
    return { reason: "bad_prediction", detail: `prediction.channels = ${showValue(names)}: not a non-empty list of names` };
  }
  const mean = p.mean;
  if (!isNumberArray(mean)) return { reason: "bad_prediction", detail: `prediction.mean = ${showValue(mean)}: not an array` };
  const cols = names.length;
  const rows = mean.length / cols;
  if (!(rows >= 1) || !Number.isInteger(rows)) {
    return { reason: "bad_prediction", detail: `prediction.mean has ${mean.length} values, not a positive multiple of ${cols} channels` };
  }
  const std = p.std;
  if (std !== undefined && (!isNumberArray(std) || std.length !== mean.length)) {
    return { reason: "bad_prediction", detail: `prediction.std: not an array of ${mean.length} values` };
  }
  if (!isFiniteNumber(p.t0)) return { reason: "bad_prediction", detail: `prediction.t0 = ${showValue(p.t0)}` };
  if (!isFiniteNumber(p.dt) || p.dt <= 0) return { reason: "bad_prediction", detail: `prediction.dt = ${showValue(p.dt)}: must be > 0` };
  const bad = scan(mean, "prediction.mean") ?? (std === undefined ? null : scan(std, "prediction.std"));
  if (bad) return bad;
  if (std !== undefined) {
    for (let i = 0; i < std.length; i++) {
      if ((std[i] as number) < 0) return { reason: "bad_prediction", detail: `prediction.std[${i}] = ${std[i]}: negative` };
    }
  }
  const cols0: number[] = [];
  for (const ch of channels) {
    const c = names.indexOf(ch);
    if (c < 0) return { reason: "missing_channel", detail: `prediction from ${showValue(p.model)} lacks ${ch} (has ${names.join(", ")})` };
    cols0.push(c);
  }
  let s = (tAct - p.t0) / p.dt;
  if (!Number.isFinite(s)) s = 0;
  if (s > rows - 1 + 1e-9) {
    return { reason: "stale_prediction", detail: `prediction t0=${p.t0} covers ${rows} steps of ${p.dt} s; asked for t=${tAct}` };
  }
  // More than a step ahead of the tick: the prediction belongs to another timeline (a clock went back).
  if (s < -1 - 1e-9) {
    return { reason: "stale_prediction", detail: `prediction t0=${p.t0} lies ahead of the tick t=${tAct}` };
  }
  if (s < 0) s = 0;
  const row = Math.min(Math.floor(s), rows - 1);
  const frac = Math.min(Math.max(s - row, 0), 1);
  const m: Record<string, number> = {};
  const sd: Record<string, number> | null = std === undefined ? null : {};
  channels.forEach((ch, k) => {
    m[ch] = at(mean, row, frac, cols0[k]!, cols, rows);
    if (sd && std) sd[ch] = at(std, row, frac, cols0[k]!, cols, rows);
  });
  return { step: row + frac, mean: m, std: sd };
}
