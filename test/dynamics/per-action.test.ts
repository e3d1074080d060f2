// Nets trained per action (lam train --per-action, trainEnsemble's perAction), each reading the features but the
// other actions, merged into one ordinary model: each action's outputs are the average of that action's members
// alone (a member's missing features are zero rows), lam.json says which member predicts what, and members that
// disagree on what must be shared are refused by name. On the real RAV4 minute.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { mergeRuns, trainEnsemble, type EnsembleRunResult } from "../../dynamics/ensemble.js";
import { cutWindows, type FrameSeries } from "../../dynamics/dataset.js";
import { evaluate, predictWindows } from "../../dynamics/evaluate.js";
import { trainRun } from "../../dynamics/train-run.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { main } from "../../runtime/main.js";

const rav4 = resolve(import.meta.dirname, "../../../shared/data/comma2k19-rav4");
const spec: ModelSpec = { features: ["speed", "yaw_rate", "accel", "steer_cmd", "accel_cmd"], actions: ["steer_cmd", "accel_cmd"], rate: 20, history: 16, horizon: 8, layers: 1, units: 8 };
const opts = { epochs: 2, seed: 3, holdoutTail: 0.3, trainer: "kernel" as const, residualOver: "best" as const };
let series: FrameSeries;
let run: EnsembleRunResult;

beforeAll(async () => {
  await tf.setBackend("cpu");
  series = await loadSeries(rav4, spec);
  run = await trainEnsemble([series], spec, opts, 2, { perAction: true });
}, 300_000);

describe("trainEnsemble per action", () => {
  it("trains k members per action on that action alone and records them; the merged model covers every action", () => {
    expect(run.members.map((m) => m.meta.spec.actions)).toEqual([["steer_cmd"], ["steer_cmd"], ["accel_cmd"], ["accel_cmd"]]);
    // Each reads the vehicle's state and its own action's past, not the other action's.
    expect(run.members.map((m) => m.meta.spec.features)).toEqual([
      ["speed", "yaw_rate", "accel", "steer_cmd"],
      ["speed", "yaw_rate", "accel", "steer_cmd"],
      ["speed", "yaw_rate", "accel", "accel_cmd"],
      ["speed", "yaw_rate", "accel", "accel_cmd"],
    ]);
    expect(run.meta.spec.features).toEqual(spec.features);
    expect(run.members.map((m) => m.meta.training?.seed)).toEqual([3, 4, 3, 4]);
    expect(run.meta.spec.actions).toEqual(spec.actions);
    expect(run.meta.spec.units).toBe(4 * 8);
    expect(run.meta.training.ensemble.perAction).toBe(true);
    expect(run.meta.training.ensemble.members.map((m) => m.actions)).toEqual([["steer_cmd"], ["steer_cmd"], ["accel_cmd"], ["accel_cmd"]]);
    // Each action's statistics, head scale and residual baseline are its own members'.
    const [s0, , a0] = run.members.map((m) => m.meta);
    expect(run.meta.normalisation.actions.mean).toEqual([s0.normalisation.actions.mean[0], a0.normalisation.actions.mean[0]]);
    expect(run.meta.head.scale).toEqual([s0.head.scale[0], a0.head.scale[0]]);
    expect(run.meta.head.residual_over ?? ["hold_last", "hold_last"]).toEqual([s0.head.residual_over?.[0] ?? "hold_last", a0.head.residual_over?.[0] ?? "hold_last"]);
  });

  it("a member is exactly what trainRun makes for that action alone", async () => {
    const solo = await trainRun([series], { ...spec, features: ["speed", "yaw_rate", "accel", "accel_cmd"], actions: ["accel_cmd"] }, { ...opts, seed: 4 });
    expect(solo.meta.head).toEqual(run.members[3].meta.head);
    const w = (m: tf.LayersModel) => Array.from(m.getLayer("lstm_0").getWeights()[1].dataSync());
    expect(w(solo.model)).toEqual(w(run.members[3].model));
    solo.model.dispose();
  }, 120_000);

  it("each action's mean and spread outputs are the average of its own members' (held-out windows)", () => {
    const test = run.blocks.filter((b) => b.role === "test");
    const w = cutWindows([series], test, run.meta.spec, run.meta.normalisation.features, run.meta.head);
    expect(w.n).toBeGreaterThan(200);
    // Each member on its own features (same blocks and lengths, so the same windows in the same order).
    const raws = run.members.map((m) => predictWindows(m.model, cutWindows([series], test, m.meta.spec, m.meta.normalisation.features, m.meta.head)));
    const rawM = predictWindows(run.model, w);
    const A = 2;
    const h = spec.horizon;
    let worst = 0;
    let apart = 0;
    for (let i = 0; i < w.n; i++) {
      for (let k = 0; k < h; k++) {
        for (let a = 0; a < A; a++) {
          for (let t = 0; t < 2; t++) {
            const mine = [raws[2 * a][i * h * 2 + k * 2 + t], raws[2 * a + 1][i * h * 2 + k * 2 + t]];
            worst = Math.max(worst, Math.abs(rawM[i * h * A * 2 + (k * A + a) * 2 + t] - (mine[0] + mine[1]) / 2));
            apart = Math.max(apart, Math.abs(mine[0] - mine[1]));
          }
        }
      }
    }
    expect(worst).toBeLessThan(1e-5);
    expect(apart).toBeGreaterThan(1e-3); // not vacuous: the two seeds differ
  });

  it("its held-out metrics are the merged model's, and a member's own figures are kept", () => {
    const test = run.blocks.filter((b) => b.role === "test");
    const again = evaluate({ model: run.model, meta: { ...run.meta, version: 1, weightsSha256: "" } }, [series], test, { [series.name]: "test_blocks" });
    expect(again.model.ade).toBeCloseTo(run.meta.metrics!.model.ade, 12);
    expect(Object.keys(run.meta.training.ensemble.members[2].per_channel_ratio ?? {})).toEqual(["accel_cmd"]);
  });

  it("refuses members that do not share their spec or a feature's statistics, naming it", async () => {
    const other = await trainRun([series], { ...spec, history: 12, features: ["speed", "yaw_rate", "accel_cmd"], actions: ["accel_cmd"] }, { ...opts, epochs: 1 });
    expect(() => mergeRuns([series], [run.members[0], other])).toThrow(/per-action member 1 \(accel_cmd\): spec \(but its actions and features\) differs/);
    other.model.dispose();
    // The same spec on another stretch of the drive: its statistics of "speed" are not the first member's.
    const part = { ...series, frames: series.frames.slice(300) };
    const other2 = await trainRun([part], { ...spec, features: ["speed", "yaw_rate", "accel", "accel_cmd"], actions: ["accel_cmd"] }, { ...opts, epochs: 1 });
    expect(() => mergeRuns([series], [run.members[0], other2])).toThrow(/per-action member 1 \(accel_cmd\): feature "speed" statistics differs/);
    other2.model.dispose();
  }, 120_000);
});

describe("lam train --per-action", () => {
  it("writes one model whose lam.json names each member's action; refused with --finetune", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-per-action-"));
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { stdout: { write: (s: string) => void out.push(s) }, stderr: { write: (s: string) => void err.push(s) } } };
    };
    try {
      const t = io();
      const args = ["train", rav4, "--out", join(dir, "m"), "--holdout-tail", "0.3", "--history", "0.8", "--horizon", "0.4", "--units", "4", "--epochs", "1",
        "--features", "speed,yaw_rate,steer_cmd,accel_cmd", "--actions", "steer_cmd,accel_cmd", "--per-action", "--json"];
      expect(await main(args, t.io), t.err.join("")).toBe(0);
      const lam = JSON.parse(await readFile(join(dir, "m", "lam.json"), "utf8"));
      expect(lam.spec.units).toBe(8);
      expect(lam.training.ensemble.members.map((m: { actions: string[] }) => m.actions)).toEqual([["steer_cmd"], ["accel_cmd"]]);
      const e = io();
      expect(await main(["eval", rav4, "--model", join(dir, "m"), "--json"], e.io), e.err.join("")).toBe(0);
      expect(JSON.parse(e.out.join("")).ratio_to_best_baseline).toBeCloseTo(lam.metrics.ratio_to_best_baseline, 10);
      const bad = io();
      expect(await main(["train", rav4, "--out", join(dir, "f"), "--finetune", join(dir, "m"), "--per-action"], bad.io)).toBe(2);
      expect(bad.err.join("")).toMatch(/--per-action trains fresh nets, one per action; it cannot be combined with --finetune/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
