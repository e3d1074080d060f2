/** Why the policy stopped trusting the model this tick. */
export type FaultReason =
  | "model_error"
  | "deadline_missed"
  | "no_prediction"
  | "bad_prediction"
  | "missing_channel"
  | "stale_prediction"
  | "nonfinite_prediction"
  | "spread"
  | "bad_state"
  | "implausible_state"
  | "stale_channel"
  | "clock";

export interface Fault {
  readonly reason: FaultReason;
  /** What and where, e.g. "speed stale for 0.25 s (limit 0.2 s)". */
  readonly detail: string;
}

/** |speed| above this (m/s) is a sensor or decoding fault, not a vehicle state. */
export const PLAUSIBLE_SPEED = 150;

export function isFiniteNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** Short, log-safe rendering of an offending value. */
export function showValue(x: unknown): string {
  if (typeof x === "number" || typeof x === "bigint" || typeof x === "boolean" || x == null) return String(x);
  if (typeof x === "string") return JSON.stringify(x.length > 80 ? `${x.slice(0, 77)}...` : x);
  return Array.isArray(x) ? "array" : typeof x;
}
