/*
 * The batched training kernel: LSTM forward and BPTT over a batch of front-padded windows with the WebAssembly SIMD
 * functions of wasm.ts. Rows are batch-major: windows are sorted by real length (longest first), so the windows
 * active at step t are the first n_t rows and every step is one dense product over them ([x; h] · Wt for all rows,
 * all four gates fused). Everything a backward pass needs (inputs, gate activations, cell states) is kept per row;
 * the weight gradients are then one product over all rows of all steps (Vᵀ · dZ). f32 throughout, as tfjs.
 */
import type { HeadSpec } from "../model.js";
import { unmaskedLength, type TrainBatch } from "./batch.js";
import type { TrainLayout } from "./layout.js";
import { headLoss } from "./loss.js";
import type { LossSums } from "./reference.js";
import { instantiateTrain, trainModule, type TrainWasm } from "./wasm.js";

export function trainSimdAvailable(): boolean {
  return trainModule() !== null;
}

interface LayerMem {
  /** Transposed gate weights [G × K] for the input gradients. */
  readonly wrow: number;
  readonly v: number;
  readonly z: number;
  readonly c: number;
  readonly dz: number;
  readonly dv: number;
  readonly dc: number;
}

/** A workspace for batches of up to `maxB` windows of T steps: one wasm memory, laid out once. */
export class SimdTrainer {
  readonly wasm: TrainWasm;
  /** Parameters and gradients (flat layout of layout.ts), views into wasm memory. */
  readonly params: Float32Array;
  readonly grad: Float32Array;
  private readonly f32: Float32Array;
  private readonly pPtr: number;
  private readonly gPtr: number;
  private readonly mem: LayerMem[];
  private readonly hkT: number;
  private readonly ones: number;
  private readonly zeros: number;
  private readonly hT: number;
  private readonly raw: number;
  private readonly draw: number;
  private readonly dhT: number;
  private readonly rowsAt: Int32Array;
  private readonly offAt: Int32Array;

  constructor(
    readonly L: TrainLayout,
    readonly maxB: number,
    readonly T: number,
  ) {
    if (L.layers.some((l) => l.U % 4 !== 0)) throw new Error(`the SIMD training kernel needs units that are a multiple of 4 (got ${L.layers.map((l) => l.U).join(", ")})`);
    const R = maxB * T;
    let off = 0;
    const alloc = (floats: number) => {
      const p = off;
      off += ((floats + 3) & ~3) * 4;
      return p;
    };
    this.pPtr = alloc(L.size);
    this.gPtr = alloc(L.size);
    const Umax = Math.max(...L.layers.map((l) => l.U));
    this.mem = L.layers.map((l) => ({
      wrow: alloc(l.G * l.K),
      v: alloc(R * l.K),
      z: alloc(R * l.G),
      c: alloc(R * l.U),
      dz: alloc(R * l.G),
      dv: alloc(R * l.K),
      dc: alloc(maxB * l.U),
    }));
    const U = L.layers[L.layers.length - 1].U;
    this.hkT = alloc(L.Op * U);
    this.ones = alloc(4);
    this.zeros = alloc(Math.max(Umax, L.Op) + 8);
    this.hT = alloc(maxB * U);
    this.raw = alloc(maxB * L.Op);
    this.draw = alloc(maxB * L.Op);
    this.dhT = alloc(maxB * U);
    const wasm = instantiateTrain(off);
    if (!wasm) throw new Error("this JavaScript runtime has no WebAssembly SIMD");
    this.wasm = wasm;
    this.f32 = new Float32Array(wasm.memory.buffer);
    this.params = new Float32Array(wasm.memory.buffer, this.pPtr, L.size);
    this.grad = new Float32Array(wasm.memory.buffer, this.gPtr, L.size);
    this.f32.fill(1, this.ones >> 2, (this.ones >> 2) + 4);
    this.rowsAt = new Int32Array(T);
    this.offAt = new Int32Array(T + 1);
  }

  /** Loads parameters (flat layout) and derives the transposed copies the backward pass reads. */
  setParams(P: Float32Array): void {
    const { L, f32 } = this;
    this.params.set(P);
    L.layers.forEach((l, i) => {
      const wr = this.mem[i].wrow >> 2;
      f32.fill(0, wr, wr + l.G * l.K);
      for (let k = 0; k < l.I + l.U; k++) for (let j = 0; j < l.G; j++) f32[wr + j * l.K + k] = P[l.w + k * l.G + j];
    });
    const U = L.layers[L.layers.length - 1].U;
    const h = this.hkT >> 2;
    for (let o = 0; o < L.Op; o++) for (let u = 0; u < U; u++) f32[h + o * U + u] = P[L.hk + u * L.Op + o];
  }

  /**
   * Loss sums of a batch under the loaded parameters; with `withGrad`, `this.grad` holds scale · ∂(Σ NLL)/∂params
   * (overwritten, not accumulated). `rawOut` ([B × Op], batch order) receives the head outputs when given.
   */
  lossGrad(batch: TrainBatch, head: HeadSpec, scale: number, withGrad: boolean, rawOut?: Float32Array): LossSums {
    const { L, f32, T, wasm } = this;
    const { B, F, A, horizon: h } = batch;
    if (B > this.maxB) throw new Error(`batch of ${B} windows exceeds the workspace's ${this.maxB}`);
    if (batch.T !== T) throw new Error(`batch windows have ${batch.T} steps, the workspace ${T}`);
    const nL = L.layers.length;
    const Utop = L.layers[nL - 1].U;
    // Longest window first: the rows active at step t are then rows [0, n_t).
    const len = Int32Array.from({ length: B }, (_, b) => unmaskedLength(batch.x, b, T, F));
    const perm = Int32Array.from({ length: B }, (_, b) => b).sort((a, b) => len[b] - len[a] || a - b);
    const rowsAt = this.rowsAt;
    const offAt = this.offAt;
    offAt[0] = 0;
    for (let t = 0; t < T; t++) {
      let n = 0;
      while (n < B && len[perm[n]] >= T - t) n++;
      rowsAt[t] = n;
      offAt[t + 1] = offAt[t] + n;
    }
    const R = offAt[T];
    const { gemm, cellFwd, cellBwd } = wasm;
    const zeros = this.zeros;

    // Forward, layer by layer over all steps. Zeroed first: padding columns and fresh windows' h_prev stay 0.
    L.layers.forEach((l, li) => f32.fill(0, this.mem[li].v >> 2, (this.mem[li].v >> 2) + R * l.K));
    L.layers.forEach((l, li) => {
      const m = this.mem[li];
      const { I, U, G, K } = l;
      const next = li + 1 < nL ? this.mem[li + 1] : null;
      const Kn = li + 1 < nL ? L.layers[li + 1].K : 0;
      const v0 = m.v >> 2;
      if (li === 0) {
        for (let t = 0; t < T; t++) {
          for (let s = 0; s < rowsAt[t]; s++) {
            const src = (perm[s] * T + t) * F;
            const dst = v0 + (offAt[t] + s) * K;
            for (let f = 0; f < F; f++) f32[dst + f] = batch.x[src + f];
          }
        }
      }
      const bias = this.params.subarray(l.b, l.b + G);
      for (let t = 0; t < T; t++) {
        const n = rowsAt[t];
        if (n === 0) continue;
        const r0 = offAt[t];
        for (let s = 0; s < n; s++) f32.set(bias, (m.z >> 2) + (r0 + s) * G);
        // Kd = K: the zero padding rows make the k loop a whole number of 4-wide passes.
        gemm(m.z + r0 * G * 4, m.v + r0 * K * 4, K * 4, 4, this.pPtr + l.w * 4, n, K, G);
        const np = t > 0 ? rowsAt[t - 1] : 0;
        for (let s = 0; s < n; s++) {
          const r = r0 + s;
          const cp = s < np ? m.c + (offAt[t - 1] + s) * U * 4 : zeros;
          const hOut = t + 1 < T ? m.v + ((offAt[t + 1] + s) * K + I) * 4 : this.hT + s * U * 4;
          const h2 = next ? next.v + r * Kn * 4 : hOut;
          cellFwd(m.z + r * G * 4, cp, m.c + r * U * 4, hOut, h2, U);
        }
      }
    });

    // Head on the top layer's final state (every window is active at the last step).
    const Op = L.Op;
    const rawBase = this.raw >> 2;
    for (let s = 0; s < B; s++) f32.set(this.params.subarray(L.hb, L.hb + Op), rawBase + s * Op);
    gemm(this.raw, this.hT, Utop * 4, 4, this.pPtr + L.hk * 4, B, Utop, Op);
    const lastS = new Float32Array(B * A);
    const yS = new Float32Array(B * h * A);
    for (let s = 0; s < B; s++) {
      lastS.set(batch.last.subarray(perm[s] * A, (perm[s] + 1) * A), s * A);
      yS.set(batch.y.subarray(perm[s] * h * A, (perm[s] + 1) * h * A), s * h * A);
    }
    const rawView = f32.subarray(rawBase, rawBase + B * Op);
    if (rawOut) for (let s = 0; s < B; s++) rawOut.set(rawView.subarray(s * Op, (s + 1) * Op), perm[s] * Op);
    const drawView = f32.subarray(this.draw >> 2, (this.draw >> 2) + B * Op);
    drawView.fill(0);
    const sums = headLoss({ raw: rawView, stride: Op, B, horizon: h, A, last: lastS, y: yS, head }, withGrad ? drawView : undefined, scale);
    if (!withGrad) return sums;

    // Backward.
    this.grad.fill(0);
    gemm(this.gPtr + L.hk * 4, this.hT, 4, Utop * 4, this.draw, Utop, B, Op);
    gemm(this.gPtr + L.hb * 4, this.ones, 0, 0, this.draw, 1, B, Op);
    f32.fill(0, this.dhT >> 2, (this.dhT >> 2) + B * Utop);
    gemm(this.dhT, this.draw, Op * 4, 4, this.hkT, B, L.O, Utop);
    for (let li = nL - 1; li >= 0; li--) {
      const l = L.layers[li];
      const m = this.mem[li];
      const { I, U, G, K } = l;
      const upper = li + 1 < nL ? this.mem[li + 1] : null;
      const Ku = li + 1 < nL ? L.layers[li + 1].K : 0;
      f32.fill(0, m.dc >> 2, (m.dc >> 2) + B * U);
      for (let t = T - 1; t >= 0; t--) {
        const n = rowsAt[t];
        if (n === 0) break;
        const r0 = offAt[t];
        const np = t > 0 ? rowsAt[t - 1] : 0;
        for (let s = 0; s < n; s++) {
          const r = r0 + s;
          const cp = s < np ? m.c + (offAt[t - 1] + s) * U * 4 : zeros;
          const dha = t + 1 < T ? m.dv + ((offAt[t + 1] + s) * K + I) * 4 : upper ? zeros : this.dhT + s * U * 4;
          const dhb = upper ? upper.dv + r * Ku * 4 : zeros;
          cellBwd(m.z + r * G * 4, cp, m.c + r * U * 4, dha, dhb, m.dc + s * U * 4, m.dz + r * G * 4, U);
        }
        if (li > 0 || t > 0) {
          f32.fill(0, (m.dv >> 2) + r0 * K, (m.dv >> 2) + (r0 + n) * K);
          gemm(m.dv + r0 * K * 4, m.dz + r0 * G * 4, G * 4, 4, m.wrow, n, G, K);
        }
      }
      gemm(this.gPtr + l.w * 4, m.v, 4, K * 4, m.dz, K, R, G);
      gemm(this.gPtr + l.b * 4, this.ones, 0, 0, m.dz, 1, R, G);
    }
    return sums;
  }
}

const shared = new Map<string, SimdTrainer>();

/** One-shot form for tests and checks: loss sums and scale · gradient (into `grad`) of a batch, on a cached workspace. */
export function simdLossGrad(L: TrainLayout, P: Float32Array, batch: TrainBatch, head: HeadSpec, scale: number, grad?: Float32Array, raw?: Float32Array): LossSums {
  const key = `${JSON.stringify(L)}|${batch.T}`;
  let w = shared.get(key);
  if (!w || w.maxB < batch.B) {
    w = new SimdTrainer(L, Math.max(batch.B, 64), batch.T);
    shared.set(key, w);
  }
  w.setParams(P);
  const r = w.lossGrad(batch, head, scale, !!grad, raw);
  if (grad) grad.set(w.grad);
  return r;
}
