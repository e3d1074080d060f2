import { TestScheduler } from "rxjs/testing";
import { describe, expect, test } from "vitest";
import { HistoryRing, Validity, computeNormalisation, copyWindow, normaliseFrames, normaliser, type Frame, type FrameSpec } from "../../perception/index.js";

const spec: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 1 }, { name: "steer", interp: "linear", staleAfter: 1 }, { name: "brake", interp: "hold", staleAfter: 1 }] };
const frame = (t: number, values: number[], valid: number[]): Frame => ({ t, values: Float32Array.from(values), valid: Uint8Array.from(valid) });
const { Fresh: F, Held: H, Missing: M } = Validity;

describe("normalisation", () => {
  const frames = [frame(0, [1, 5, NaN], [F, F, M]), frame(0.1, [3, 5, NaN], [H, F, M]), frame(0.2, [NaN, 5, NaN], [M, F, M])];

  test("mean/std over valid values only; constant channels get the floor; never-valid ones identity", () => {
    const n = computeNormalisation(frames, spec, 1e-3);
    expect(n).toEqual({ channels: ["speed", "steer", "brake"], mean: [2, 5, 0], std: [1, 1e-3, 1] });
  });

  test("normaliser maps z = (x - mean) / std, keeps Missing as NaN, and follows the spec's channel order", () => {
    const n = { channels: ["brake", "steer", "speed"], mean: [0, 5, 2], std: [1, 0.5, 1] };
    const z = normaliser(n, spec)(frames[0]);
    expect(Array.from(z.values)).toEqual([-1, 0, NaN]);
    expect(z.valid).toBe(frames[0].valid);
  });

  test("normaliseFrames maps each frame at its own instant", () => {
    const n = computeNormalisation(frames, spec, 1e-3);
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      expectObservable(cold("a 49ms b|", { a: frames[0], b: frames[1] }).pipe(normaliseFrames(n, spec))).toBe("a 49ms b|", {
        a: frame(0, [-1, 0, NaN], [F, F, M]),
        b: frame(0.1, [1, 0, NaN], [H, F, M]),
      });
    });
  });

  test("names a channel the normalisation lacks, and unusable statistics", () => {
    expect(() => normaliser({ channels: ["speed"], mean: [0], std: [1] }, spec)).toThrow(/no channel "steer"/);
    expect(() => normaliser({ channels: ["speed", "steer", "brake"], mean: [0, 0, 0], std: [1, 0, 1] }, spec)).toThrow(/"steer": mean=0 std=0/);
  });
});

describe("HistoryRing", () => {
  test("yields the last N frames oldest first as [N x C], only once full", () => {
    const ring = new HistoryRing(3, 2);
    for (let i = 0; i < 2; i++) ring.push(frame(i, [i, 10 * i], [F, H]));
    expect(ring.window()).toBeUndefined();
    for (let i = 2; i < 7; i++) ring.push(frame(i, [i, 10 * i], [F, i % 2 ? M : H]));
    const w = ring.window()!;
    expect([w.t, w.length, w.channels]).toEqual([6, 3, 2]);
    expect(Array.from(w.values)).toEqual([4, 40, 5, 50, 6, 60]);
    expect(Array.from(w.valid)).toEqual([F, H, F, M, F, H]);
  });

  test("windows are views, reused without allocation; copyWindow keeps one", () => {
    const ring = new HistoryRing(2, 1);
    ring.push(frame(0, [0], [F]));
    ring.push(frame(1, [1], [F]));
    const view = ring.window()!;
    const kept = copyWindow(view);
    ring.push(frame(2, [2], [F]));
    ring.push(frame(3, [3], [F]));
    expect(ring.window()!.values).toBe(view.values); // same slot again after N pushes
    expect(Array.from(view.values)).toEqual([2, 3]);
    expect(Array.from(kept.values)).toEqual([0, 1]);
  });

  test("refuses frames of the wrong width", () => {
    expect(() => new HistoryRing(2, 2).push(frame(0.5, [1], [F]))).toThrow(/t=0.5 has 1 channels, history expects 2/);
  });
});
