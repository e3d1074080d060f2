import type { Quaternion } from "./types.js";

/** Yaw (rotation about z, + = counter-clockwise) of a quaternion, in [-pi, pi]. */
export function yawOf(q: Quaternion): number {
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

/** v rotated by unit quaternion q (q v q*), as used for a sensor's mounting rotation. */
export function rotate(q: Quaternion, v: readonly [number, number, number]): [number, number, number] {
  const [vx, vy, vz] = v;
  // t = 2 (q.xyz × v); v' = v + w t + q.xyz × t
  const tx = 2 * (q.y * vz - q.z * vy);
  const ty = 2 * (q.z * vx - q.x * vz);
  const tz = 2 * (q.x * vy - q.y * vx);
  return [
    vx + q.w * tx + (q.y * tz - q.z * ty),
    vy + q.w * ty + (q.z * tx - q.x * tz),
    vz + q.w * tz + (q.x * ty - q.y * tx),
  ];
}

/** The quaternion of a proper rotation matrix given by rows (Shepperd's method, stable for any trace). */
export function quaternionFromMatrix(m: readonly (readonly number[])[]): Quaternion {
  const [[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]] = m as number[][];
  const trace = m00 + m11 + m22;
  if (trace > 0) {
    const s = 2 * Math.sqrt(trace + 1);
    return { w: s / 4, x: (m21 - m12) / s, y: (m02 - m20) / s, z: (m10 - m01) / s };
  }
  if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    return { w: (m21 - m12) / s, x: s / 4, y: (m01 + m10) / s, z: (m02 + m20) / s };
  }
  if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    return { w: (m02 - m20) / s, x: (m01 + m10) / s, y: s / 4, z: (m12 + m21) / s };
  }
  const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
  return { w: (m10 - m01) / s, x: (m02 + m20) / s, y: (m12 + m21) / s, z: s / 4 };
}

/** The inverse rotation of a unit quaternion. */
export function conjugate(q: Quaternion): Quaternion {
  return { x: -q.x, y: -q.y, z: -q.z, w: q.w };
}

/** a·b: rotate by b, then by a. */
export function multiply(a: Quaternion, b: Quaternion): Quaternion {
  return {
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
  };
}

/** The quaternion of roll, pitch, yaw (rad) as tf2 and static_transform_publisher read them: R = Rz(yaw)·Ry(pitch)·Rx(roll). */
export function quaternionFromRpy(roll: number, pitch: number, yaw: number): Quaternion {
  const [cr, sr] = [Math.cos(roll / 2), Math.sin(roll / 2)];
  const [cp, sp] = [Math.cos(pitch / 2), Math.sin(pitch / 2)];
  const [cy, sy] = [Math.cos(yaw / 2), Math.sin(yaw / 2)];
  return {
    w: cr * cp * cy + sr * sp * sy,
    x: sr * cp * cy - cr * sp * sy,
    y: cr * sp * cy + sr * cp * sy,
    z: cr * cp * sy - sr * sp * cy,
  };
}

/**
 * A mount from the command line: "roll,pitch,yaw" (radians; a number may end in "deg") or "x,y,z,w" (a
 * quaternion, normalised). Throws naming the offending text.
 */
export function parseMount(text: string): Quaternion {
  const parts = text.split(",").map((s) => s.trim());
  const nums = parts.map((p) => {
    const deg = /deg$/i.test(p);
    const n = Number(deg ? p.slice(0, -3) : p);
    if (p === "" || !Number.isFinite(n)) throw new Error(`IMU mount "${text}": "${p}" is not a number (want roll,pitch,yaw in rad or deg, or x,y,z,w)`);
    return deg ? (n * Math.PI) / 180 : n;
  });
  if (nums.length === 3) return quaternionFromRpy(nums[0], nums[1], nums[2]);
  if (nums.length === 4) {
    const n = Math.hypot(...nums);
    if (!(n > 1e-6)) throw new Error(`IMU mount "${text}": the quaternion is zero`);
    return { x: nums[0] / n, y: nums[1] / n, z: nums[2] / n, w: nums[3] / n };
  }
  throw new Error(`IMU mount "${text}": ${nums.length} numbers (want roll,pitch,yaw or x,y,z,w)`);
}
