/*
 * The fast LSTM step: a stack of LSTM layers run on S independent state slots at once (agents × streams).
 * Float32 weights, Float64 state and accumulation (JS arithmetic is double anyway, so the wider sum is free and the
 * kernel is the more exact side when compared with tfjs's float32). All buffers are allocated in the constructor;
 * `step` and `head` allocate nothing.
 *
 * Batching: slots run in cache blocks of 8, and each gate row (contiguous weights) is loaded once per block and applied
 * to two slots at a time, so S slots cost less than S separate steps: the weight matrix (≈200 KB for 2×64) streams
 * through the cache once per block of 8 slots, not once per slot.
 */
import type { KernelWeights } from "./kernel-weights.js";

/** One step of a stacked LSTM over S state slots; implemented in JS (LstmStack) and WebAssembly SIMD (LstmStackSimd). */
export interface LstmKernel {
  readonly slots: number;
  readonly features: number;
  readonly weights: KernelWeights;
  resetSlot(s: number): void;
  resetAll(): void;
  step(x: Float32Array, slotsPerInput?: number): void;
  head(s: number, out: Float32Array | Float64Array): void;
  hidden(l: number, s: number): Float32Array | Float64Array;
}

export class LstmStack implements LstmKernel {
  readonly slots: number;
  readonly features: number;
  readonly units: number;
  /** Per layer: [S × (in + U)] rows of [input; h]. The recurrent half of row s is slot s's hidden state. */
  private readonly v: Float64Array[];
  /** Per layer: [S × U] cell states. */
  private readonly c: Float64Array[];
  /** Gate pre-activations, [S × 4U_max]. */
  private readonly z: Float64Array;
  /** Per layer, the runs of each gate row that the matmul sums: the nonzero 4-blocks, or the whole row (gateSpans). */
  private readonly spans: GateSpans[];

  constructor(
    readonly weights: KernelWeights,
    slots: number,
    /** false: always the dense loop (tests compare both). */
    sparse = true,
  ) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`LstmStack: slots=${slots}, expected an integer >= 1`);
    this.slots = slots;
    this.features = weights.features;
    const last = weights.layers[weights.layers.length - 1];
    this.units = last.units;
    if (weights.head.inputSize !== last.units) throw new Error(`head input ${weights.head.inputSize} != last LSTM units ${last.units}`);
    this.v = weights.layers.map((l) => new Float64Array(slots * (l.inputSize + l.units)));
    this.c = weights.layers.map((l) => new Float64Array(slots * l.units));
    this.z = new Float64Array(slots * Math.max(...weights.layers.map((l) => 4 * l.units)));
    this.spans = weights.layers.map((l) => (sparse ? gateSpans(l.gates, 4 * l.units, l.inputSize + l.units) : null) ?? denseSpans(4 * l.units, l.inputSize + l.units));
  }

  /** Zeroes one slot's hidden and cell state in every layer. */
  resetSlot(s: number): void {
    const ws = this.weights.layers;
    for (let l = 0; l < ws.length; l++) {
      const K = ws[l].inputSize + ws[l].units;
      this.v[l].fill(0, s * K + ws[l].inputSize, (s + 1) * K);
      this.c[l].fill(0, s * ws[l].units, (s + 1) * ws[l].units);
    }
  }

  resetAll(): void {
    for (const a of this.v) a.fill(0);
    for (const a of this.c) a.fill(0);
  }

  /**
   * One time step for every slot. `x` holds input rows of F features; slot s reads row ⌊s / slotsPerInput⌋
   * (two staggered streams of one agent see the same frame).
   */
  step(x: Float32Array, slotsPerInput = 1): void {
    const S = this.slots;
    const ws = this.weights.layers;
    const F = this.features;
    const v0 = this.v[0];
    const K0 = ws[0].inputSize + ws[0].units;
    for (let s = 0; s < S; s++) {
      const src = ((s / slotsPerInput) | 0) * F;
      const dst = s * K0;
      for (let f = 0; f < F; f++) v0[dst + f] = x[src + f];
    }
    for (let l = 0; l < ws.length; l++) {
      const { inputSize: I, units: U, gates, bias } = ws[l];
      const K = I + U;
      const G = 4 * U;
      const v = this.v[l];
      const z = this.z;
      gateMatmul(gates, bias, v, z, S, K, G, this.spans[l]);
      const c = this.c[l];
      const next = l + 1 < ws.length ? this.v[l + 1] : null;
      const Kn = next ? ws[l + 1].inputSize + ws[l + 1].units : 0;
      for (let s = 0; s < S; s++) {
        const zo = s * G;
        const co = s * U;
        const ho = s * K + I;
        const no = s * Kn;
        for (let u = 0; u < U; u++) {
          const ig = 1 / (1 + Math.exp(-z[zo + u]));
          const fg = 1 / (1 + Math.exp(-z[zo + U + u]));
          const cc = Math.tanh(z[zo + 2 * U + u]);
          const og = 1 / (1 + Math.exp(-z[zo + 3 * U + u]));
          const cn = fg * c[co + u] + ig * cc;
          c[co + u] = cn;
          const h = og * Math.tanh(cn);
          v[ho + u] = h;
          if (next) next[no + u] = h;
        }
      }
    }
  }

  /** The linear head on slot s's last hidden state, written to out[0 .. outputs). */
  head(s: number, out: Float32Array | Float64Array): void {
    const { inputSize: I, outputs: O, w, bias } = this.weights.head;
    const lastL = this.weights.layers.length - 1;
    const L = this.weights.layers[lastL];
    const v = this.v[lastL];
    const h0 = s * (L.inputSize + L.units) + L.inputSize;
    for (let o = 0; o < O; o++) {
      const r = o * I;
      let a = bias[o];
      for (let k = 0; k < I; k++) a += w[r + k] * v[h0 + k];
      out[o] = a;
    }
  }

  /** Slot s's hidden state of layer l (a view; for tests and debugging). */
  hidden(l: number, s: number): Float64Array {
    const L = this.weights.layers[l];
    const K = L.inputSize + L.units;
    return this.v[l].subarray(s * K + L.inputSize, (s + 1) * K);
  }
}

/** Slots per cache block: 8 slots' [input; h] rows (≤ 8 KB for 2×64) stay in L1 while every gate row streams past. */
const SLOT_BLOCK = 8;

/**
 * Where a gate matrix is mostly zeros (a merged ensemble: block-diagonal recurrent weights, zero input rows for the
 * features a per-action member does not read), each row's runs of 4-blocks [k0, k1) that hold a nonzero weight, in
 * CSR form: row j's runs are runs[2·ptr[j] .. 2·ptr[j + 1]). The scalar tail [K4, K) is always summed. Null where
 * skipping would save under a quarter of the multiplies: every row is then one run [0, K4) (denseSpans).
 */
export interface GateSpans {
  readonly ptr: Int32Array;
  readonly runs: Int32Array;
}

export function gateSpans(W: Float32Array, G: number, K: number): GateSpans | null {
  const K4 = K & ~3;
  const ptr = new Int32Array(G + 1);
  const runs: number[] = [];
  let kept = 0;
  for (let j = 0; j < G; j++) {
    const r = j * K;
    let start = -1;
    for (let k = 0; k < K4; k += 4) {
      const nz = W[r + k] !== 0 || W[r + k + 1] !== 0 || W[r + k + 2] !== 0 || W[r + k + 3] !== 0;
      if (nz && start < 0) start = k;
      if (!nz && start >= 0) {
        runs.push(start, k);
        kept += k - start;
        start = -1;
      }
    }
    if (start >= 0) {
      runs.push(start, K4);
      kept += K4 - start;
    }
    ptr[j + 1] = runs.length / 2;
  }
  return kept > 0.75 * G * K4 ? null : { ptr, runs: Int32Array.from(runs) };
}

/** Every row one run over its whole 4-aligned part. */
export function denseSpans(G: number, K: number): GateSpans {
  return { ptr: Int32Array.from({ length: G + 1 }, (_, j) => j), runs: Int32Array.from({ length: 2 * G }, (_, i) => (i % 2 ? K & ~3 : 0)) };
}

/**
 * z[s, j] = bias[j] + Σ_k W[j, k] · v[s, k] for all slots s and gate rows j, over each row's runs (sp). Slots are
 * taken in cache blocks; within a block two slots per pass share each weight load, and four accumulators per slot
 * break the add dependency chain so the loop is throughput-bound, not latency-bound. The summation order is the same
 * for every slot, so a slot's result does not depend on how many slots run beside it. Every run starts and ends on a
 * multiple of 4, so each product lands in the same one of the four accumulators whether zero blocks are skipped or
 * not: the skipped products are exact zeros, and the sums are the dense ones (but for the sign of a zero sum).
 */
function gateMatmul(W: Float32Array, bias: Float32Array, v: Float64Array, z: Float64Array, S: number, K: number, G: number, sp: GateSpans): void {
  const K4 = K & ~3;
  const { ptr, runs } = sp;
  for (let s0 = 0; s0 < S; s0 += SLOT_BLOCK) {
    const s1 = Math.min(S, s0 + SLOT_BLOCK);
    for (let j = 0; j < G; j++) {
      const r = j * K;
      const b = bias[j];
      const q0 = ptr[j];
      const q1 = ptr[j + 1];
      let s = s0;
      for (; s + 1 < s1; s += 2) {
        const p = s * K;
        const q = p + K;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let n = q0; n < q1; n++) {
          const e = runs[2 * n + 1];
          for (let k = runs[2 * n]; k < e; k += 4) {
            const w0 = W[r + k], w1 = W[r + k + 1], w2 = W[r + k + 2], w3 = W[r + k + 3];
            a0 += w0 * v[p + k]; a1 += w1 * v[p + k + 1]; a2 += w2 * v[p + k + 2]; a3 += w3 * v[p + k + 3];
            b0 += w0 * v[q + k]; b1 += w1 * v[q + k + 1]; b2 += w2 * v[q + k + 2]; b3 += w3 * v[q + k + 3];
          }
        }
        for (let k = K4; k < K; k++) {
          a0 += W[r + k] * v[p + k];
          b0 += W[r + k] * v[q + k];
        }
        z[s * G + j] = b + ((a0 + a1) + (a2 + a3));
        z[(s + 1) * G + j] = b + ((b0 + b1) + (b2 + b3));
      }
      if (s < s1) {
        const p = s * K;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let n = q0; n < q1; n++) {
          const e = runs[2 * n + 1];
          for (let k = runs[2 * n]; k < e; k += 4) {
            a0 += W[r + k] * v[p + k]; a1 += W[r + k + 1] * v[p + k + 1];
            a2 += W[r + k + 2] * v[p + k + 2]; a3 += W[r + k + 3] * v[p + k + 3];
          }
        }
        for (let k = K4; k < K; k++) a0 += W[r + k] * v[p + k];
        z[s * G + j] = b + ((a0 + a1) + (a2 + a3));
      }
    }
  }
}
