// lam train scores the baselines on its validation blocks once: the one run picks the residual's baseline
// (--residual-over best) and, through evaluate, the answer per action (sources best). Before, the validation
// ADEs streamed linear and AR again (windowBaselines per candidate) and evaluate streamed all three once more.
// Counted on the real RAV4 minute: hold-last is built once per validation and test block, plus once per training and
// validation block for the baseline choice (chooseBaselines, on both together), and the per-window baseline
// forecasts are made only for the residual targets (training and validation windows, once each).
import { resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { Frame } from "../../perception/types.js";
import { trainRun } from "../../dynamics/train-run.js";
import { loadSeries } from "../../runtime/drive-frames.js";

const count = vi.hoisted(() => ({ holdBuilds: 0, holdSteps: 0, windowBaselines: 0 }));
vi.mock("../../dynamics/baselines/hold-last.js", async (importOriginal) => {
  const m = await importOriginal<typeof import("../../dynamics/baselines/hold-last.js")>();
  return {
    ...m,
    holdLast: (...args: Parameters<typeof m.holdLast>) => {
      count.holdBuilds++;
      const p = m.holdLast(...args);
      return { ...p, reset: () => p.reset(), step: (f: Frame) => (count.holdSteps++, p.step(f)) };
    },
  };
});
vi.mock("../../dynamics/baselines/residual.js", async (importOriginal) => {
  const m = await importOriginal<typeof import("../../dynamics/baselines/residual.js")>();
  return { ...m, windowBaselines: (...args: Parameters<typeof m.windowBaselines>) => (count.windowBaselines++, m.windowBaselines(...args)) };
});

const RAV4 = resolve(__dirname, "../../../shared/data/comma2k19-rav4");

describe("lam train: the baselines on validation run once", () => {
  it("--residual-over best, sources best: one baseline run per validation and test block, forecasts only for the targets", async () => {
    const spec = { features: ["speed", "yaw_rate", "steer_cmd", "accel_cmd"], actions: ["steer_cmd", "accel_cmd"], rate: 20, history: 20, horizon: 20, layers: 1, units: 8 };
    const s = await loadSeries(RAV4, spec);
    count.holdBuilds = count.holdSteps = count.windowBaselines = 0;
    const run = await trainRun([s], spec, { epochs: 1, seed: 3, holdoutTail: 0.3, batchSize: 32, trainer: "kernel", residualOver: "best" });
    const val = run.blocks.filter((b) => b.role === "val");
    const test = run.blocks.filter((b) => b.role === "test");
    expect(val.length).toBeGreaterThan(0);
    expect(test.length).toBe(1);
    const frames = (bs: typeof val) => bs.reduce((a, b) => a + b.end - b.start, 0);
    const train = run.blocks.filter((b) => b.role === "train");
    expect(count.holdBuilds).toBe(val.length + test.length + train.length + val.length);
    expect(count.holdSteps).toBe(frames(val) + frames(test) + frames(train) + frames(val));
    expect(count.windowBaselines).toBe(2); // the residual targets of the training and the validation windows
    expect(run.meta.head.residual_over).toBeDefined();
  }, 120_000);
});
