import { TestScheduler } from "rxjs/testing";
import { describe, expect, test } from "vitest";
import {
  HistoryRing,
  NormalisationSums,
  Validity,
  computeNormalisation,
  copyWindow,
  denormaliser,
  fromZScore,
  historyWindowAt,
  normaliseFrames,
  normaliseInto,
  normaliser,
  windowEnds,
  writeWindow,
  zScore,
  type Frame,
  type FrameSpec,
} from "../../perception/index.js";
import { prng } from "../../dynamics/prng.js";

const spec: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 1 }, { name: "steer", interp: "linear", staleAfter: 1 }, { name: "brake", interp: "hold", staleAfter: 1 }] };
const frame = (t: number, values: number[], valid: number[]): Frame => ({ t, values: Float32Array.from(values), valid: Uint8Array.from(valid) });
const { Fresh: F, Held: H, Missing: M } = Validity;

describe("normalisation", () => {
  const frames = [frame(0, [1, 5, NaN], [F, F, M]), frame(0.1, [3, 5, NaN], [H, F, M]), frame(0.2, [NaN, 5, NaN], [M, F, M])];

  test("mean/std over valid values only; constant channels get std 1 (or a floor); never-valid ones identity", () => {
    expect(computeNormalisation(frames, spec)).toEqual({ channels: ["speed", "steer", "brake"], mean: [2, 5, 0], std: [1, 1, 1] });
    expect(computeNormalisation(frames, spec, { min: 1e-3, below: "min" })).toEqual({ channels: ["speed", "steer", "brake"], mean: [2, 5, 0], std: [1, 1e-3, 1e-3] });
  });

  test("a non-finite value that is not marked Missing is left out, not averaged into NaN", () => {
    const n = computeNormalisation([...frames, frame(0.3, [Infinity, NaN, NaN], [F, F, M])], spec);
    expect(n.mean).toEqual([2, 5, 0]);
  });

  test("sums in frame order with the sum-of-squares formula (the bits lam.json's statistics were made with)", () => {
    const s = new NormalisationSums(["a"]);
    for (const v of [0.1, 0.2, 0.3]) s.add(frame(0, [v], [F]), [0]);
    const m = (Math.fround(0.1) + Math.fround(0.2) + Math.fround(0.3)) / 3;
    const sq = Math.fround(0.1) ** 2 + Math.fround(0.2) ** 2 + Math.fround(0.3) ** 2;
    expect(s.result()).toEqual({ channels: ["a"], mean: [m], std: [Math.sqrt(sq / 3 - m * m)] });
    // Welford's one-pass update gives different last bits on these values: the test tells the two apart.
    let wm = 0;
    let m2 = 0;
    [0.1, 0.2, 0.3].forEach((x, i) => {
      const d = Math.fround(x) - wm;
      wm += d / (i + 1);
      m2 += d * (Math.fround(x) - wm);
    });
    expect([wm, Math.sqrt(m2 / 3)]).not.toEqual([m, Math.sqrt(sq / 3 - m * m)]);
  });

  test("a channel with no usable value: an error naming it, or mean 0 with the floored std", () => {
    const s = new NormalisationSums(["speed", "steer"]);
    s.add(frame(0, [1, NaN], [F, M]), [0, 1]);
    expect(() => s.result()).toThrow(/channel "steer" has no usable value/);
    expect(s.result({ min: 1e-3, below: "min" }, "zero")).toEqual({ channels: ["speed", "steer"], mean: [1, 0], std: [1e-3, 1e-3] });
  });

  test("zScore divides (x − mean) by std, fromZScore inverts it; denormaliser inverts normaliser", () => {
    expect(zScore(7, 1, 3)).toBe(2);
    // Not (x − mean) · (1 / std), which differs in the last bit here.
    expect(zScore(3.3, 1.1, 0.7)).toBe(3.142857142857143);
    expect((3.3 - 1.1) * (1 / 0.7)).toBe(3.1428571428571423);
    expect(fromZScore(2, 1, 3)).toBe(7);
    const n = { channels: ["speed", "steer", "brake"], mean: [2, 5, 0], std: [4, 0.5, 1] };
    const back = denormaliser(n, spec)(normaliser(n, spec)(frames[0]));
    expect(Array.from(back.values)).toEqual([1, 5, NaN]);
  });

  test("normaliseInto: unusable values become the missing value, the rest clamped", () => {
    const out = new Float32Array(5).fill(9);
    const n = { channels: ["x", "y", "z"], mean: [0, 0, 0], std: [1, 1, 1] };
    normaliseInto(frame(0, [50, NaN, -3], [F, F, H]), [2, 0, 1], n, out, 1, 20, 0);
    expect(Array.from(out)).toEqual([9, -3, 20, 0, 9]);
  });

  test("normaliser maps z = (x - mean) / std, keeps Missing as NaN, and follows the spec's channel order", () => {
    const n = { channels: ["brake", "steer", "speed"], mean: [0, 5, 2], std: [1, 0.5, 1] };
    const z = normaliser(n, spec)(frames[0]);
    expect(Array.from(z.values)).toEqual([-1, 0, NaN]);
    expect(z.valid).toBe(frames[0].valid);
  });

  test("normaliseFrames maps each frame at its own instant", () => {
    const n = computeNormalisation(frames, spec);
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

  test("the ring's window is historyWindowAt's, at every frame (stream and batch windowing agree)", () => {
    const r = prng(5);
    const frames = Array.from({ length: 40 }, (_, i) => frame(i / 10, [r.next(), r.next() * 10, i], [F, r.next() < 0.3 ? M : H, F]));
    for (const N of [1, 3, 7]) {
      const ring = new HistoryRing(N, 3);
      frames.forEach((f, i) => {
        ring.push(f);
        const w = ring.window();
        if (i + 1 < N) expect(w).toBeUndefined();
        else expect(copyWindow(w!)).toEqual(historyWindowAt(frames, i + 1, N));
      });
    }
  });

  test("refuses frames of the wrong width", () => {
    expect(() => new HistoryRing(2, 2).push(frame(0.5, [1], [F]))).toThrow(/t=0.5 has 1 channels, history expects 2/);
  });
});

describe("writeWindow / windowEnds", () => {
  const frames = [0, 1, 2, 3].map((i) => frame(i, [i, 10 * i], [F, F]));
  const row = (f: Frame, out: Float32Array, at: number) => out.set(f.values, at);

  test("the L frames before end, oldest first, after T − L rows of padding", () => {
    const out = new Float32Array(1 + 4 * 2).fill(7);
    writeWindow(frames, 3, 2, 4, 2, row, out, 1, -1);
    expect(Array.from(out)).toEqual([7, -1, -1, -1, -1, 1, 10, 2, 20]);
  });

  test("names a window that does not fit", () => {
    const out = new Float32Array(8);
    expect(() => writeWindow(frames, 1, 2, 4, 2, row, out)).toThrow(/window of 2 frames ending at 1 does not fit T=4/);
    expect(() => writeWindow(frames, 5, 2, 4, 2, row, out)).toThrow(/ending at 5 .*of 4 frames/);
    expect(() => writeWindow(frames, 3, 3, 2, 2, row, out)).toThrow(/does not fit T=2/);
  });

  test("ends with `before` frames of the span before and `after` after, every stride-th", () => {
    expect(windowEnds(10, 20, 3, 4)).toEqual([13, 14, 15, 16]);
    expect(windowEnds(10, 20, 3, 4, 2)).toEqual([13, 15]);
    expect(windowEnds(0, 5, 1, 5)).toEqual([]);
    expect(() => windowEnds(0, 5, 1, 1, 0)).toThrow(/stride=0/);
  });
});
