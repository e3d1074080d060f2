/*
 * LstmStack with the gate matmul in WebAssembly SIMD (kernel-wasm.ts): same interface and state layout as the
 * JS kernel, but [input; h] rows, weights and gate sums are f32 in wasm memory (as in tfjs), rows zero-padded to a
 * multiple of 4. The head is one more call of the same gate function. The cell update (sigmoid, tanh, c, h) is a
 * second SIMD function (f32 cell state, as in tfjs; JS fallback when units are not a multiple of 4); it runs per
 * block of 8 slots right after that block's gate sums, which are still in L1. Checked against tfjs by the same
 * agreement tests as the JS kernel.
 */
import type { KernelWeights } from "./kernel-weights.js";
import type { LstmKernel } from "./kernel.js";
import { instantiateGates, type CellFn, type GatesFn } from "./kernel-wasm.js";

const SLOT_BLOCK = 8;

interface Layer {
  readonly I: number;
  readonly U: number;
  /** Padded row length (floats). */
  readonly K: number;
  readonly wPtr: number;
  readonly bPtr: number;
  readonly vPtr: number;
  readonly v: Float32Array;
  readonly cPtr: number;
  /** Cell state, f32 in wasm memory (as in tfjs). */
  readonly c: Float32Array;
}

export class LstmStackSimd implements LstmKernel {
  readonly slots: number;
  readonly features: number;
  readonly units: number;
  private readonly layers: Layer[];
  private readonly zPtr: number;
  private readonly z: Float32Array;
  private readonly gates: GatesFn;
  /** The SIMD cell update needs U to be a multiple of 4; other widths run the same update in JS. */
  private readonly cell: CellFn | null;
  /** The head as one more gate matmul: weights [O × Up], bias, a copy of the hidden state [Up], output [O]. */
  private readonly headW: number;
  private readonly headB: number;
  private readonly headV: number;
  private readonly headZ: number;
  private readonly headIn: Float32Array;
  private readonly headOut: Float32Array;
  private readonly headK: number;

  /** Throws where the runtime has no WebAssembly SIMD; use `simdAvailable()` first. */
  constructor(
    readonly weights: KernelWeights,
    slots: number,
  ) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`LstmStackSimd: slots=${slots}, expected an integer >= 1`);
    this.slots = slots;
    this.features = weights.features;
    this.units = weights.layers[weights.layers.length - 1].units;
    const pad4 = (n: number) => (n + 3) & ~3;
    // Layout: per layer W [G × K], bias [G], V [S × K]; then Z [S × Gmax]. All f32, 16-byte aligned.
    let off = 0;
    const plan = weights.layers.map((l) => {
      const K = pad4(l.inputSize + l.units);
      const G = 4 * l.units;
      const p = { K, G, w: off, b: off + G * K * 4, v: 0, c: 0 };
      off = p.b + pad4(G) * 4;
      p.v = off;
      off += slots * K * 4;
      p.c = off;
      off += slots * pad4(l.units) * 4;
      return p;
    });
    const Gmax = Math.max(...plan.map((p) => p.G));
    this.zPtr = off;
    // Gate sums for one slot block only: the nonlinearity reads them while they are still in L1.
    off += Math.min(slots, SLOT_BLOCK) * Gmax * 4;
    const { inputSize: HU, outputs: O } = weights.head;
    const Up = pad4(HU);
    this.headK = Up;
    this.headW = off;
    off += O * Up * 4;
    this.headB = off;
    off += pad4(O) * 4;
    this.headV = off;
    off += Up * 4;
    this.headZ = off;
    off += pad4(O) * 4;
    const wasm = instantiateGates(off);
    if (!wasm) throw new Error("this JavaScript runtime has no WebAssembly SIMD");
    this.gates = wasm.gates;
    this.cell = weights.layers.every((l) => l.units % 4 === 0) ? wasm.cell : null;
    const buf = wasm.memory.buffer;
    this.layers = weights.layers.map((l, i) => {
      const { K, G, w, b, v, c } = plan[i];
      const Kj = l.inputSize + l.units;
      const wv = new Float32Array(buf, w, G * K);
      for (let j = 0; j < G; j++) wv.set(l.gates.subarray(j * Kj, (j + 1) * Kj), j * K);
      new Float32Array(buf, b, G).set(l.bias);
      return { I: l.inputSize, U: l.units, K, wPtr: w, bPtr: b, vPtr: v, v: new Float32Array(buf, v, slots * K), cPtr: c, c: new Float32Array(buf, c, slots * l.units) };
    });
    this.z = new Float32Array(buf, this.zPtr, Math.min(slots, SLOT_BLOCK) * Gmax);
    const hw = new Float32Array(buf, this.headW, O * Up);
    for (let o = 0; o < O; o++) hw.set(weights.head.w.subarray(o * HU, (o + 1) * HU), o * Up);
    new Float32Array(buf, this.headB, O).set(weights.head.bias);
    this.headIn = new Float32Array(buf, this.headV, HU);
    this.headOut = new Float32Array(buf, this.headZ, O);
  }

  resetSlot(s: number): void {
    for (const L of this.layers) {
      L.v.fill(0, s * L.K + L.I, (s + 1) * L.K);
      L.c.fill(0, s * L.U, (s + 1) * L.U);
    }
  }

  resetAll(): void {
    for (const L of this.layers) {
      L.v.fill(0);
      L.c.fill(0);
    }
  }

  step(x: Float32Array, slotsPerInput = 1): void {
    const S = this.slots;
    const F = this.features;
    const L0 = this.layers[0];
    for (let s = 0; s < S; s++) {
      const src = ((s / slotsPerInput) | 0) * F;
      const dst = s * L0.K;
      for (let f = 0; f < F; f++) L0.v[dst + f] = x[src + f];
    }
    const z = this.z;
    for (let l = 0; l < this.layers.length; l++) {
      const { I, U, K, wPtr, bPtr, vPtr, v, c } = this.layers[l];
      const G = 4 * U;
      const next = l + 1 < this.layers.length ? this.layers[l + 1] : null;
      for (let s0 = 0; s0 < S; s0 += SLOT_BLOCK) {
        const n = Math.min(SLOT_BLOCK, S - s0);
        this.gates(wPtr, bPtr, vPtr + s0 * K * 4, this.zPtr, n, K, G);
        if (this.cell) {
          for (let b = 0; b < n; b++) {
            const s = s0 + b;
            const h = vPtr + (s * K + I) * 4;
            this.cell(this.zPtr + b * G * 4, this.layers[l].cPtr + s * U * 4, h, next ? next.vPtr + s * next.K * 4 : h, U);
          }
          continue;
        }
        for (let b = 0; b < n; b++) {
          const s = s0 + b;
          const zo = b * G;
          const co = s * U;
          const ho = s * K + I;
          const no = next ? s * next.K : 0;
          for (let u = 0; u < U; u++) {
            const ig = 1 / (1 + Math.exp(-z[zo + u]));
            const fg = 1 / (1 + Math.exp(-z[zo + U + u]));
            const cc = Math.tanh(z[zo + 2 * U + u]);
            const og = 1 / (1 + Math.exp(-z[zo + 3 * U + u]));
            const cn = fg * c[co + u] + ig * cc;
            c[co + u] = cn;
            const h = og * Math.tanh(cn);
            v[ho + u] = h;
            if (next) next.v[no + u] = h;
          }
        }
      }
    }
  }

  head(s: number, out: Float32Array | Float64Array): void {
    const L = this.layers[this.layers.length - 1];
    const h0 = s * L.K + L.I;
    // Copy the hidden state into the zero-padded head input, then one gate matmul with a single row block.
    this.headIn.set(L.v.subarray(h0, h0 + L.U));
    this.gates(this.headW, this.headB, this.headV, this.headZ, 1, this.headK, this.weights.head.outputs);
    out.set(this.headOut);
  }

  hidden(l: number, s: number): Float32Array {
    const L = this.layers[l];
    return L.v.subarray(s * L.K + L.I, s * L.K + L.I + L.U);
  }
}
