/*
 * `lam eval --ar-fit data`: the AR baseline fitted once on the evaluated drives (every frame, the model's AR order),
 * so two models trained on different data meet the same AR there and their ratios to the best baseline compare.
 * `--ar-fit model` (the default) keeps each model's own training-fitted AR, as before.
 */
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseBackend } from "../../dynamics/backend.js";
import { fitAr } from "../../dynamics/baselines/ar.js";
import { fitDataAr } from "../../dynamics/baseline-scores.js";
import { wholeDrive, type FrameSeries } from "../../dynamics/dataset.js";
import { loadModel, type LoadedModel } from "../../dynamics/save.js";
import { arFitSource, evalRun } from "../../runtime/commands/eval.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { main } from "../../runtime/main.js";
import { defaultModelDir, dirStore } from "../../runtime/model-dir.js";

const DS1 = resolve(__dirname, "../../../shared/data/f1tenth/DS1");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => (out.push(s), true) }, stderr: { write: (s: string) => (err.push(s), true) } });
  return { code, out: out.join(""), err: err.join("") };
}

let a: LoadedModel;
let b: LoadedModel;
let s: FrameSeries;
beforeAll(async () => {
  await chooseBackend({ order: ["wasm", "cpu"] });
  a = await loadModel(dirStore(defaultModelDir()));
  // The same net with another recorded AR fit: what a model trained on other data would carry.
  const ar = a.meta.baselines!.ar!;
  b = { ...a, meta: { ...a.meta, baselines: { ar: { p: ar.p, phi: ar.phi.map((v) => v.map((x, i) => (i === 0 ? x + 0.3 : x * 0.5))) } } } };
  s = await loadSeries(DS1, a.meta.spec);
});

describe("lam eval --ar-fit", () => {
  it("data: two models with different recorded AR fits get identical baseline figures on the same drive; model: they differ", () => {
    const blocks = [wholeDrive(s)];
    const data = { DS1: "whole_drive" as const };
    const run = (m: LoadedModel, arFit: "model" | "data") => evalRun(m, [s], blocks, data, { steps: m.meta.spec.horizon, arFit });
    const [ma, mb] = [run(a, "model"), run(b, "model")];
    expect(ma.report.baselines.ar4.ade).not.toBe(mb.report.baselines.ar4.ade);
    expect(ma.arFit).toEqual({ source: "model", ...a.meta.baselines!.ar! });
    const [da, db] = [run(a, "data"), run(b, "data")];
    expect(da.report.baselines).toEqual(db.report.baselines);
    expect(da.report.per_channel_ratio).toEqual(db.report.per_channel_ratio);
    expect(da.arFit).toEqual(db.arFit);
    // The fit is fitAr over every frame of the drive, of the model's order.
    expect(da.arFit).toEqual({ source: "data", ...fitAr([s], blocks, (x) => ({ frameChannels: x.channels, actions: a.meta.spec.actions, rate: 20, horizon: a.meta.spec.horizon, fallback: a.meta.head.fallback }), 4) });
    expect(da.arFit).toEqual({ source: "data", ...fitDataAr(b.meta, [s]) });
    // Only the AR baseline moves: the net's own figures and the other baselines are those of --ar-fit model.
    expect(da.report.model).toEqual(ma.report.model);
    expect(da.report.baselines.hold_last).toEqual(ma.report.baselines.hold_last);
    expect(da.report.baselines.linear).toEqual(ma.report.baselines.linear);
    expect(da.report.baselines.ar4).not.toEqual(ma.report.baselines.ar4);
  });

  it("the CLI: --ar-fit data in the JSON (ar_fit), default model; a bad value is named", async () => {
    const d = await lam("eval", DS1, "--ar-fit", "data", "--json");
    expect(d.code, d.err).toBe(0);
    const jd = JSON.parse(d.out);
    expect(jd.ar_fit).toMatchObject({ source: "data", p: 4 });
    const m = await lam("eval", DS1, "--json");
    const jm = JSON.parse(m.out);
    expect(jm.ar_fit).toEqual({ source: "model", ...a.meta.baselines!.ar! });
    expect(jm.model).toEqual(jd.model);
    expect(jm.windows).toBe(jd.windows);
    const t = await lam("eval", DS1, "--ar-fit", "data");
    expect(t.out).toContain("AR(4) baseline fitted on every frame of these drives (--ar-fit data: in-sample)");
    expect(() => arFitSource("both")).toThrow(/--ar-fit=both must be model or data/);
    const bad = await lam("eval", DS1, "--ar-fit", "both");
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("--ar-fit=both must be model or data");
  });
});
