// Fallback steering: while the model is not trusted and the vehicle holds or stops, keep tracking the planned path
// (as Autoware's MRM comfortable stop does) instead of freezing the wheel on a curve it is leaving.
import { isFiniteNumber } from "./faults.js";

/** The planned path relative to the vehicle, from the scene channels of one frame; give it only when fresh. */
export interface FallbackPath {
  /** Signed distance from the path (m), + = vehicle left of it (path_offset). */
  readonly offset: number;
  /** Vehicle heading minus the path's (rad), + = pointing left of it (path_heading). */
  readonly heading: number;
  /** Path curvature at the vehicle (1/m), + = left (path_curv@0s). */
  readonly curvature: number;
}

// Lookahead l = LOOKAHEAD_WHEELBASES · wheelbase + LOOKAHEAD_TIME · |v|: the rule-based prior's (dynamics/prior) scale.
const LOOKAHEAD_WHEELBASES = 2.2;
const LOOKAHEAD_TIME = 0.5;

/** The path if every field is a finite number, else null (a bad path is not used, never turned into a NaN). */
export function readFallbackPath(x: unknown): FallbackPath | null {
  if (x === null || typeof x !== "object") return null;
  const p = x as Record<string, unknown>;
  return isFiniteNumber(p.offset) && isFiniteNumber(p.heading) && isFiniteNumber(p.curvature)
    ? { offset: p.offset, heading: p.heading, curvature: p.curvature }
    : null;
}

/**
 * Road-wheel angle (rad) that tracks the path: its curvature as feedforward plus linearised pure pursuit on the
 * offset and heading error, κ = κ_path − 2·offset/l² − 2·heading/l. On a straight or circular path this closes a
 * lateral loop with damping 1/√2 at any speed and lookahead. Unclamped: the envelope limits angle, rate and jerk.
 */
export function fallbackSteer(path: FallbackPath, wheelbase: number, speed: number): number {
  const l = LOOKAHEAD_WHEELBASES * wheelbase + LOOKAHEAD_TIME * Math.abs(speed);
  const k = path.curvature - (2 * path.offset) / (l * l) - (2 * path.heading) / l;
  return Math.atan(wheelbase * k);
}
