import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend } from "../../dynamics/backend.js";
import { checkHead, decodeHead, type HeadSpec } from "../../dynamics/model.js";
import { checkLamJson, ModelLoadError, type EvalReport } from "../../dynamics/save.js";
import { gaussianNll, headNll, laplaceNll } from "../../dynamics/train.js";
import { chooseSources } from "../../dynamics/train-run.js";

const base: HeadSpec = { kind: "residual-hold", scale: [0.5, 2], fallback: [0, 0], eps: 1e-3 };
// horizon 2, actions 2: [k0a0 mu, sp, k0a1 mu, sp, k1a0 mu, sp, k1a1 mu, sp]
const raw = [1, 0, -1, 0.5, 2, -1, 0.25, 3];
const last = [0.1, 3];
const softplus = (x: number) => Math.log1p(Math.exp(x));

beforeAll(async () => {
  await chooseBackend({ order: ["wasm", "cpu"] });
});

describe("head options", () => {
  it("source hold_last answers that action with the last value and keeps the net's spread; the other action is the net's", () => {
    const net = decodeHead(raw, last, base, 2);
    const mixed = decodeHead(raw, last, { ...base, source: ["hold_last", "model"] }, 2);
    expect([mixed.mean[0], mixed.mean[2]]).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect([mixed.mean[1], mixed.mean[3]]).toEqual([net.mean[1], net.mean[3]]);
    expect(net.mean[0]).toBeCloseTo(0.1 + 1 * 0.5, 6);
    expect(Array.from(mixed.std)).toEqual(Array.from(net.std));
  });

  it("an all-model source and an absent one decode bit for bit alike", () => {
    const a = decodeHead(raw, last, base, 2);
    const b = decodeHead(raw, last, { ...base, source: ["model", "model"], dist: "gaussian" }, 2);
    expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
    expect(Array.from(b.std)).toEqual(Array.from(a.std));
  });

  it("laplace reports the standard deviation √2·b, with the same mean", () => {
    const g = decodeHead(raw, last, base, 2);
    const l = decodeHead(raw, last, { ...base, dist: "laplace" }, 2);
    expect(Array.from(l.mean)).toEqual(Array.from(g.mean));
    expect(l.std[1]).toBeCloseTo((softplus(0.5) + 1e-3) * 2 * Math.SQRT2, 5);
  });

  it("checkHead and lam.json loading name a bad dist or source", () => {
    expect(() => checkHead({ ...base, dist: "cauchy" as never }, 2)).toThrow(/head\.dist="cauchy"/);
    expect(() => checkHead({ ...base, source: ["model"] }, 2)).toThrow(/head\.source must list 2/);
    expect(() => checkHead({ ...base, source: ["model", "ar9" as never] }, 2)).toThrow(/head\.source\[1\]="ar9"/);
    expect(() => checkHead({ ...base, source: ["hold_last", "model"], dist: "laplace" }, 2)).not.toThrow();
    const lam = {
      version: 1,
      spec: { features: ["a"], actions: ["a"], rate: 20, history: 4, horizon: 2, layers: 1, units: 4 },
      normalisation: { features: { channels: ["a"], mean: [0], std: [1] }, actions: { channels: ["a"], mean: [0], std: [1] } },
      head: { kind: "residual-hold", scale: [1], fallback: [0], eps: 1e-3, source: ["hold"] },
      weightsSha256: "0".repeat(64),
    };
    expect(() => checkLamJson(lam, "m/lam.json")).toThrow(ModelLoadError);
    expect(() => checkLamJson(lam, "m/lam.json")).toThrow(/m\/lam\.json: head\.source\[0\]="hold"/);
  });
});

describe("losses", () => {
  const head: HeadSpec = { kind: "residual-hold", scale: [2], fallback: [0], eps: 1e-3 };
  // B=1, horizon 2, A=1: residual targets z = (y - last) / scale = [1, -0.5]
  const r = tf.tensor2d([[0.5, 0, 0, 1]]);
  const lastT = tf.tensor2d([[1]]);
  const y = tf.tensor3d([[[3], [0]]]);

  it("laplaceNll is log b + |z − μ| / b, averaged", () => {
    const b0 = softplus(0) + 1e-3;
    const b1 = softplus(1) + 1e-3;
    const want = (Math.log(b0) + 0.5 / b0 + Math.log(b1) + 0.5 / b1) / 2;
    expect(laplaceNll(r, lastT, y, head).dataSync()[0]).toBeCloseTo(want, 5);
  });

  it("headNll follows head.dist", () => {
    expect(headNll(r, lastT, y, head).dataSync()[0]).toBe(gaussianNll(r, lastT, y, head).dataSync()[0]);
    expect(headNll(r, lastT, y, { ...head, dist: "laplace" }).dataSync()[0]).toBe(laplaceNll(r, lastT, y, head).dataSync()[0]);
  });
});

describe("chooseSources", () => {
  const summary = (s: number, t: number) => ({ ade: 0, fde: 0, per_channel: { speed_cmd: { ade: s, fde: 0 }, steer_cmd: { ade: t, fde: 0 } } });
  const report = (model: ReturnType<typeof summary>, hold: ReturnType<typeof summary>): EvalReport => ({
    model,
    baselines: { hold_last: hold, ar4: summary(9, 9) },
    windows: 7,
    ratio_to_best_baseline: 1,
    best_baseline: "hold_last",
    data: {},
  });

  it("keeps the net only where it beats hold-last on validation; a tie goes to hold-last", () => {
    const c = chooseSources(report(summary(0.9, 0.1), summary(0.8, 0.2)), ["speed_cmd", "steer_cmd"]);
    expect(c.source).toEqual(["hold_last", "model"]);
    expect(c.per_channel.speed_cmd).toMatchObject({ model_ade: 0.9, hold_last_ade: 0.8, ar_ade: 9 });
    expect(c.windows).toBe(7);
    expect(chooseSources(report(summary(0.5, 0.2), summary(0.5, 0.3)), ["speed_cmd", "steer_cmd"]).source).toEqual(["hold_last", "model"]);
  });
});
