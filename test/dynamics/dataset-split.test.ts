import { describe, expect, it } from "vitest";
import { cutWindows, fitNormalisation, splitBlocks, blocksFromRecord, type FrameSeries } from "../../dynamics/dataset.js";
import { prng } from "../../dynamics/prng.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { Validity, type Frame } from "../../perception/types.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 6, layers: 1, units: 4 };

/** Frame i carries speed = i (its own index) so a window's content tells which frames it holds. */
function indexed(name: string, n: number, t0 = 0): FrameSeries {
  const frames: Frame[] = Array.from({ length: n }, (_, i) => ({ t: t0 + i / 20, values: Float32Array.from([i, Math.sin(i / 10)]), valid: Uint8Array.from([1, 1]) }));
  return { name, channels: ["speed", "steer_cmd"], frames };
}

describe("dataset: time-block split", () => {
  const series = [indexed("a", 1500), indexed("b", 900, 500)];
  const blocks = splitBlocks(series, spec, { blockSeconds: 5 });

  it("gives every drive train, validation and test blocks", () => {
    for (const d of ["a", "b"]) {
      const roles = new Set(blocks.filter((b) => b.drive === d).map((b) => b.role));
      expect([...roles].sort()).toEqual(["test", "train", "val"]);
    }
  });

  it("no test-block frame appears in any training window (inputs or targets), with a gap of history+horizon", () => {
    // std 1e4 keeps the frame index below the feature clamp: x · 1e4 = frame index.
    const norm = { channels: spec.features, mean: [0, 0], std: [1e4, 1] };
    const train = blocks.filter((b) => b.role === "train");
    const w = cutWindows(series, train, spec, norm, { fallback: [0] }, { variableLength: prng(3) });
    expect(w.n).toBeGreaterThan(100);
    const tests = blocks.filter((b) => b.role === "test");
    const gap = spec.history + spec.horizon;
    for (let i = 0; i < w.n; i++) {
      const d = series[w.drive[i]].name;
      const first = w.end[i] - spec.history;
      const last = w.end[i] + spec.horizon - 1;
      // The encoded inputs really are these frames: speed = frame index (norm is identity), padding aside.
      const L = w.length[i];
      expect(Math.round(w.x[(i * spec.history + spec.history - 1) * 2] * 1e4)).toBe(w.end[i] - 1);
      expect(Math.round(w.x[(i * spec.history + spec.history - L) * 2] * 1e4)).toBe(w.end[i] - L);
      for (const t of tests.filter((b) => b.drive === d)) {
        const apart = last < t.start ? t.start - last - 1 : first - t.end;
        expect(apart, `window ${first}..${last} of ${d} vs test block ${t.start}..${t.end - 1}`).toBeGreaterThanOrEqual(gap);
      }
    }
  });

  it("records blocks by time so a reloaded drive finds the same frames", () => {
    const test = blocks.filter((b) => b.role === "test" && b.drive === "b");
    const again = blocksFromRecord(indexed("b", 900, 500), test.map(({ drive, role, t0, t1 }) => ({ drive, role, t0, t1, start: -1, end: -1 })));
    expect(again.map((b) => [b.start, b.end])).toEqual(test.map((b) => [b.start, b.end]));
  });
});

describe("dataset: normalisation and windows", () => {
  it("normalisation statistics come from the training blocks only", () => {
    const s = indexed("a", 1400);
    // Poison every non-training frame: if it leaked into the statistics, the mean would explode.
    const blocks = splitBlocks([s], spec, { blockSeconds: 5 });
    for (const b of blocks.filter((x) => x.role !== "train")) for (let i = b.start; i < b.end; i++) s.frames[i].values[1] = 1e6;
    const train = blocks.filter((b) => b.role === "train");
    const norm = fitNormalisation([s], train, ["steer_cmd"]);
    expect(Math.abs(norm.mean[0])).toBeLessThan(1);
    expect(norm.std[0]).toBeLessThan(1);
    const all = fitNormalisation([s], blocks, ["steer_cmd"]);
    expect(all.mean[0]).toBeGreaterThan(1000);
  });

  it("skips windows whose targets are Missing and never emits NaN inputs", () => {
    const s = indexed("a", 200);
    s.frames[100].valid[1] = Validity.Missing;
    s.frames[50].values[0] = NaN;
    const block = { drive: "a", role: "train" as const, start: 0, end: 200, t0: 0, t1: 10 };
    const w = cutWindows([s], [block], spec, { channels: spec.features, mean: [0, 0], std: [1, 1] }, { fallback: [0] });
    expect(w.skipped).toBe(spec.horizon);
    expect(w.x.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < w.n; i++) expect(w.end[i] > 100 || w.end[i] + spec.horizon <= 100).toBe(true);
  });

  it("variable-length windows have lengths in [H/2, H], padded at the front", () => {
    const s = indexed("a", 300);
    const block = { drive: "a", role: "train" as const, start: 0, end: 300, t0: 0, t1: 15 };
    const w = cutWindows([s], [block], spec, { channels: spec.features, mean: [0, 0], std: [1, 1] }, { fallback: [0] }, { variableLength: prng(1) });
    const lens = new Set(w.length);
    expect(Math.min(...lens)).toBe(spec.history / 2);
    expect(Math.max(...lens)).toBe(spec.history);
  });
});
