// Tests written for perception/scene.ts's surviving mutants (docs/mutation.md, "Survivors by file"). scene.test.ts
// puts the vehicle at the path's vertex at the origin, where x − 0 and x + 0 agree: these tests use paths in general
// position (translated, rotated, irregular vertex spacing), ends, corners and the lead's edges.
import { describe, expect, test } from "vitest";
import { sceneFromPath, type SceneObject, type ScenePath } from "../../perception/scene.js";

const opts = { egoLength: 4.6, egoWidth: 1.85, egoFront: 3.6, leadRange: 150 };
const X0 = 1234.5;
const Y0 = -678.9;
const ROT = 0.7;
const place = (x: number, y: number): [number, number] => [X0 + x * Math.cos(ROT) - y * Math.sin(ROT), Y0 + x * Math.sin(ROT) + y * Math.cos(ROT)];

/** A straight run of `straight` m along +x, then a left arc of radius R for `arc` m, vertices every ~`step` m (jittered). */
function road(straight: number, R: number, arc: number, step: number, speed?: (s: number) => number): ScenePath {
  const x: number[] = [];
  const y: number[] = [];
  const v: number[] = [];
  const total = straight + arc;
  for (let i = 0, s = 0; s <= total + 1e-9; i++, s = Math.min(total, s + step * (i % 2 ? 0.7 : 1.3)) + (s >= total ? 1 : 0)) {
    const [lx, ly] = s <= straight ? [s, 0] : [straight + R * Math.sin((s - straight) / R), R - R * Math.cos((s - straight) / R)];
    const [px, py] = place(lx, ly);
    x.push(px);
    y.push(py);
    v.push(speed ? speed(s) : 0);
  }
  return speed ? { x, y, speed: v } : { x, y };
}

/** The pose `d` m left of the local path at arc length s (on the straight part), heading `err` off the path. */
function poseOnStraight(s: number, d: number, err: number, speed: number) {
  const [x, y] = place(s, d);
  return { x, y, heading: ROT + err, speed };
}

describe("scene geometry in general position", () => {
  test("offset, heading error, previews that scale with speed, and the path's speed at the projection", () => {
    const R = 40;
    const path = road(30, R, 60, 2, (s) => 5 + 0.1 * s);
    const v = sceneFromPath(path, poseOnStraight(12, 0.8, 0.2, 5), [], opts);
    expect(v.path_offset).toBeCloseTo(0.8, 6);
    expect(v.path_heading).toBeCloseTo(0.2, 6);
    expect(v.target_speed).toBeCloseTo(5 + 0.1 * 12, 6);
    // Previews at 12 + T·5 m: 12, 14.5, 17, 22 on the straight, 32 on the arc.
    for (const T of [0, 0.5, 1, 2]) expect(v[`path_curv@${T}s`]).toBeCloseTo(0, 9);
    expect(v["path_curv@4s"]).toBeCloseTo(1 / R, 2);
  });

  test("on the arc: offset + = left (toward the centre of a left turn), heading error against the tangent", () => {
    const R = 40;
    const path = road(30, R, 60, 2, (s) => 5 + 0.1 * s);
    const a = 25 / R; // 25 m into the arc
    const d = 1.1;
    const [x, y] = place(30 + (R - d) * Math.sin(a), R - (R - d) * Math.cos(a));
    const v = sceneFromPath(path, { x, y, heading: ROT + a - 0.15, speed: 2 }, [], opts);
    expect(v.path_offset).toBeCloseTo(d, 1);
    expect(v.path_heading).toBeCloseTo(-0.15, 2);
    expect(v["path_curv@0s"]).toBeCloseTo(1 / R, 2);
    expect(v.target_speed).toBeCloseTo(5 + 0.1 * 55, 1);
  });

  test("a heading a turn or more away wraps to (−π, π]", () => {
    const path = road(30, 40, 60, 2);
    for (const k of [-2, -1, 1, 3]) {
      const v = sceneFromPath(path, poseOnStraight(10, 0, 0.3 + 2 * Math.PI * k, 5), [], opts);
      expect(v.path_heading).toBeCloseTo(0.3, 9);
    }
    const back = sceneFromPath(path, poseOnStraight(10, 0, Math.PI - 0.01 + 2 * Math.PI, 5), [], opts);
    expect(back.path_heading).toBeCloseTo(Math.PI - 0.01, 9);
  });

  test("beyond both ends the path is straight: offset from the extended line, curvature 0, end speeds", () => {
    const R = 20;
    const path = road(5, R, 30, 1.5, (s) => 3 + s);
    const end = path.x.length - 1;
    // Behind the start: 3 m back along the start tangent (+x), 0.5 m left.
    const behind = sceneFromPath(path, poseOnStraight(-3, 0.5, 0, 0.5), [], opts);
    expect(behind.path_offset).toBeCloseTo(0.5, 3);
    expect(behind["path_curv@0s"]).toBe(0);
    expect(behind.target_speed).toBe(3);
    // Past the end: 4 m on along the end tangent, 0.7 m right.
    const ex = path.x[end]!;
    const ey = path.y[end]!;
    const h = Math.atan2(ey - path.y[end - 1]!, ex - path.x[end - 1]!);
    const past = sceneFromPath(path, { x: ex + 4 * Math.cos(h) + 0.7 * Math.sin(h), y: ey + 4 * Math.sin(h) - 0.7 * Math.cos(h), heading: h, speed: 1 }, [], opts);
    expect(past.path_offset).toBeCloseTo(-0.7, 6);
    expect(Math.abs(past.path_heading)).toBeLessThan(0.05);
    for (const T of [0, 0.5, 4]) expect(past[`path_curv@${T}s`]).toBe(0);
    expect(past.target_speed).toBe(path.speed![end]);
  });

  test("just inside the ends the curvature is the path's, just outside it is 0", () => {
    const R = 20;
    const path = road(0.001, R, 30, 1.5);
    const near = sceneFromPath(path, poseOnStraight(0.3, 0, 0, 1), [], opts);
    expect(near["path_curv@0s"]).toBeGreaterThan(0.5 / R);
    // Projected 0.1 m behind the start: the preview 0 s is before the path, 0.5 s (0.4 m ahead) on it.
    const before = sceneFromPath(path, poseOnStraight(-0.1, 0, 0, 1), [], opts);
    expect(before["path_curv@0s"]).toBe(0);
    expect(before["path_curv@0.5s"]).toBeGreaterThan(0.5 / R);
  });

  test("repeated vertices are dropped: the scene is the same with and without them", () => {
    const path = road(30, 40, 60, 2, (s) => 5 + 0.1 * s);
    const rep = (a: ArrayLike<number>) => Array.from(a).flatMap((q, i) => (i % 3 === 1 ? [q, q] : [q]));
    const doubled = { x: rep(path.x), y: rep(path.y), speed: rep(path.speed!) };
    const pose = poseOnStraight(20, -0.4, 0.05, 8);
    expect(sceneFromPath(doubled, pose, [], opts)).toEqual(sceneFromPath(path, pose, [], opts));
  });

  test("a repeated first point is dropped: the start is still extended straight back; two equal points are one point", () => {
    const path = road(5, 20, 30, 1.5);
    const first = { x: [path.x[0]!, ...Array.from(path.x)], y: [path.y[0]!, ...Array.from(path.y)] };
    const pose = poseOnStraight(-3, 0.5, 0, 1);
    expect(sceneFromPath(first, pose, [], opts).path_offset).toBeCloseTo(0.5, 6);
    expect(() => sceneFromPath({ x: [X0, X0], y: [Y0, Y0] }, pose, [], opts)).toThrow("scene path: needs at least 2 distinct points, has 1");
  });

  test("at an outer corner, equidistant from both segments, the earlier segment gives the offset", () => {
    const corner: ScenePath = { x: [0, 10, 10].map((q, i) => X0 + q + [0, 0, 0][i]!), y: [0, 0, 10].map((q) => Y0 + q) };
    const v = sceneFromPath(corner, { x: X0 + 12, y: Y0 - 1, heading: 0, speed: 1 }, [], opts);
    expect(v.path_offset).toBeCloseTo(-1, 9);
  });

  test("the path's speed is interpolated on the segment under the vehicle (a curved speed profile)", () => {
    const speed = (s: number) => 2 + 0.01 * s * s;
    const path = road(30, 40, 60, 2, speed);
    for (const s of [3, 12, 25]) expect(sceneFromPath(path, poseOnStraight(s, 0.3, 0, 5), [], opts).target_speed).toBeCloseTo(speed(s), 1);
  });

  test("the curvature's scale is the local vertex spacing (at a vertex, the segment before it), also after a finely sampled start", () => {
    const fine = { x: [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 30, 30], y: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6] };
    const coarse = { x: [0, 2, 30, 30], y: [0, 0, 0, 6] };
    const pose = { x: 30, y: 0, heading: 0, speed: 1 };
    // At the corner (s = 30) h = 2 × 28 m: Menger curvature of (0, 0), (30, 0) and the end (30, 6).
    const k = (2 * 180) / (30 * 6 * Math.hypot(30, 6));
    expect(sceneFromPath(fine, pose, [], opts)["path_curv@0s"]).toBeCloseTo(k, 9);
    expect(sceneFromPath(coarse, pose, [], opts)["path_curv@0s"]).toBeCloseTo(k, 9);
  });

  test("paths whose arrays disagree in length are refused, naming the counts", () => {
    const pose = { x: 0, y: 0, heading: 0, speed: 0 };
    expect(() => sceneFromPath({ x: [0, 1, 2], y: [0, 0] }, pose, [], opts)).toThrow("scene path: 3 x values but 2 y values");
    expect(() => sceneFromPath({ x: [0, 1], y: [0, 0], speed: [1] }, pose, [], opts)).toThrow("scene path: 2 points but 1 speeds");
  });

  test("target_speed is absent when neither the path nor the options give a finite one", () => {
    const path = { x: [0, 10], y: [0, 0] };
    const pose = { x: 1, y: 0, heading: 0, speed: 3 };
    expect("target_speed" in sceneFromPath(path, pose, [], opts)).toBe(false);
    expect("target_speed" in sceneFromPath(path, pose, [], { ...opts, targetSpeed: NaN })).toBe(false);
    expect(sceneFromPath(path, pose, [], { ...opts, targetSpeed: 7 }).target_speed).toBe(7);
  });
});

describe("the lead", () => {
  // Numbers exact in binary: ego 2 m wide, front 4 m ahead of the rear axle; objects 2 m wide, 4 m long.
  const o2 = { egoLength: 5, egoWidth: 2, egoFront: 4, leadRange: 150 };
  const path = { x: [0, 400], y: [0, 0] };
  const pose = { x: 10, y: 0, heading: 0, speed: 15 };
  const obj = (x: number, y: number, speed = 1): SceneObject => ({ x, y, speed, length: 4, width: 2 });

  test("the path band is half the two widths plus 0.2 ego widths either side (2.4 m here), its edge outside", () => {
    expect(sceneFromPath(path, pose, [obj(60, 2.3)], o2).lead_present).toBe(1);
    expect(sceneFromPath(path, pose, [obj(60, -2.3)], o2).lead_present).toBe(1);
    expect(sceneFromPath(path, pose, [obj(60, 2.4)], o2).lead_present).toBe(0);
    expect(sceneFromPath(path, pose, [obj(60, 2.5)], o2).lead_present).toBe(0);
  });

  test("the nearest object ahead wins whatever the order; of two at the same gap the first listed", () => {
    for (const objs of [[obj(80, 0, 8), obj(50, 0.5, 5)], [obj(50, 0.5, 5), obj(80, 0, 8)]]) {
      const v = sceneFromPath(path, pose, objs, o2);
      expect([v.lead_present, v.lead_gap, v.lead_speed]).toEqual([1, 50 - 10 - 4 - 2, 5]);
    }
    const tie = sceneFromPath(path, pose, [obj(50, 0.5, 5), obj(50, -0.5, 6)], o2);
    expect(tie.lead_speed).toBe(5);
  });

  test("an object beyond the path's end, on its extended line, is at its real distance", () => {
    const v = sceneFromPath({ x: [0, 10, 20], y: [0, 0, 0] }, { x: 5, y: 0, heading: 0, speed: 3 }, [obj(30, 0.5, 2)], o2);
    expect([v.lead_present, v.lead_gap, v.lead_speed]).toEqual([1, 30 - 5 - 4 - 2, 2]);
  });

  test("before the path's start the vehicle and an object ahead of it lie on the extended line", () => {
    const v = sceneFromPath({ x: [0, 10, 20], y: [0, 0, 0] }, { x: -20, y: 0, heading: 0, speed: 3 }, [obj(-5, 0.5, 2)], o2);
    expect([v.lead_present, v.lead_gap, v.lead_speed]).toEqual([1, 15 - 4 - 2, 2]);
  });

  test("an object alongside (projected at the vehicle) is not a lead; one at exactly the range is", () => {
    expect(sceneFromPath(path, pose, [obj(10, 0.5)], o2).lead_present).toBe(0);
    const atRange = sceneFromPath(path, pose, [obj(10 + 4 + 2 + 150, 0)], o2);
    expect([atRange.lead_present, atRange.lead_gap]).toEqual([1, 150]);
    expect(sceneFromPath(path, pose, [obj(10 + 4 + 2 + 150.5, 0)], o2).lead_present).toBe(0);
  });
});
