import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { chooseBackend } from "../../dynamics/backend.js";
import { buildModel, PAD_VALUE, STD_EPS, type HeadSpec } from "../../dynamics/model.js";
import { prng } from "../../dynamics/prng.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { headNll } from "../../dynamics/train.js";
import { localEngine, packWeights, referenceLossGrad, simdLossGrad, trainLayout, unpackWeights, type TrainBatch } from "../../dynamics/train-kernel/index.js";

/** A batch of front-padded windows of random real lengths (some full, one of length 1). */
function randomBatch(spec: ModelSpec, B: number, seed: number): TrainBatch {
  const rng = prng(seed);
  const T = spec.history, F = spec.features.length, A = spec.actions.length, h = spec.horizon;
  const x = new Float32Array(B * T * F);
  for (let b = 0; b < B; b++) {
    const L = b === 0 ? T : b === 1 ? 1 : rng.int(1, T);
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) x[(b * T + t) * F + f] = t < T - L ? PAD_VALUE : (rng.next() * 2 - 1) * 1.5;
  }
  const last = Float32Array.from({ length: B * A }, () => rng.next() * 2 - 1);
  const y = Float32Array.from({ length: B * h * A }, () => rng.next() * 2 - 1);
  return { B, T, F, A, horizon: h, x, last, y };
}

/** Perturbs the model's weights away from their initial values (a zero-ish head would make the test weak). */
function jiggle(model: tf.LayersModel, seed: number): void {
  const rng = prng(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from(w.dataSync(), (v) => v + (rng.next() - 0.5) * 0.3), w.shape)));
}

function tfjsGrads(model: tf.LayersModel, head: HeadSpec, b: TrainBatch): { loss: number; grads: Float32Array[] } {
  const x = tf.tensor3d(b.x, [b.B, b.T, b.F]);
  const last = tf.tensor2d(b.last, [b.B, b.A]);
  const y = tf.tensor3d(b.y, [b.B, b.horizon, b.A]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => headNll(model.apply(x, { training: true }) as tf.Tensor2D, last, y, head), vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => Float32Array.from(grads[v.name].dataSync())) };
  tf.dispose([x, last, y, value, ...Object.values(grads)]);
  return out;
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-12);
};

const specs: Record<string, ModelSpec> = {
  "1×8": { features: ["a", "b", "c"], actions: ["a", "c"], rate: 20, history: 9, horizon: 5, layers: 1, units: 8 },
  "2×4": { features: ["a", "b", "c", "d", "e"], actions: ["b"], rate: 20, history: 7, horizon: 3, layers: 2, units: 4 },
};

beforeAll(async () => {
  await chooseBackend({ order: ["cpu"] });
});

describe.each(Object.entries(specs))("training kernel gradients, %s LSTM", (_name, spec) => {
  for (const dist of ["gaussian", "laplace"] as const) {
    it(`${dist}: reference and SIMD gradients match tfjs's on every parameter tensor (rel. error ≤ 1e-3)`, () => {
      const model = buildModel(spec, { seed: 4 });
      jiggle(model, 9);
      const head: HeadSpec = { kind: "residual-hold", scale: spec.actions.map((_, i) => 0.5 + i), fallback: spec.actions.map(() => 0), eps: STD_EPS, ...(dist === "laplace" ? { dist } : {}) };
      const batch = randomBatch(spec, 37, 11);
      const ref = tfjsGrads(model, head, batch);
      const L = trainLayout(spec);
      const P = packWeights(L, model.getWeights().map((w) => Float32Array.from(w.dataSync())));
      const scale = 1 / (batch.B * spec.horizon * spec.actions.length);
      for (const which of ["reference", "simd"] as const) {
        const g = new Float32Array(L.size);
        const r = which === "reference" ? referenceLossGrad(L, P, batch, head, scale, g) : simdLossGrad(L, P, batch, head, scale, g);
        expect(Math.abs(r.nll * scale - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-4);
        const ours = unpackWeights(L, g);
        expect(ours.length).toBe(ref.grads.length);
        ours.forEach((o, i) => expect(relErr(o, ref.grads[i]), `${which} tensor ${i} (${model.trainableWeights[i].originalName})`).toBeLessThan(1e-3));
      }
      model.dispose();
    });
  }
});

describe("training kernel gradients against finite differences (tiny model, float64 reference)", () => {
  it("every parameter's analytic gradient matches the central difference", () => {
    const spec: ModelSpec = { features: ["a", "b"], actions: ["a"], rate: 20, history: 5, horizon: 2, layers: 2, units: 3 };
    const model = buildModel(spec, { seed: 2 });
    jiggle(model, 5);
    const L = trainLayout(spec);
    const P = packWeights(L, model.getWeights().map((w) => Float32Array.from(w.dataSync())));
    model.dispose();
    const batch = randomBatch(spec, 4, 3);
    const head: HeadSpec = { kind: "residual-hold", scale: [0.7], fallback: [0], eps: STD_EPS };
    const g = new Float64Array(L.size);
    referenceLossGrad(L, P, batch, head, 1, g);
    const shapes = unpackWeights(L, P).map((a) => a.length);
    let checked = 0;
    let worst = 0;
    // Perturb each real (non-padding) parameter through the Keras arrays, so padding slots are never touched.
    const arrays = unpackWeights(L, P);
    arrays.forEach((arr, ti) => {
      for (let i = 0; i < shapes[ti]; i++) {
        const keep = arr[i];
        const eps = 1e-2;
        arr[i] = keep + eps;
        const up = referenceLossGrad(L, packWeights(L, arrays), batch, head, 1).nll;
        arr[i] = keep - eps;
        const dn = referenceLossGrad(L, packWeights(L, arrays), batch, head, 1).nll;
        const step = (Math.fround(keep + eps) - Math.fround(keep - eps));
        arr[i] = keep;
        const fd = (up - dn) / step;
        const an = unpackWeights(L, Float32Array.from(g))[ti][i];
        worst = Math.max(worst, Math.abs(fd - an) / Math.max(1e-2, Math.abs(fd) + Math.abs(an)));
        checked++;
      }
    });
    expect(checked).toBe(L.layers.reduce((s, l) => s + l.G * (l.I + l.U + 1), 0) + 3 * L.O + L.O);
    expect(worst).toBeLessThan(1e-3);
  });
});

describe("SIMD kernel against the plain-JS reference", () => {
  const spec: ModelSpec = { features: ["a", "b", "c", "d", "e", "f"], actions: ["a", "b"], rate: 20, history: 20, horizon: 6, layers: 2, units: 8 };
  const head: HeadSpec = { kind: "residual-hold", scale: [0.4, 1.3], fallback: [0, 0], eps: STD_EPS, dist: "laplace" };

  it("gives the same head outputs and gradients (float32 vs float64: 1e-5)", () => {
    const model = buildModel(spec, { seed: 8 });
    jiggle(model, 3);
    const L = trainLayout(spec);
    const P = packWeights(L, model.getWeights().map((w) => Float32Array.from(w.dataSync())));
    model.dispose();
    const batch = randomBatch(spec, 23, 5);
    const rawRef = new Float32Array(23 * L.Op);
    const rawSimd = new Float32Array(23 * L.Op);
    const gRef = new Float32Array(L.size);
    const gSimd = new Float32Array(L.size);
    referenceLossGrad(L, P, batch, head, 1 / 100, gRef, rawRef);
    simdLossGrad(L, P, batch, head, 1 / 100, gSimd, rawSimd);
    expect(relErr(rawSimd, rawRef)).toBeLessThan(1e-5);
    unpackWeights(L, gSimd).forEach((g, i) => expect(relErr(g, unpackWeights(L, gRef)[i]), `tensor ${i}`).toBeLessThan(1e-5));
  });

  it("the engines (SIMD and plain JS) sum the same shards: a 37-window batch is 3 shards", async () => {
    const model = buildModel(spec, { seed: 8 });
    const L = trainLayout(spec);
    const P = packWeights(L, model.getWeights().map((w) => Float32Array.from(w.dataSync())));
    model.dispose();
    const batch = randomBatch(spec, 37, 6);
    const gs = new Float32Array(L.size);
    const gj = new Float32Array(L.size);
    const rs = await localEngine(L, spec.history, head, "simd").grad(P, batch, 0.01, gs);
    const rj = await localEngine(L, spec.history, head, "js").grad(P, batch, 0.01, gj);
    const whole = new Float64Array(L.size);
    const rw = referenceLossGrad(L, P, batch, head, 0.01, whole);
    expect(Math.abs(rs.nll - rw.nll) / Math.abs(rw.nll)).toBeLessThan(1e-5);
    expect(Math.abs(rj.nll - rw.nll) / Math.abs(rw.nll)).toBeLessThan(1e-9);
    expect(relErr(gs, whole)).toBeLessThan(1e-5);
    expect(relErr(gj, whole)).toBeLessThan(1e-6);
  });
});
