import { beforeAll, describe, expect, it } from "vitest";
import { join, resolve } from "node:path";
import { blocksFromRecord, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import { dataScale, evaluate } from "../../dynamics/evaluate.js";
import { ErrorAccumulator, perChannelRatios } from "../../dynamics/metrics.js";
import { loadModel, type LoadedModel } from "../../dynamics/save.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { main } from "../../runtime/main.js";
import { defaultModelDir, dirStore } from "../../runtime/model-dir.js";

const F1 = resolve(__dirname, "../../../shared/data/f1tenth");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

describe("metrics: a shorter horizon and per-channel ratios", () => {
  it("steps < horizon: ADE over the first steps, FDE at the last of them", () => {
    const acc = new ErrorAccumulator(["a"], 4, [1], 2);
    acc.add([1, 2, 30, 40], [0, 0, 0, 0]);
    expect(acc.summary().per_channel.a).toEqual({ ade: 1.5, fde: 2 });
    expect(() => new ErrorAccumulator(["a"], 4, [1], 5)).toThrow(/5 steps scored of a 4-step horizon/);
    expect(() => new ErrorAccumulator(["a"], 4, [1], 0)).toThrow(/0 steps/);
  });

  it("each action's ratio is to the baseline best on that action, named", () => {
    const s = (a: number, b: number) => ({ ade: 0, fde: 0, per_channel: { x: { ade: a, fde: 0 }, y: { ade: b, fde: 0 } } });
    expect(perChannelRatios(s(1, 1), { hold: s(2, 4), ar: s(4, 0.5), exact: s(8, 8) })).toEqual({
      x: { ratio: 0.5, best_baseline: "hold" },
      y: { ratio: 2, best_baseline: "ar" },
    });
    expect(perChannelRatios(s(1, 1), { hold: s(0, 1) }).x).toEqual({ ratio: null, best_baseline: "hold" });
  });
});

describe("evaluate on the F1TENTH held-out blocks with the bundled model", () => {
  let loaded: LoadedModel;
  let series: FrameSeries[];
  let blocks: Block[];
  beforeAll(async () => {
    loaded = await loadModel(dirStore(defaultModelDir()));
    series = [];
    for (const d of ["DS1", "DS4"]) series.push(await loadSeries(join(F1, d), loaded.meta.spec));
    const test = (loaded.meta.training?.split ?? []).filter((b) => b.role === "test") as Block[];
    blocks = series.flatMap((s) => blocksFromRecord(s, test));
  });

  it("the overall scale is the data's own action std: a model's training statistics do not move it", () => {
    const data = { DS1: "test_blocks", DS4: "test_blocks" } as const;
    const a = evaluate(loaded, series, blocks, data);
    const n = loaded.meta.normalisation;
    const other = { ...loaded, meta: { ...loaded.meta, normalisation: { ...n, actions: { ...n.actions, std: n.actions.std.map((x) => x * 3) } } } };
    const b = evaluate(other, series, blocks, data);
    expect(b.model.ade).toBe(a.model.ade);
    expect(b.ratio_to_best_baseline).toBe(a.ratio_to_best_baseline);
    const scale = dataScale(series, loaded.meta.spec.actions);
    expect(a.scale).toEqual({ source: "data_std", per_channel: { speed_cmd: scale[0], steer_cmd: scale[1] } });
    // The overall figure is the mean of the channels in those units.
    const m = a.model.per_channel;
    expect(a.model.ade).toBeCloseTo((m.speed_cmd.ade / scale[0] + m.steer_cmd.ade / scale[1]) / 2, 12);
  });

  it("a shorter horizon scores fewer steps of the same windows; hold-last's error grows with the horizon", () => {
    const data = { DS1: "test_blocks", DS4: "test_blocks" } as const;
    const full = evaluate(loaded, series, blocks, data);
    const half = evaluate(loaded, series, blocks, data, { steps: 10 });
    expect(half.windows).toBe(full.windows);
    expect(half.horizon).toEqual({ steps: 10, seconds: 0.5 });
    expect(full.horizon).toEqual({ steps: 20, seconds: 1 });
    for (const c of ["speed_cmd", "steer_cmd"]) expect(half.baselines.hold_last.per_channel[c].ade).toBeLessThan(full.baselines.hold_last.per_channel[c].ade);
    expect(() => evaluate(loaded, series, blocks, data, { steps: 21 })).toThrow(/cannot score 21 steps: the model predicts 20 \(1 s at 20 Hz\)/);
  });
});

describe("lam eval --horizon and the per-channel ratios it prints", () => {
  it("--horizon 0.5 scores 10 steps; --horizon 1 equals the default; past the model's horizon is a usage error", async () => {
    const ds4 = join(F1, "DS4");
    const half = JSON.parse((await lam("eval", ds4, "--horizon", "0.5", "--json")).out) as { horizon: unknown; per_channel_ratio: Record<string, { ratio: number; best_baseline: string }> };
    expect(half.horizon).toEqual({ steps: 10, seconds: 0.5 });
    expect(Object.keys(half.per_channel_ratio).sort()).toEqual(["speed_cmd", "steer_cmd"]);
    const a = await lam("eval", ds4, "--json");
    const b = await lam("eval", ds4, "--horizon", "1", "--json");
    expect(b.out).toBe(a.out);
    const bad = await lam("eval", ds4, "--horizon", "2");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--horizon 2: expected seconds in \(0, 1\] \(the model predicts 20 steps at 20 Hz\)/);
    const text = await lam("eval", ds4);
    expect(text.out).toMatch(/per channel, model ÷ best baseline on it: speed_cmd \d\.\d{3} \((hold_last|ar4|linear)\)  steer_cmd \d\.\d{3} \(/);
  });
});
