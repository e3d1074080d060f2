import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { buildRoad } from "../../sim/index.js";

const sCurve = buildRoad({
  lane_width: 3.5,
  lanes: 3,
  segments: [
    { type: "straight", length: 50 },
    { type: "clothoid", length: 40, curvature_end: 0.02 },
    { type: "arc", length: 60, curvature: 0.02 },
    { type: "clothoid", length: 80, curvature_end: -0.02 },
    { type: "arc", length: 60, curvature: -0.02 },
    { type: "straight", length: 50 },
  ],
});

describe("road", () => {
  it("Frenet round trip: pose(s, d) projects back to (s, d) with zero heading error", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: sCurve.length, noNaN: true }), fc.double({ min: -2, max: 9, noNaN: true }), (s, d) => {
        const p = sCurve.pose(s, d);
        const f = sCurve.project(p.x, p.y, p.heading);
        expect(Math.abs(f.s - s)).toBeLessThan(1e-6);
        expect(Math.abs(f.d - d)).toBeLessThan(1e-6);
        expect(Math.abs(f.headingError)).toBeLessThan(1e-3);
      }),
      { numRuns: 300 },
    );
  });

  it("a half circle of radius R ends 2R to the left, heading back", () => {
    const R = 20;
    const r = buildRoad({ lane_width: 3, lanes: 1, segments: [{ type: "arc", length: Math.PI * R, curvature: 1 / R }] });
    const end = r.pose(r.length, 0);
    expect(end.x).toBeCloseTo(0, 3);
    expect(end.y).toBeCloseTo(2 * R, 3);
    expect(Math.abs(end.heading)).toBeCloseTo(Math.PI, 6);
  });

  it("clothoids ramp curvature linearly from the previous segment's", () => {
    expect(sCurve.curvatureAt(70)).toBeCloseTo(0.01, 9);
    expect(sCurve.curvatureAt(190)).toBeCloseTo(0, 9);
    expect(sCurve.curvatureAt(250)).toBeCloseTo(-0.02, 9);
  });

  it("projects beyond the ends along the end headings, and uses a local search with a hint", () => {
    const straight = buildRoad({ lane_width: 3.5, lanes: 2, segments: [{ type: "straight", length: 100 }] });
    expect(straight.project(130, 1, 0).s).toBeCloseTo(130, 9);
    expect(straight.project(-10, -1, 0).d).toBeCloseTo(-1, 9);
    const p = sCurve.pose(150, 3.5);
    expect(sCurve.project(p.x, p.y, p.heading, 148).s).toBeCloseTo(sCurve.project(p.x, p.y, p.heading).s, 9);
  });

  it("lane centres and lane lookup", () => {
    expect(sCurve.laneCenter(2)).toBe(7);
    expect(sCurve.laneAt(5.4)).toBe(2);
    expect(sCurve.laneAt(-3)).toBe(0);
  });

  it("rejects a bad road with the field named", () => {
    expect(() => buildRoad({ lane_width: 3, lanes: 1, segments: [{ type: "straight", length: 0 }] })).toThrow("road.segments[0].length must be > 0, got 0");
  });
});
