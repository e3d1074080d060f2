/*
 * LstmStack with the gate matmul in WebAssembly SIMD (kernel-wasm.ts): same interface and state layout as the
 * JS kernel, but [input; h] rows, weights and gate sums are f32 in wasm memory (as in tfjs), rows zero-padded to a
 * multiple of 4. Cell state and the nonlinearities stay in JS float64. Checked against tfjs by the same agreement
 * tests as the JS kernel.
 */
import type { KernelWeights } from "./kernel-weights.js";
import type { LstmKernel } from "./kernel.js";
import { instantiateGates, type GatesFn } from "./kernel-wasm.js";

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
  readonly c: Float64Array;
}

export class LstmStackSimd implements LstmKernel {
  readonly slots: number;
  readonly features: number;
  readonly units: number;
  private readonly layers: Layer[];
  private readonly zPtr: number;
  private readonly z: Float32Array;
  private readonly gates: GatesFn;

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
      const p = { K, G, w: off, b: off + G * K * 4, v: 0 };
      off = p.b + pad4(G) * 4;
      p.v = off;
      off += slots * K * 4;
      return p;
    });
    const Gmax = Math.max(...plan.map((p) => p.G));
    this.zPtr = off;
    off += slots * Gmax * 4;
    const wasm = instantiateGates(off);
    if (!wasm) throw new Error("this JavaScript runtime has no WebAssembly SIMD");
    this.gates = wasm.gates;
    const buf = wasm.memory.buffer;
    this.layers = weights.layers.map((l, i) => {
      const { K, G, w, b, v } = plan[i];
      const Kj = l.inputSize + l.units;
      const wv = new Float32Array(buf, w, G * K);
      for (let j = 0; j < G; j++) wv.set(l.gates.subarray(j * Kj, (j + 1) * Kj), j * K);
      new Float32Array(buf, b, G).set(l.bias);
      return { I: l.inputSize, U: l.units, K, wPtr: w, bPtr: b, vPtr: v, v: new Float32Array(buf, v, slots * K), c: new Float64Array(slots * l.units) };
    });
    this.z = new Float32Array(buf, this.zPtr, slots * Gmax);
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
      for (let s0 = 0; s0 < S; s0 += SLOT_BLOCK) {
        const n = Math.min(SLOT_BLOCK, S - s0);
        this.gates(wPtr, bPtr, vPtr + s0 * K * 4, this.zPtr + s0 * G * 4, n, K, G);
      }
      const next = l + 1 < this.layers.length ? this.layers[l + 1] : null;
      for (let s = 0; s < S; s++) {
        const zo = s * G;
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

  head(s: number, out: Float32Array | Float64Array): void {
    const { inputSize: I, outputs: O, w, bias } = this.weights.head;
    const L = this.layers[this.layers.length - 1];
    const h0 = s * L.K + L.I;
    const v = L.v;
    for (let o = 0; o < O; o++) {
      const r = o * I;
      let a = bias[o];
      for (let k = 0; k < I; k++) a += w[r + k] * v[h0 + k];
      out[o] = a;
    }
  }

  hidden(l: number, s: number): Float32Array {
    const L = this.layers[l];
    return L.v.subarray(s * L.K + L.I, s * L.K + L.I + L.U);
  }
}
