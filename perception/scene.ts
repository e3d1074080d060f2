/*
 * Scene channels: the path ahead and the nearest object on it, relative to the vehicle, as a planning and
 * localisation stack gives them. One pure function computes them from a path polyline (x, y, optional speed per
 * point), the vehicle's pose (rear axle, as Autoware's base_link and the simulator's state) and the objects around;
 * the simulator's scene sensor and the ROS path mapper both call it, so a vehicle sees what the model was trained on.
 *
 * Conventions (SI, map frame, angles counter-clockwise):
 * - path_offset (m): the vehicle's signed distance from the path, + = vehicle left of it.
 * - path_heading (rad): vehicle heading − path heading at the projection, wrapped to (−π, π].
 * - path_curv@<T>s (1/m): path curvature (+ = turning left) at arc length T·max(v, 1 m/s) ahead of the projection,
 *   T ∈ SCENE_PREVIEWS_S (0, 0.5, 1, 2, 4 s): previews scale with speed, and never shrink below 1 m/s worth of path.
 * - target_speed (m/s): the path's speed at the projection (Autoware Trajectory), else the given one (a nav_msgs/Path
 *   has none: then it comes from elsewhere, or is not produced).
 * - lead_gap (m): bumper-to-bumper distance along the path to the nearest object whose body overlaps the vehicle's
 *   lane band on the path; lead_speed (m/s) its speed; lead_present 1/0. Without one: gap = range, speed = own speed.
 */

/** Preview times (s) of the path_curv@<T>s channels. */
export const SCENE_PREVIEWS_S = [0, 0.5, 1, 2, 4] as const;
export const curvChannel = (t: number) => `path_curv@${t}s`;
export const PATH_CHANNELS = ["path_offset", "path_heading", ...SCENE_PREVIEWS_S.map(curvChannel)] as const;
export const LEAD_CHANNELS = ["lead_gap", "lead_speed", "lead_present"] as const;
/** Every scene channel, in a fixed order. */
export const SCENE_CHANNELS: readonly string[] = [...PATH_CHANNELS, "target_speed", ...LEAD_CHANNELS];

export interface ScenePath {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Planned speed per point (m/s), if the path carries one. */
  readonly speed?: ArrayLike<number>;
}

/** The vehicle: rear-axle position, heading and speed. */
export interface ScenePose {
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly speed: number;
}

/** Another road user: body centre, speed along its heading, size. */
export interface SceneObject {
  readonly x: number;
  readonly y: number;
  readonly speed: number;
  readonly length: number;
  readonly width: number;
}

export interface SceneOptions {
  /** Vehicle size and the distance from the rear axle to its front bumper (m). */
  readonly egoLength: number;
  readonly egoWidth: number;
  readonly egoFront: number;
  /** Farthest lead reported (m); also lead_gap when none is. */
  readonly leadRange: number;
  /** target_speed when the path carries no speed. */
  readonly targetSpeed?: number;
}

export type SceneValues = Readonly<Record<string, number>>;

function wrap(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/** A polyline with cumulative arc length; consecutive duplicate points are dropped. */
interface Line {
  readonly x: number[];
  readonly y: number[];
  readonly v: number[] | null;
  readonly s: number[];
}

function line(path: ScenePath): Line {
  const n = path.x.length;
  if (path.y.length !== n) throw new Error(`scene path: ${n} x values but ${path.y.length} y values`);
  if (path.speed && path.speed.length !== n) throw new Error(`scene path: ${n} points but ${path.speed.length} speeds`);
  const x: number[] = [];
  const y: number[] = [];
  const v: number[] | null = path.speed ? [] : null;
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    const px = path.x[i];
    const py = path.y[i];
    if (!Number.isFinite(px) || !Number.isFinite(py)) throw new Error(`scene path: point ${i} is (${px}, ${py})`);
    if (x.length && Math.hypot(px - x[x.length - 1], py - y[y.length - 1]) < 1e-6) continue;
    s.push(x.length ? s[s.length - 1] + Math.hypot(px - x[x.length - 1], py - y[y.length - 1]) : 0);
    x.push(px);
    y.push(py);
    if (v && path.speed) v.push(path.speed[i]);
  }
  if (x.length < 2) throw new Error(`scene path: needs at least 2 distinct points, has ${x.length}`);
  return { x, y, v, s };
}

/** Projection of a point: arc length (extended straight beyond both ends), signed lateral offset, segment index. */
function project(l: Line, px: number, py: number): { s: number; d: number; i: number } {
  let best = { s: 0, d: Infinity, i: 0, dist: Infinity };
  const last = l.x.length - 2;
  for (let i = 0; i <= last; i++) {
    const dx = l.x[i + 1] - l.x[i];
    const dy = l.y[i + 1] - l.y[i];
    const len = l.s[i + 1] - l.s[i];
    let u = ((px - l.x[i]) * dx + (py - l.y[i]) * dy) / (len * len);
    if (i > 0) u = Math.max(u, 0);
    if (i < last) u = Math.min(u, 1);
    const qx = l.x[i] + u * dx;
    const qy = l.y[i] + u * dy;
    const dist = Math.hypot(px - qx, py - qy);
    if (dist < best.dist - 1e-12) best = { s: l.s[i] + u * len, d: (-(px - qx) * dy + (py - qy) * dx) / len, i, dist };
  }
  return { s: best.s, d: best.d, i: best.i };
}

/** Point at arc length s (clamped to the line, or straight beyond its ends). */
function pointAt(l: Line, s: number): [number, number] {
  const n = l.x.length;
  let i = 0;
  if (s >= l.s[n - 1]) i = n - 2;
  else if (s > 0) while (i < n - 2 && l.s[i + 1] < s) i++;
  const len = l.s[i + 1] - l.s[i];
  const u = (s - l.s[i]) / len;
  return [l.x[i] + u * (l.x[i + 1] - l.x[i]), l.y[i] + u * (l.y[i + 1] - l.y[i])];
}

/** Vertex spacing around arc length s, the scale the path's shape is resolved at. */
function span(l: Line, s: number): number {
  let i = 0;
  while (i < l.x.length - 2 && l.s[i + 1] < s) i++;
  return Math.max(2 * (l.s[i + 1] - l.s[i]), 0.5);
}

/** Tangent heading at arc length s: the chord from s − h/2 to s + h/2 (parallel to the tangent on a circle). */
function headingAt(l: Line, s: number): number {
  const end = l.s[l.s.length - 1];
  const h = span(l, s);
  const a = pointAt(l, Math.min(Math.max(s - h / 2, 0), end - h));
  const b = pointAt(l, Math.max(Math.min(s + h / 2, end), h));
  return Math.atan2(b[1] - a[1], b[0] - a[0]);
}

/**
 * Curvature at arc length s: Menger curvature of the points at s − h, s, s + h along the line (exact on a circle,
 * whatever the vertex spacing), h = max(2 × the local vertex spacing, 0.5 m) so a finely or coarsely sampled path
 * gives the same value. Beyond the ends the line is straight.
 */
function curvatureAt(l: Line, s: number): number {
  const end = l.s[l.s.length - 1];
  if (s <= 0 || s >= end) return 0;
  const h = span(l, s);
  const a = pointAt(l, Math.max(s - h, 0));
  const b = pointAt(l, s);
  const c = pointAt(l, Math.min(s + h, end));
  const ab = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const bc = Math.hypot(c[0] - b[0], c[1] - b[1]);
  const ca = Math.hypot(a[0] - c[0], a[1] - c[1]);
  if (ab < 1e-9 || bc < 1e-9 || ca < 1e-9) return 0;
  const cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return (2 * cross) / (ab * bc * ca);
}

function speedAt(l: Line, s: number): number {
  const v = l.v!;
  const n = l.x.length;
  if (s <= 0) return v[0];
  if (s >= l.s[n - 1]) return v[n - 1];
  let i = 0;
  while (i < n - 2 && l.s[i + 1] < s) i++;
  const u = (s - l.s[i]) / (l.s[i + 1] - l.s[i]);
  return v[i] + u * (v[i + 1] - v[i]);
}

/**
 * The scene channels for one instant. Throws (naming the value) on a path that is not a usable polyline or a
 * non-finite pose; objects with non-finite fields are skipped. target_speed is absent when neither the path nor
 * the options give one.
 */
export function sceneFromPath(path: ScenePath, pose: ScenePose, objects: readonly SceneObject[], opts: SceneOptions): SceneValues {
  for (const k of ["x", "y", "heading", "speed"] as const) {
    if (!Number.isFinite(pose[k])) throw new Error(`scene pose: ${k} = ${pose[k]}`);
  }
  const l = line(path);
  const p = project(l, pose.x, pose.y);
  const out: Record<string, number> = {
    path_offset: p.d,
    path_heading: wrap(pose.heading - headingAt(l, p.s)),
  };
  const reach = Math.max(pose.speed, 1);
  for (const t of SCENE_PREVIEWS_S) out[curvChannel(t)] = curvatureAt(l, p.s + t * reach);
  const target = l.v ? speedAt(l, p.s) : opts.targetSpeed;
  if (target !== undefined && Number.isFinite(target)) out.target_speed = target;

  // Lead: nearest object ahead whose body overlaps the vehicle's band centred on the path.
  let gap = opts.leadRange;
  let speed = pose.speed;
  let present = 0;
  for (const o of objects) {
    if (![o.x, o.y, o.speed, o.length, o.width].every(Number.isFinite)) continue;
    const q = project(l, o.x, o.y);
    if (Math.abs(q.d) >= (opts.egoWidth + o.width) / 2 + 0.2 * opts.egoWidth) continue;
    const g = q.s - p.s - opts.egoFront - o.length / 2;
    if (q.s <= p.s || g > opts.leadRange || (present && g >= gap)) continue;
    gap = g;
    speed = o.speed;
    present = 1;
  }
  out.lead_gap = gap;
  out.lead_speed = speed;
  out.lead_present = present;
  return out;
}
