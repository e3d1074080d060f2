// Tests written for perception/history.ts's surviving mutants (docs/mutation.md, "Survivors by file").
import { describe, expect, test } from "vitest";
import { HistoryRing, Validity, copyWindow, historyWindowAt, writeWindow, type Frame } from "../../perception/index.js";

const { Fresh: F, Held: H } = Validity;
const frame = (t: number, values: number[], valid: number[]): Frame => ({ t, values: Float32Array.from(values), valid: Uint8Array.from(valid) });

describe("HistoryRing", () => {
  test("refuses a length that is not a positive integer or a negative / fractional channel count, naming both", () => {
    for (const [L, C] of [[0, 1], [-1, 1], [1.5, 1], [2, -1], [2, 1.5], [NaN, 1]] as const) {
      expect(() => new HistoryRing(L, C)).toThrow(`history length=${L} channels=${C} must be positive integers`);
    }
    expect(new HistoryRing(2, 0).window()).toBeUndefined();
    expect(new HistoryRing(1, 1).length).toBe(1);
  });

  test("a copied window keeps its values and validity after the ring moves on", () => {
    const ring = new HistoryRing(2, 1);
    ring.push(frame(0, [1], [F]));
    ring.push(frame(0.1, [2], [H]));
    const kept = copyWindow(ring.window()!);
    ring.push(frame(0.2, [3], [0]));
    ring.push(frame(0.3, [4], [0]));
    expect(Array.from(kept.values)).toEqual([1, 2]);
    expect(Array.from(kept.valid)).toEqual([F, H]);
    expect(kept.t).toBe(0.1);
  });
});

describe("writeWindow and historyWindowAt", () => {
  const frames = [frame(0, [1, 10], [F, F]), frame(0.1, [2, 20], [F, H]), frame(0.2, [3, 30], [H, F])];
  const row = (f: Frame, out: Float32Array, at: number) => out.set(f.values, at);

  test("pads the first T − L rows at the block's offset and leaves the rest of out alone", () => {
    const out = new Float32Array(16).fill(-1);
    writeWindow(frames, 3, 2, 4, 2, row, out, 2, 0);
    expect(Array.from(out)).toEqual([-1, -1, 0, 0, 0, 0, 2, 20, 3, 30, -1, -1, -1, -1, -1, -1]);
  });

  test("a window of no frames does not fit", () => {
    expect(() => writeWindow(frames, 2, 0, 2, 2, row, new Float32Array(4))).toThrow("window of 0 frames ending at 2 does not fit T=2 (of 3 frames)");
  });

  test("historyWindowAt over no frames is refused with the window's message", () => {
    expect(() => historyWindowAt([], 0, 1)).toThrow("window of 1 frames ending at 0 does not fit T=1 (of 0 frames)");
  });
});
