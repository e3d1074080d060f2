import { describe, expect, it } from "vitest";
import { arPredictor, fitAr, holdLast, linearExtrapolation, type BaselineConfig } from "../../dynamics/baselines/index.js";
import type { FrameSeries } from "../../dynamics/dataset.js";
import { Validity, type Frame } from "../../perception/types.js";

const cfg: BaselineConfig = { frameChannels: ["speed", "speed_cmd", "steer_cmd"], actions: ["speed_cmd", "steer_cmd"], rate: 20, horizon: 8 };

function frames(fn: (i: number) => [number, number], n: number): Frame[] {
  return Array.from({ length: n }, (_, i) => ({ t: i / 20, values: Float32Array.from([1, ...fn(i)]), valid: Uint8Array.from([1, 1, 1]) }));
}

/** Runs a predictor over frames; returns max |pred − truth| over all steps where the truth is known. */
function maxError(p: ReturnType<typeof holdLast>, fr: readonly Frame[], truth: (i: number) => [number, number], from = 6): number {
  p.reset();
  let worst = 0;
  fr.forEach((f, i) => {
    const seq = p.step(f);
    if (i < from) return;
    expect(seq.t0).toBeCloseTo(f.t + 1 / 20, 9);
    for (let k = 0; k < cfg.horizon; k++) {
      const t = truth(i + k + 1);
      worst = Math.max(worst, Math.abs(seq.mean[k * 2] - t[0]), Math.abs(seq.mean[k * 2 + 1] - t[1]));
    }
  });
  return worst;
}

describe("baselines", () => {
  it("hold-last is exact on constants and wrong on a ramp", () => {
    const c = (): [number, number] => [2.5, -0.125];
    expect(maxError(holdLast(cfg), frames(c, 50), c)).toBe(0);
    const r = (i: number): [number, number] => [i * 0.1, 0];
    expect(maxError(holdLast(cfg), frames(r, 50), r)).toBeGreaterThan(0.5);
  });

  it("hold-last carries the last observed value over a Missing action", () => {
    const p = holdLast(cfg);
    p.step(frames(() => [3, 0.25], 1)[0]);
    const missing: Frame = { t: 0.05, values: Float32Array.from([1, NaN, 9]), valid: Uint8Array.from([1, Validity.Missing, Validity.Missing]) };
    const seq = p.step(missing);
    expect(seq.mean[0]).toBe(3);
    expect(seq.mean[1]).toBe(0.25);
  });

  it("linear extrapolation is exact on ramps (to float32)", () => {
    const r = (i: number): [number, number] => [0.5 + i * 0.05, -0.2 + i * 0.01];
    expect(maxError(linearExtrapolation(cfg, 5), frames(r, 60), r)).toBeLessThan(2e-5);
    const q = (i: number): [number, number] => [0.01 * i * i, 0];
    expect(maxError(linearExtrapolation(cfg, 5), frames(q, 60), q)).toBeGreaterThan(0.01);
  });

  it("linear extrapolation rejects k < 2", () => {
    expect(() => linearExtrapolation(cfg, 1)).toThrow(/k=1/);
  });

  it("AR(p) on deltas recovers a known AR(2) delta process and predicts it exactly", () => {
    // d_t = 1.6 d_{t-1} - 0.8 d_{t-2}: a damped oscillation of the deltas, integrated into the action.
    const n = 400;
    const a = [new Float64Array(n), new Float64Array(n)];
    for (const [c, d0] of [[0, 0.1], [1, -0.05]] as const) {
      let d1: number = d0;
      let d2 = 0;
      for (let i = 1; i < n; i++) {
        const restart = i % 100 === 1; // re-excite so the fit sees signal, not a decayed zero
        const d = restart ? d0 : 1.6 * d1 - 0.8 * d2;
        a[c][i] = a[c][i - 1] + d;
        d2 = d1;
        d1 = d;
      }
    }
    const truth = (i: number): [number, number] => [a[0][i], a[1][i]];
    const s: FrameSeries = { name: "ar", channels: cfg.frameChannels, frames: frames(truth, n) };
    const fit = fitAr([s], [{ drive: "ar", role: "train", start: 0, end: n, t0: 0, t1: n / 20 }], () => cfg, 2);
    for (const phi of fit.phi) {
      expect(phi[0]).toBeCloseTo(1.6, 1);
      expect(phi[1]).toBeCloseTo(-0.8, 1);
    }
    // Exact coefficients reproduce the process exactly away from the restarts.
    const exact = arPredictor(cfg, { p: 2, phi: [[1.6, -0.8], [1.6, -0.8]] });
    exact.reset();
    let worst = 0;
    for (let i = 0; i < 90; i++) {
      const seq = exact.step(s.frames[i]);
      if (i < 4 || i + cfg.horizon >= 100) continue;
      for (let k = 0; k < cfg.horizon; k++) worst = Math.max(worst, Math.abs(seq.mean[k * 2] - a[0][i + k + 1]));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it("AR fit on a constant signal gives zero coefficients (hold)", () => {
    const c = (): [number, number] => [1, 1];
    const s: FrameSeries = { name: "c", channels: cfg.frameChannels, frames: frames(c, 100) };
    const fit = fitAr([s], [{ drive: "c", role: "train", start: 0, end: 100, t0: 0, t1: 5 }], () => cfg, 3);
    expect(fit.phi.flat().every((x) => x === 0)).toBe(true);
    expect(maxError(arPredictor(cfg, fit), s.frames, c)).toBe(0);
  });
});
