// Tests written for perception/normalise.ts's surviving mutants (docs/mutation.md, "Survivors by file").
import { describe, expect, test } from "vitest";
import {
  NormalisationSums,
  UNIT_STD_FLOOR,
  Validity,
  computeNormalisation,
  denormaliser,
  floorStd,
  normaliseInto,
  normaliser,
  type Frame,
  type FrameSpec,
  type Normalisation,
} from "../../perception/index.js";

const { Fresh: F, Held: H, Missing: M } = Validity;
const frame = (values: number[], valid: number[]): Frame => ({ t: 0, values: Float32Array.from(values), valid: Uint8Array.from(valid) });
const spec: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 0.5 }] };
const norm: Normalisation = { channels: ["speed"], mean: [10], std: [2] };

describe("normalisation statistics", () => {
  test("a Missing value and a NaN that slipped past validation are left out of the sums", () => {
    const s = new NormalisationSums(["speed"]);
    s.add(frame([4], [F]), [0]);
    s.add(frame([999], [M]), [0]);
    s.add(frame([NaN], [H]), [0]);
    s.add(frame([6], [H]), [0]);
    expect([s.sum[0], s.sq[0], s.count[0]]).toEqual([10, 52, 2]);
    expect(computeNormalisation([frame([4], [F]), frame([999], [M]), frame([6], [H])], spec)).toEqual({ channels: ["speed"], mean: [5], std: [1] });
  });

  test("a std exactly at the unit floor's minimum is a constant channel (std 1); just above it is kept", () => {
    expect(floorStd(UNIT_STD_FLOOR.min, UNIT_STD_FLOOR)).toBe(1);
    expect(floorStd(2e-6, UNIT_STD_FLOOR)).toBe(2e-6);
    expect(floorStd(1e-7, { min: 1e-6, below: "min" })).toBe(1e-6);
  });
});

describe("normaliseInto and the (de)normaliser", () => {
  test("a Missing value or a Held NaN becomes the missing value; both clamps apply", () => {
    const out = new Float32Array(4);
    normaliseInto(frame([20, 3, 50, -50], [M, H, F, F]), [0, 1, 2, 3], { channels: ["a", "b", "c", "d"], mean: [0, 0, 0, 0], std: [1, 1, 1, 1] }, out, 0, 30);
    expect(Array.from(out)).toEqual([0, 3, 30, -30]);
    const nan = new Float32Array(1);
    normaliseInto(frame([NaN], [H]), [0], norm, nan, 0, Infinity, -7);
    expect(nan[0]).toBe(-7);
  });

  test("the denormaliser gives NaN for a Missing value, whatever the z-frame carries there", () => {
    const back = denormaliser(norm, spec)(frame([0.5], [M]));
    expect(back.values[0]).toBeNaN();
    expect(denormaliser(norm, spec)(frame([0.5], [H])).values[0]).toBe(11);
  });

  test("a normalisation lacking a frame channel is refused, naming the channel and the ones it has", () => {
    expect(() => normaliser({ channels: ["steer", "accel"], mean: [0, 0], std: [1, 1] }, spec)).toThrow('normalisation has no channel "speed" (it has: steer, accel)');
  });
});
