import { describe, expect, it } from "vitest";
import { SCENE_CHANNELS, sceneFromPath } from "../../perception/scene.js";
import { CHANNELS, channelInfo } from "../../perception/channels.js";
import { SENSOR_CHANNELS } from "../../scenarios/schema.js";

const opts = { egoLength: 4.6, egoWidth: 1.85, egoFront: 3.6, leadRange: 150 };

/** A circle of radius R (left turn) through the origin heading +x (from 20 m behind it), sampled every `step` metres. */
function arc(R: number, len: number, step: number) {
  const x: number[] = [];
  const y: number[] = [];
  for (let s = -20; s <= len + 1e-9; s += step) {
    x.push(R * Math.sin(s / R));
    y.push(R - R * Math.cos(s / R));
  }
  return { x, y };
}

describe("scene channels", () => {
  it("every scene channel is registered and may carry faults in scenarios", () => {
    for (const ch of SCENE_CHANNELS) {
      expect(channelInfo(ch).unit.length).toBeGreaterThan(0);
      expect(SENSOR_CHANNELS as readonly string[]).toContain(ch);
    }
    expect(CHANNELS.get("lead_present")?.interp).toBe("hold");
  });

  it("offset, heading error and curvature on a circle, whatever the vertex spacing", () => {
    const R = 100;
    for (const step of [0.5, 2, 5]) {
      const v = sceneFromPath(arc(R, 150, step), { x: 0, y: -0.5, heading: 0.1, speed: 10 }, [], { ...opts, targetSpeed: 12 });
      expect(v.path_offset).toBeCloseTo(-0.5, 2);
      expect(v.path_heading).toBeCloseTo(0.1, 2);
      expect(v["path_curv@1s"]).toBeCloseTo(1 / R, 3);
      expect(v["path_curv@4s"]).toBeCloseTo(1 / R, 3);
      expect(v.target_speed).toBe(12);
      expect(v.lead_present).toBe(0);
      expect(v.lead_gap).toBe(150);
      expect(v.lead_speed).toBe(10);
    }
  });

  it("the path's own speed is the target speed; previews beyond the end see a straight path", () => {
    const v = sceneFromPath({ x: [0, 10, 20], y: [0, 0, 0], speed: [4, 6, 8] }, { x: 5, y: 1, heading: 0, speed: 30 }, [], opts);
    expect(v.target_speed).toBeCloseTo(5, 9);
    expect(v.path_offset).toBeCloseTo(1, 9);
    expect(v["path_curv@2s"]).toBe(0);
  });

  it("the lead is the nearest object on the path band, gap bumper to bumper", () => {
    const path = { x: [0, 200], y: [0, 0] };
    const objs = [
      { x: 60, y: 0.3, speed: 8, length: 4.6, width: 1.85 },
      { x: 40, y: 3.5, speed: 1, length: 4.6, width: 1.85 }, // next lane: not on the path
      { x: -20, y: 0, speed: 30, length: 4.6, width: 1.85 }, // behind
      { x: 30, y: 0, speed: NaN, length: 4.6, width: 1.85 }, // corrupt: skipped
    ];
    const v = sceneFromPath(path, { x: 10, y: 0, heading: 0, speed: 15 }, objs, opts);
    expect(v.lead_present).toBe(1);
    expect(v.lead_gap).toBeCloseTo(60 - 10 - 3.6 - 2.3, 9);
    expect(v.lead_speed).toBe(8);
  });

  it("bad paths and poses are named", () => {
    expect(() => sceneFromPath({ x: [0], y: [0] }, { x: 0, y: 0, heading: 0, speed: 0 }, [], opts)).toThrow(/at least 2 distinct points/);
    expect(() => sceneFromPath({ x: [0, 1], y: [0, NaN] }, { x: 0, y: 0, heading: 0, speed: 0 }, [], opts)).toThrow(/point 1/);
    expect(() => sceneFromPath({ x: [0, 1], y: [0, 0] }, { x: 0, y: 0, heading: NaN, speed: 0 }, [], opts)).toThrow(/heading = NaN/);
  });
});
