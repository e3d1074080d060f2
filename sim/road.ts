// A road is a reference line (the centre of lane 0, the rightmost lane) built from segments of piecewise-linear
// curvature — straight (κ = 0), arc (κ constant), clothoid (κ linear from the previous segment's end value) —
// and N lanes of equal width to its left. Lane i's centre is at lateral offset d = i·laneWidth (left positive).
// The line is integrated once into a dense polyline; projection finds the nearest polyline piece and
// extends the first/last piece straight beyond the ends, so poses off either end still project.

export type RoadSegment =
  | { readonly type: "straight"; readonly length: number }
  | { readonly type: "arc"; readonly length: number; readonly curvature: number }
  | { readonly type: "clothoid"; readonly length: number; readonly curvature_end: number };

export interface RoadSpec {
  readonly lane_width: number;
  readonly lanes: number;
  readonly segments: readonly RoadSegment[];
  /** Start pose of the reference line (default origin, heading 0). */
  readonly origin?: { readonly x: number; readonly y: number; readonly heading: number };
}

export interface Frenet {
  /** Arc length along the reference line (m); < 0 or > length off the ends. */
  readonly s: number;
  /** Lateral offset from the reference line (m), left positive. */
  readonly d: number;
  /** Pose heading minus the line's heading at s, wrapped to (-π, π]. */
  readonly headingError: number;
  /** Reference-line curvature at s (1/m). */
  readonly curvature: number;
}

export interface Road {
  readonly spec: RoadSpec;
  readonly length: number;
  readonly laneWidth: number;
  readonly lanes: number;
  /** Lateral offset of lane i's centre. */
  laneCenter(lane: number): number;
  /** The lane whose centre is nearest to offset d (clamped to the road). */
  laneAt(d: number): number;
  curvatureAt(s: number): number;
  /** Cartesian pose of Frenet point (s, d); heading is the line's heading at s. */
  pose(s: number, d: number): { x: number; y: number; heading: number };
  /** Frenet coordinates of a Cartesian pose; `hint` (a previous s) makes it a local search. */
  project(x: number, y: number, heading: number, hint?: number): Frenet;
  /** Dense polyline of the reference line, for plots. */
  readonly line: { readonly s: Float64Array; readonly x: Float64Array; readonly y: Float64Array; readonly heading: Float64Array };
}

function wrap(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

interface Piece {
  s0: number;
  len: number;
  k0: number;
  k1: number;
}

export function buildRoad(spec: RoadSpec): Road {
  if (!(spec.lane_width > 0)) throw new Error(`road.lane_width must be > 0, got ${spec.lane_width}`);
  if (!(spec.lanes >= 1)) throw new Error(`road.lanes must be >= 1, got ${spec.lanes}`);
  if (spec.segments.length === 0) throw new Error("road.segments is empty");
  const pieces: Piece[] = [];
  let s0 = 0;
  let kEnd = 0;
  spec.segments.forEach((seg, i) => {
    if (!(seg.length > 0)) throw new Error(`road.segments[${i}].length must be > 0, got ${seg.length}`);
    const k0 = seg.type === "straight" ? 0 : seg.type === "arc" ? seg.curvature : kEnd;
    const k1 = seg.type === "straight" ? 0 : seg.type === "arc" ? seg.curvature : seg.curvature_end;
    pieces.push({ s0, len: seg.length, k0, k1 });
    s0 += seg.length;
    kEnd = k1;
  });
  const length = s0;
  const curvatureAt = (s: number): number => {
    if (s <= 0) return pieces[0].k0;
    if (s >= length) return pieces[pieces.length - 1].k1;
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid].s0 <= s) lo = mid;
      else hi = mid - 1;
    }
    const p = pieces[lo];
    return p.k0 + ((p.k1 - p.k0) * (s - p.s0)) / p.len;
  };

  // Step small against the lane width so the polyline's chord error is negligible at robot scale too.
  const ds = Math.min(0.5, spec.lane_width / 8);
  const n = Math.max(2, Math.ceil(length / ds) + 1);
  const step = length / (n - 1);
  const S = new Float64Array(n);
  const X = new Float64Array(n);
  const Y = new Float64Array(n);
  const H = new Float64Array(n);
  X[0] = spec.origin?.x ?? 0;
  Y[0] = spec.origin?.y ?? 0;
  H[0] = spec.origin?.heading ?? 0;
  for (let i = 1; i < n; i++) {
    const sa = (i - 1) * step;
    // Heading is the integral of curvature (Simpson: exact for piecewise-linear κ inside a piece);
    // position uses the mid-step heading (second-order in step).
    const ka = curvatureAt(sa);
    const km = curvatureAt(sa + step / 2);
    const kb = curvatureAt(sa + step);
    const dh = (step / 6) * (ka + 4 * km + kb);
    const hm = H[i - 1] + (step / 4) * (ka + km); // heading at mid-step: h + ∫₀^{step/2} κ
    // Chord of the step (an arc of length `step` turning by dh), along the mid-step heading.
    const chord = Math.abs(dh) < 1e-9 ? step : (step * Math.sin(dh / 2)) / (dh / 2);
    S[i] = i * step;
    X[i] = X[i - 1] + chord * Math.cos(hm);
    Y[i] = Y[i - 1] + chord * Math.sin(hm);
    H[i] = H[i - 1] + dh;
  }

  const laneWidth = spec.lane_width;
  const lanes = spec.lanes;

  const pose = (s: number, d: number) => {
    let i = Math.floor(s / step);
    if (i < 0) i = 0;
    if (i > n - 2) i = n - 2;
    const u = (s - S[i]) / step;
    // Interpolate along the chord; beyond the ends this extrapolates straight along the end heading.
    let h: number;
    let x: number;
    let y: number;
    if (s <= 0 || s >= length) {
      const j = s <= 0 ? 0 : n - 1;
      h = H[j];
      x = X[j] + (s - S[j]) * Math.cos(h);
      y = Y[j] + (s - S[j]) * Math.sin(h);
    } else {
      h = H[i] + (H[i + 1] - H[i]) * u;
      x = X[i] + (X[i + 1] - X[i]) * u;
      y = Y[i] + (Y[i + 1] - Y[i]) * u;
    }
    return { x: x - d * Math.sin(h), y: y + d * Math.cos(h), heading: wrap(h) };
  };

  // Squared distance from (x, y) to polyline piece i, and the parameter u of the nearest point on it.
  const piece = (i: number, x: number, y: number): { dist: number; u: number } => {
    const ex = X[i + 1] - X[i];
    const ey = Y[i + 1] - Y[i];
    let u = ((x - X[i]) * ex + (y - Y[i]) * ey) / (ex * ex + ey * ey);
    // The first and last pieces extend straight beyond the road's ends.
    if (!((i === 0 && u < 0) || (i === n - 2 && u > 1))) u = Math.max(0, Math.min(1, u));
    const px = X[i] + u * ex - x;
    const py = Y[i] + u * ey - y;
    return { dist: px * px + py * py, u };
  };

  const project = (x: number, y: number, heading: number, hint?: number): Frenet => {
    let bi = 0;
    let bu = 0;
    if (hint !== undefined && Number.isFinite(hint)) {
      // Local descent from the hint: between projections a vehicle moves a few pieces at most.
      let i = Math.max(0, Math.min(n - 2, Math.round(hint / step)));
      let cur = piece(i, x, y);
      for (let guard = 0; guard < n; guard++) {
        const up = i < n - 2 ? piece(i + 1, x, y) : null;
        const down = i > 0 ? piece(i - 1, x, y) : null;
        if (up && up.dist < cur.dist) (i = i + 1), (cur = up);
        else if (down && down.dist < cur.dist) (i = i - 1), (cur = down);
        else break;
      }
      bi = i;
      bu = cur.u;
    } else {
      let best = Infinity;
      for (let i = 0; i <= n - 2; i++) {
        const c = piece(i, x, y);
        if (c.dist < best) (best = c.dist), (bi = i), (bu = c.u);
      }
    }
    const beyond = (bi === 0 && bu < 0) || (bi === n - 2 && bu > 1);
    if (beyond) {
      // Off either end: the straight extension of the end piece.
      const ex = X[bi + 1] - X[bi];
      const ey = Y[bi + 1] - Y[bi];
      const sEnd = S[bi] + bu * step;
      const h = H[bu < 0 ? 0 : n - 1];
      const d = (ex * (y - Y[bi]) - ey * (x - X[bi])) / Math.hypot(ex, ey);
      return { s: sEnd, d, headingError: wrap(heading - h), curvature: curvatureAt(sEnd) };
    }
    // pose() offsets along the normal of the interpolated heading, not the chord's: solve (p - c(u))·t(u) = 0 by
    // Newton so that project() inverts pose() exactly (the chord's normal is off by d·Δh/2, centimetres at d = 9 m).
    let i = bi;
    let u = Math.max(0, Math.min(1, bu));
    for (let it = 0; it < 8; it++) {
      const ex = X[i + 1] - X[i];
      const ey = Y[i + 1] - Y[i];
      const dh = H[i + 1] - H[i];
      const h = H[i] + dh * u;
      const tx = Math.cos(h);
      const ty = Math.sin(h);
      const rx = x - (X[i] + u * ex);
      const ry = y - (Y[i] + u * ey);
      const f = rx * tx + ry * ty;
      const df = -(ex * tx + ey * ty) + dh * (-rx * ty + ry * tx);
      if (!(Math.abs(df) > 1e-12)) break;
      const next = u - f / df;
      if (next > 1 && i < n - 2) (i = i + 1), (u = 0);
      else if (next < 0 && i > 0) (i = i - 1), (u = 1);
      else u = Math.max(0, Math.min(1, next));
      if (Math.abs(next - u) < 1e-12) break;
    }
    const h = H[i] + (H[i + 1] - H[i]) * u;
    const sOut = S[i] + u * step;
    const d = -(x - (X[i] + u * (X[i + 1] - X[i]))) * Math.sin(h) + (y - (Y[i] + u * (Y[i + 1] - Y[i]))) * Math.cos(h);
    return { s: sOut, d, headingError: wrap(heading - h), curvature: curvatureAt(sOut) };
  };

  return {
    spec,
    length,
    laneWidth,
    lanes,
    laneCenter: (lane) => lane * laneWidth,
    laneAt: (d) => Math.max(0, Math.min(lanes - 1, Math.round(d / laneWidth))),
    curvatureAt,
    pose,
    project,
    line: { s: S, x: X, y: Y, heading: H },
  };
}
