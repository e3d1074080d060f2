// Intelligent Driver Model (Treiber, Hennecke, Helbing 2000): the acceleration of a follower from its speed,
// the gap to its leader and the closing speed. Used for traffic followers and the reference controller.

export interface IdmParams {
  /** Desired speed v0 (m/s). */
  readonly desiredSpeed: number;
  /** Desired time headway T (s). */
  readonly timeHeadway: number;
  /** Standstill gap s0 (m). */
  readonly minGap: number;
  /** Maximum acceleration a (m/s²). */
  readonly maxAccel: number;
  /** Comfortable deceleration b (m/s², positive). */
  readonly comfortDecel: number;
  readonly delta: number;
  /** The output is clamped to -maxDecel (a physical braking limit, positive). */
  readonly maxDecel: number;
}

export const IDM_CAR: Omit<IdmParams, "desiredSpeed"> = {
  timeHeadway: 1.5,
  minGap: 2.5,
  maxAccel: 1.5,
  comfortDecel: 2.0,
  delta: 4,
  maxDecel: 8,
};

/** Leader as seen by the follower: bumper-to-bumper gap (m) and the leader's speed. */
export interface Leader {
  readonly gap: number;
  readonly speed: number;
  /** Leader's acceleration (m/s²), where known. */
  readonly accel?: number;
}

export function idmAccel(v: number, leader: Leader | null, p: IdmParams): number {
  const v0 = Math.max(p.desiredSpeed, 1e-3);
  let a = p.maxAccel * (1 - Math.pow(Math.max(v, 0) / v0, p.delta));
  if (leader) {
    const dv = v - leader.speed;
    const sStar = p.minGap + Math.max(0, v * p.timeHeadway + (v * dv) / (2 * Math.sqrt(p.maxAccel * p.comfortDecel)));
    const gap = Math.max(leader.gap, 0.05);
    a -= p.maxAccel * (sStar / gap) * (sStar / gap);
  }
  return Math.max(-p.maxDecel, Math.min(p.maxAccel, a));
}
