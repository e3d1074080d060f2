// Oriented-box overlap by the separating-axis theorem: two rectangles overlap iff their projections overlap
// on all four edge normals. Vehicles are boxes (length × width) centred on their body centre.

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly length: number;
  readonly width: number;
}

function corners(b: Box): [number, number][] {
  const c = Math.cos(b.heading);
  const s = Math.sin(b.heading);
  const hl = b.length / 2;
  const hw = b.width / 2;
  return [
    [b.x + c * hl - s * hw, b.y + s * hl + c * hw],
    [b.x + c * hl + s * hw, b.y + s * hl - c * hw],
    [b.x - c * hl + s * hw, b.y - s * hl - c * hw],
    [b.x - c * hl - s * hw, b.y - s * hl + c * hw],
  ];
}

export function boxesOverlap(a: Box, b: Box): boolean {
  // Cheap reject by bounding circles first.
  const r = (Math.hypot(a.length, a.width) + Math.hypot(b.length, b.width)) / 2;
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  if (dx * dx + dy * dy > r * r) return false;
  const ca = corners(a);
  const cb = corners(b);
  for (const h of [a.heading, b.heading]) {
    for (const [ax, ay] of [
      [Math.cos(h), Math.sin(h)],
      [-Math.sin(h), Math.cos(h)],
    ]) {
      let minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
      for (const [x, y] of ca) {
        const p = x * ax + y * ay;
        if (p < minA) minA = p;
        if (p > maxA) maxA = p;
      }
      for (const [x, y] of cb) {
        const p = x * ax + y * ay;
        if (p < minB) minB = p;
        if (p > maxB) maxB = p;
      }
      if (maxA < minB || maxB < minA) return false;
    }
  }
  return true;
}
