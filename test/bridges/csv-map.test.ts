import { describe, expect, it } from "vitest";
import {
  BUILTIN_MAPS,
  STANDARD_GRAVITY,
  UNIT_TRANSFORMS,
  parseColumnMap,
  quaternionYaw,
  wrapAngle,
} from "../../bridges/csv/index.js";

describe("parseColumnMap", () => {
  it("accepts every built-in map and survives a JSON round trip", () => {
    for (const map of Object.values(BUILTIN_MAPS)) {
      expect(parseColumnMap(JSON.parse(JSON.stringify(map)))).toEqual(map);
    }
  });

  it("names the bad key and value of an unknown channel", () => {
    const map = { name: "m", files: [{ time: { column: "t" }, columns: { v: { channel: "sped" } } }] };
    expect(() => parseColumnMap(map)).toThrow(/invalid column map "m": files\[0\]\.columns\.v\.channel = "sped": unknown channel/);
  });

  it("names an unknown transform and an unknown key", () => {
    const map = {
      name: "m",
      files: [{ time: { column: "t" }, colums: {}, columns: { v: { channel: "speed", transform: "mph" } } }],
    };
    let message = "";
    try {
      parseColumnMap(map);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/files\[0\]: unknown key "colums"/);
    expect(message).toMatch(/files\[0\]\.columns\.v\.transform = "mph": expected one of deg_to_rad/);
  });

  it("rejects a malformed time spec, a non-finite scale, and a channel produced twice", () => {
    expect(() => parseColumnMap({ name: "m", files: [{ time: { col: "t" } }] })).toThrow(/files\[0\]\.time = \{"col":"t"\}/);
    expect(() =>
      parseColumnMap({ name: "m", files: [{ time: { column: "t", scale: "1e-3" } }] }),
    ).toThrow(/files\[0\]\.time/);
    const twice = {
      name: "m",
      files: [
        { file: "a.csv", time: { column: "t" }, columns: { v: { channel: "speed" } } },
        { file: "b.csv", time: { column: "t" }, columns: { w: { channel: "speed" } } },
      ],
    };
    expect(() => parseColumnMap(twice)).toThrow(/files\[1\]\.columns\.w\.channel = "speed": already produced by files\[0\]\.columns\.v/);
    expect(() => parseColumnMap({ name: "m", files: [{ time: { column: "t" } }, { time: { column: "t" } }] })).toThrow(
      /files\[0\]\.file: required when a map has several files/,
    );
    expect(() => parseColumnMap(null)).toThrow(/invalid column map: \(top level\) = null/);
  });

  it("accepts qualified channel names and lists of transforms", () => {
    const map = parseColumnMap({
      name: "m",
      files: [{ time: { s: "s", ns: "ns", offset: -5 }, columns: { w: [{ channel: "yaw_rate@odom", transform: ["deg_s_to_rad_s", { scale: 2 }] }] } }],
    });
    expect(map.files[0].time).toEqual({ s: "s", ns: "ns", offset: -5 });
  });
});

describe("transforms", () => {
  it("convert units", () => {
    expect(UNIT_TRANSFORMS.deg_to_rad(180)).toBeCloseTo(Math.PI, 12);
    expect(UNIT_TRANSFORMS.g_to_mps2(1)).toBe(STANDARD_GRAVITY);
    expect(UNIT_TRANSFORMS.kph_to_mps(36)).toBeCloseTo(10, 12);
    expect(UNIT_TRANSFORMS.percent_to_unit(39)).toBeCloseTo(0.39, 12);
    expect(UNIT_TRANSFORMS.negate(2)).toBe(-2);
  });

  it("turn a compass bearing into a heading counter-clockwise from east", () => {
    expect(UNIT_TRANSFORMS.bearing_deg_to_heading(0)).toBeCloseTo(Math.PI / 2, 12); // north
    expect(UNIT_TRANSFORMS.bearing_deg_to_heading(90)).toBeCloseTo(0, 12); // east
    expect(UNIT_TRANSFORMS.bearing_deg_to_heading(180)).toBeCloseTo(-Math.PI / 2, 12); // south
    expect(Math.abs(UNIT_TRANSFORMS.bearing_deg_to_heading(270))).toBeCloseTo(Math.PI, 12); // west
    expect(UNIT_TRANSFORMS.bearing_deg_to_heading(315)).toBeCloseTo((3 * Math.PI) / 4, 12); // north-west
  });

  it("take yaw from a quaternion, unit or not", () => {
    const yaw = 2.5;
    const [z, w] = [Math.sin(yaw / 2), Math.cos(yaw / 2)];
    expect(quaternionYaw(0, 0, z, w)).toBeCloseTo(yaw, 12);
    expect(quaternionYaw(0, 0, 3 * z, 3 * w)).toBeCloseTo(yaw, 12);
    expect(quaternionYaw(0, 0, -z, -w)).toBeCloseTo(yaw, 12); // q and -q are one rotation
    expect(quaternionYaw(0, 0, 0, 0)).toBeNaN();
  });

  it("wrap angles to [-pi, pi]", () => {
    expect(Math.abs(wrapAngle(3 * Math.PI))).toBeCloseTo(Math.PI, 12);
    expect(wrapAngle(1.5 * Math.PI)).toBeCloseTo(-Math.PI / 2, 12);
    expect(wrapAngle(-Math.PI / 2 - 4 * Math.PI)).toBeCloseTo(-Math.PI / 2, 12);
    expect(wrapAngle(0.3)).toBe(0.3);
  });
});
