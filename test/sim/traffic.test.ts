import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { buildRoad, initTraffic, stepTraffic, timeToCollision, boxesOverlap, agentBox, idmAccel, IDM_CAR, type EgoView } from "../../sim/index.js";
import type { TrafficAgentSpec } from "../../scenarios/index.js";

const road = buildRoad({ lane_width: 3.5, lanes: 2, segments: [{ type: "straight", length: 2000 }] });
const farEgo: EgoView = { s: -5000, d: 3.5, speed: 0, length: 4.6, width: 1.85 };

describe("traffic", () => {
  it("an IDM follower never collides with a lead that brakes to a stop (sane starts)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 30, noNaN: true }),
        fc.double({ min: 2, max: 9, noNaN: true }),
        fc.double({ min: 0, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (v, decel, extraGap, brakeAt) => {
          // Sane: the follower starts at its speed with at least its desired gap (s0 + v·T).
          const gap = IDM_CAR.minGap + v * IDM_CAR.timeHeadway + extraGap;
          const specs: TrafficAgentSpec[] = [
            { kind: "lead", lane: 0, s: 100 + gap + 4.6, speed: v, profile: [{ t: brakeAt, speed: 0, accel: decel }] },
            { kind: "idm", lane: 0, s: 100, speed: v, desired_speed: v },
          ];
          let tr = initTraffic(specs, road);
          let minGap = Infinity;
          let touched = false;
          for (let i = 0; i < 3000; i++) {
            tr = stepTraffic(tr, specs, road, farEgo, i * 0.01, 0.01);
            const [lead, fol] = tr.agents;
            minGap = Math.min(minGap, lead.s - fol.s - 4.6);
            touched ||= boxesOverlap(agentBox(lead, road), agentBox(fol, road));
          }
          expect(touched).toBe(false);
          expect(minGap).toBeGreaterThan(0);
          expect(tr.agents[1].speed).toBeLessThan(0.05);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a lead follows its speed profile at the given rates", () => {
    const specs: TrafficAgentSpec[] = [{ kind: "lead", lane: 0, s: 50, speed: 20, profile: [{ t: 1, speed: 10, accel: 4 }] }];
    let tr = initTraffic(specs, road);
    for (let i = 0; i < 200; i++) tr = stepTraffic(tr, specs, road, farEgo, i * 0.01, 0.01);
    expect(tr.agents[0].speed).toBeCloseTo(16, 6); // 1 s of braking at 4 m/s² after t = 1
  });

  it("a cut-in starts when the gap ahead of ego falls below its trigger, and ends in ego's lane", () => {
    const specs: TrafficAgentSpec[] = [{ kind: "lead", lane: 1, s: 40, speed: 10, profile: [], lane_change: { to_lane: 0, duration: 2, gap: 20 } }];
    let tr = initTraffic(specs, road);
    const ego: EgoView = { s: 0, d: 0, speed: 20, length: 4.6, width: 1.85 };
    let startedAt: number | null = null;
    for (let i = 0; i < 500; i++) {
      const t = i * 0.01;
      const e = { ...ego, s: 20 * t };
      tr = stepTraffic(tr, specs, road, e, t, 0.01);
      if (startedAt === null && tr.agents[0].laneChangeStart !== null) startedAt = t;
    }
    // Gap 40 - 4.6 = 35.4 m closes at 10 m/s: below 20 m after 1.54 s.
    expect(startedAt).toBeCloseTo(1.55, 1);
    expect(tr.agents[0].d).toBeCloseTo(0, 9);
  });

  it("TTC = bumper gap / closing speed for an agent in ego's path; none for other lanes or a stopped ego", () => {
    const specs: TrafficAgentSpec[] = [
      { kind: "stopped", lane: 0, s: 50 },
      { kind: "stopped", lane: 1, s: 20 },
    ];
    const tr = initTraffic(specs, road);
    const ego: EgoView = { s: 0, d: 0, speed: 10, length: 4.6, width: 1.85 };
    expect(timeToCollision(ego, tr.agents)).toBeCloseTo((50 - 4.6) / 10, 9);
    expect(timeToCollision({ ...ego, speed: 0 }, tr.agents)).toBe(Infinity);
  });

  it("oriented boxes overlap only when they touch", () => {
    const a = { x: 0, y: 0, heading: 0, length: 4, width: 2 };
    expect(boxesOverlap(a, { ...a, x: 3.9 })).toBe(true);
    expect(boxesOverlap(a, { ...a, x: 4.1 })).toBe(false);
    // Rotated 45°: corner reaches 2 + √2 ≈ 3.41 along x.
    expect(boxesOverlap(a, { x: 3.3, y: 0, heading: Math.PI / 4, length: 2, width: 2 })).toBe(true);
    expect(boxesOverlap(a, { x: 3.5, y: 0, heading: Math.PI / 4, length: 2, width: 2 })).toBe(false);
  });

  it("IDM brakes harder the smaller the gap", () => {
    const p = { ...IDM_CAR, desiredSpeed: 20 };
    expect(idmAccel(20, { gap: 10, speed: 20 }, p)).toBeLessThan(idmAccel(20, { gap: 40, speed: 20 }, p));
    expect(idmAccel(0, null, p)).toBeCloseTo(IDM_CAR.maxAccel, 9);
  });
});
