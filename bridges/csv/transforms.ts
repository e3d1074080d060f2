/**
 * Unit conversions a column map may name. Each is a pure number → number step; a column's transforms
 * run in the order given. Rates in deg/s convert like angles; the separate name says what the column is.
 */
export const UNIT_TRANSFORMS = {
  deg_to_rad: (x: number) => (x * Math.PI) / 180,
  deg_s_to_rad_s: (x: number) => (x * Math.PI) / 180,
  g_to_mps2: (x: number) => x * STANDARD_GRAVITY,
  kph_to_mps: (x: number) => x / 3.6,
  /** International mile (1609.344 m) per hour. */
  mph_to_mps: (x: number) => x * 0.44704,
  percent_to_unit: (x: number) => x / 100,
  negate: (x: number) => 0 - x, // not -x: a negated 0 stays 0, not -0
  /** Compass bearing (deg, clockwise from north) → heading (rad, counter-clockwise from east). */
  bearing_deg_to_heading: (x: number) => wrapAngle(Math.PI / 2 - (x * Math.PI) / 180),
  wrap_angle: (x: number) => wrapAngle(x),
} as const satisfies Record<string, (x: number) => number>;

export type UnitTransformName = keyof typeof UNIT_TRANSFORMS;

/** Standard gravity (m/s²), the factor accelerometers use for "g" (ISO 80000-3). */
export const STANDARD_GRAVITY = 9.80665;

/** An angle wrapped to [-π, π]. */
export function wrapAngle(a: number): number {
  if (a >= -Math.PI && a <= Math.PI) return a;
  const w = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  return w > Math.PI ? w - 2 * Math.PI : w;
}

/**
 * Yaw (rad, about +z, counter-clockwise) of an orientation quaternion, ZYX convention as ROS's tf2
 * getRPY. Written as w²+x²-y²-z² rather than 1-2(y²+z²) so that it holds for non-unit quaternions
 * (logged ones are rarely exactly unit); a zero quaternion has no yaw (NaN).
 */
export function quaternionYaw(x: number, y: number, z: number, w: number): number {
  if (x === 0 && y === 0 && z === 0 && w === 0) return Number.NaN;
  return Math.atan2(2 * (w * z + x * y), w * w + x * x - y * y - z * z);
}
