import type { FaultReason } from "./faults.js";
import type { FallbackParams } from "./params.js";
import type { CommandMode } from "./types.js";

/** The fallback state machine's memory: plain data, so a PolicyMemory can be logged and replayed. */
export interface ModeState {
  readonly mode: CommandMode;
  /** The fault that began the current fallback episode; null in model mode. */
  readonly reason: FaultReason | null;
  /** Time (s) and ticks since the episode began. */
  readonly faultFor: number;
  readonly faultTicks: number;
  /** Healthy time (s) in a row while not in model mode; null while not healthy. */
  readonly healthyFor: number | null;
}

export const INITIAL_MODE: ModeState = { mode: "model", reason: null, faultFor: 0, faultTicks: 0, healthyFor: null };

// Sums of tick periods land a hair below the exact total (0.05·10 = 0.49999…).
const EPS = 1e-9;

/**
 * One tick of the fallback state machine. `elapsed` is the time this tick covers (s). A fault leaves model mode
 * at once; hold lasts at most holdTime (or its worth of nominal ticks, so a clock that stops does not hold
 * forever), then stop; the model is trusted again only after recoverTime of unbroken health.
 */
export function nextMode(s: ModeState, faults: readonly { reason: FaultReason }[], elapsed: number, fb: FallbackParams, nominalDt: number): ModeState {
  const healthy = faults.length === 0;
  if (s.mode === "model") {
    if (healthy) return s;
    const mode = fb.action === "hold" && fb.holdTime > 0 ? "fallback" : "stop";
    return { mode, reason: faults[0]!.reason, faultFor: 0, faultTicks: 0, healthyFor: null };
  }
  const faultFor = s.faultFor + elapsed;
  const faultTicks = s.faultTicks + 1;
  const healthyFor = healthy ? (s.healthyFor === null ? 0 : s.healthyFor + elapsed) : null;
  if (healthyFor !== null && healthyFor >= fb.recoverTime - EPS) return INITIAL_MODE;
  const holdTicks = Math.max(1, Math.ceil(fb.holdTime / nominalDt - EPS));
  const holdOver = faultFor >= fb.holdTime - EPS || faultTicks >= holdTicks;
  const mode = s.mode === "fallback" && holdOver ? "stop" : s.mode;
  return { mode, reason: s.reason, faultFor, faultTicks, healthyFor };
}
