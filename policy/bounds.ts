/** Names of the limits that can act on a command (Command.limits holds these). */
export type LimitName =
  | "steer_angle"
  | "lat_accel"
  | "actual_steer_diff"
  | "steer_rate"
  | "lat_jerk"
  | "lon_accel"
  | "max_speed"
  | "lon_jerk";

/** One limit on one channel, as the interval of values it allows this tick. */
export interface Bound {
  readonly limit: LimitName;
  readonly lo: number;
  readonly hi: number;
}

export interface Resolved {
  readonly value: number;
  /** Limits that changed the value: the request lay outside them and the value ended up on their edge (or, when overridden, moved toward them). */
  readonly acted: readonly Bound[];
  /** Limits that could not be met because a limit earlier in the list already excluded all of them. */
  readonly overridden: readonly Bound[];
}

/**
 * Clamp `requested` into the intersection of `bounds`, earlier bounds taking priority: a bound that does not
 * meet what the earlier ones allow is overridden, and the value goes to the edge nearest it. Pure and exact:
 * the value is either `requested` or a bound's own lo/hi, so "on the edge" is an equality test.
 */
export function resolveBounds(requested: number, bounds: readonly Bound[]): Resolved {
  let lo = -Infinity;
  let hi = Infinity;
  const overridden: Bound[] = [];
  for (const b of bounds) {
    if (b.hi < lo) {
      overridden.push(b);
      hi = lo;
    } else if (b.lo > hi) {
      overridden.push(b);
      lo = hi;
    } else {
      if (b.lo > lo) lo = b.lo;
      if (b.hi < hi) hi = b.hi;
    }
  }
  const value = requested < lo ? lo : requested > hi ? hi : requested;
  const acted: Bound[] = [];
  if (value !== requested) {
    const down = value < requested;
    for (const b of bounds) {
      const violated = down ? requested > b.hi : requested < b.lo;
      if (!violated) continue;
      const onEdge = down ? value === b.hi : value === b.lo;
      if (onEdge || overridden.includes(b)) acted.push(b);
    }
  }
  return { value, acted, overridden };
}
