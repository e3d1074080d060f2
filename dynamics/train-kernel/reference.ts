/*
 * Plain-JS forward and backward (BPTT) of the LSTM stack + head, one window at a time in float64: the reference the
 * SIMD path is checked against (and itself checked against tfjs's gradients and finite differences). Slow, obvious.
 * A window of real length L is run from zero state over its last L steps only, as the Masking layer makes tfjs do.
 */
import type { HeadSpec } from "../model.js";
import type { TrainBatch } from "./batch.js";
import { unmaskedLength } from "./batch.js";
import type { TrainLayout } from "./layout.js";
import { headLoss } from "./loss.js";

const sig = (x: number) => 1 / (1 + Math.exp(-x));

export interface LossSums {
  /** Σ NLL over the batch's B × horizon × A terms. */
  readonly nll: number;
  /** Σ |z − μ|. */
  readonly ae: number;
}

/**
 * Loss sums of a batch; with `grad`, adds scale · ∂(Σ NLL)/∂params into it (flat layout). L2 is not included.
 * `raw` (optional, [B × Op]) receives the head outputs.
 */
export function referenceLossGrad(L: TrainLayout, P: Float32Array, batch: TrainBatch, head: HeadSpec, scale: number, grad?: Float64Array | Float32Array, raw?: Float32Array): LossSums {
  const { B, T, F, A, horizon } = batch;
  const nL = L.layers.length;
  const Utop = L.layers[nL - 1].U;
  let nll = 0;
  let ae = 0;
  const out = new Float64Array(L.Op);
  const dout = new Float64Array(L.Op);
  for (let b = 0; b < B; b++) {
    const len = unmaskedLength(batch.x, b, T, F);
    const t0 = T - len;
    // Per layer, per step: v = [x; h_prev] (K), gate activations (G), c_prev and c (U).
    const V: Float64Array[][] = [];
    const Z: Float64Array[][] = [];
    const Cp: Float64Array[][] = [];
    const Cn: Float64Array[][] = [];
    let input: Float64Array[] = Array.from({ length: len }, (_, t) => Float64Array.from(batch.x.subarray((b * T + t0 + t) * F, (b * T + t0 + t + 1) * F)));
    for (const l of L.layers) {
      const { I, U, G, K, w, b: bo } = l;
      const vs: Float64Array[] = [];
      const zs: Float64Array[] = [];
      const cps: Float64Array[] = [];
      const cns: Float64Array[] = [];
      let h = new Float64Array(U);
      let c = new Float64Array(U);
      const outs: Float64Array[] = [];
      for (let t = 0; t < len; t++) {
        const v = new Float64Array(K);
        v.set(input[t]);
        v.set(h, I);
        const z = new Float64Array(G);
        for (let j = 0; j < G; j++) {
          let s = P[bo + j];
          for (let k = 0; k < I + U; k++) s += v[k] * P[w + k * G + j];
          z[j] = s;
        }
        const cn = new Float64Array(U);
        const hn = new Float64Array(U);
        for (let u = 0; u < U; u++) {
          const ig = sig(z[u]), fg = sig(z[U + u]), gg = Math.tanh(z[2 * U + u]), og = sig(z[3 * U + u]);
          z[u] = ig;
          z[U + u] = fg;
          z[2 * U + u] = gg;
          z[3 * U + u] = og;
          cn[u] = fg * c[u] + ig * gg;
          hn[u] = og * Math.tanh(cn[u]);
        }
        vs.push(v);
        zs.push(z);
        cps.push(c);
        cns.push(cn);
        outs.push(hn);
        c = cn;
        h = hn;
      }
      V.push(vs);
      Z.push(zs);
      Cp.push(cps);
      Cn.push(cns);
      input = outs;
    }
    const hT = input[len - 1];
    out.fill(0);
    for (let o = 0; o < L.O; o++) {
      let s = P[L.hb + o];
      for (let u = 0; u < Utop; u++) s += hT[u] * P[L.hk + u * L.Op + o];
      out[o] = s;
    }
    if (raw) for (let o = 0; o < L.Op; o++) raw[b * L.Op + o] = out[o];
    const r = headLoss({ raw: out, stride: L.Op, B: 1, horizon, A, last: batch.last.subarray(b * A, (b + 1) * A), y: batch.y.subarray(b * horizon * A, (b + 1) * horizon * A), head }, grad ? dout : undefined, scale);
    nll += r.nll;
    ae += r.ae;
    if (!grad) continue;

    // Head backward.
    let dh: Float64Array[] = Array.from({ length: len }, () => new Float64Array(Utop));
    for (let o = 0; o < L.O; o++) {
      grad[L.hb + o] += dout[o];
      for (let u = 0; u < Utop; u++) {
        grad[L.hk + u * L.Op + o] += hT[u] * dout[o];
        dh[len - 1][u] += P[L.hk + u * L.Op + o] * dout[o];
      }
    }
    // BPTT, top layer first; each layer hands the gradient of its inputs to the layer below.
    for (let li = nL - 1; li >= 0; li--) {
      const { I, U, G, w, b: bo } = L.layers[li];
      const dx: Float64Array[] = Array.from({ length: len }, () => new Float64Array(I));
      const dhRec = new Float64Array(U);
      const dc = new Float64Array(U);
      const dz = new Float64Array(G);
      for (let t = len - 1; t >= 0; t--) {
        const z = Z[li][t];
        for (let u = 0; u < U; u++) {
          const ig = z[u], fg = z[U + u], gg = z[2 * U + u], og = z[3 * U + u];
          const tc = Math.tanh(Cn[li][t][u]);
          const dhu = dh[t][u] + dhRec[u];
          const dcn = dc[u] + dhu * og * (1 - tc * tc);
          dz[3 * U + u] = dhu * tc * og * (1 - og);
          dz[u] = dcn * gg * ig * (1 - ig);
          dz[U + u] = dcn * Cp[li][t][u] * fg * (1 - fg);
          dz[2 * U + u] = dcn * ig * (1 - gg * gg);
          dc[u] = dcn * fg;
        }
        const v = V[li][t];
        dhRec.fill(0);
        for (let j = 0; j < G; j++) {
          grad[bo + j] += dz[j];
          for (let k = 0; k < I + U; k++) {
            grad[w + k * G + j] += v[k] * dz[j];
            const d = P[w + k * G + j] * dz[j];
            if (k < I) dx[t][k] += d;
            else dhRec[k - I] += d;
          }
        }
      }
      dh = dx;
    }
  }
  return { nll, ae };
}
