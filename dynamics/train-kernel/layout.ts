/*
 * The training kernel's parameters as one flat f32 vector, in the order tfjs's getWeights() lists them, each tensor
 * in its Keras layout: per LSTM layer the kernel [I, 4U] and recurrent kernel [U, 4U] stacked into Wt [K, 4U]
 * (K = I + U, zero rows padded to a multiple of 4) and the bias [4U]; then the head kernel [U, O] (zero columns
 * padded to a multiple of 4) and bias. Keras's Wt is exactly the batch-major product's right-hand side
 * (gates[n, 4U] = [x; h][n, K] · Wt), so no transposition happens on the forward pass; gradients share the layout.
 */
import type { ModelSpec } from "../spec.js";

export const pad4 = (n: number): number => (n + 3) & ~3;

export interface LayerLayout {
  /** Input width (features, or the layer below's units). */
  readonly I: number;
  readonly U: number;
  /** Gate count 4U. */
  readonly G: number;
  /** Row length of [x; h] (I + U, padded to 4). */
  readonly K: number;
  /** Offsets (floats) of Wt [K × G] and bias [G] in the flat vector. */
  readonly w: number;
  readonly b: number;
}

export interface TrainLayout {
  readonly F: number;
  readonly layers: readonly LayerLayout[];
  /** Head outputs O = horizon × A × 2 and its padded width. */
  readonly O: number;
  readonly Op: number;
  /** Offsets of the head kernel [U × Op] and bias [Op]. */
  readonly hk: number;
  readonly hb: number;
  readonly size: number;
}

/** The sizes a layout depends on. */
export interface TrainDims {
  readonly F: number;
  readonly A: number;
  readonly horizon: number;
  readonly layers: number;
  readonly units: number;
}

export function specDims(spec: Pick<ModelSpec, "features" | "actions" | "horizon" | "layers" | "units">): TrainDims {
  return { F: spec.features.length, A: spec.actions.length, horizon: spec.horizon, layers: spec.layers, units: spec.units };
}

/** The flat layout of a spec's (or its dims') parameters. */
export function trainLayout(s: TrainDims | Pick<ModelSpec, "features" | "actions" | "horizon" | "layers" | "units">): TrainLayout {
  const spec = "F" in s ? s : specDims(s);
  const F = spec.F;
  const layers: LayerLayout[] = [];
  let off = 0;
  let I = F;
  for (let l = 0; l < spec.layers; l++) {
    const U = spec.units;
    const G = 4 * U;
    const K = pad4(I + U);
    layers.push({ I, U, G, K, w: off, b: off + K * G });
    off += K * G + G;
    I = U;
  }
  const O = spec.horizon * spec.A * 2;
  const Op = pad4(O);
  const hk = off;
  const hb = hk + I * Op;
  return { F, layers, O, Op, hk, hb, size: hb + Op };
}

/** The tensors as tfjs lists them (kernel, recurrent, bias per layer; head kernel, bias), unpadded Keras layouts. */
export function tensorShapes(L: TrainLayout): number[][] {
  const out: number[][] = [];
  for (const l of L.layers) out.push([l.I, l.G], [l.U, l.G], [l.G]);
  const U = L.layers[L.layers.length - 1].U;
  out.push([U, L.O], [L.O]);
  return out;
}

/** Packs tfjs's weight arrays (getWeights() order, unpadded) into the flat vector. */
export function packWeights(L: TrainLayout, arrays: readonly Float32Array[], out = new Float32Array(L.size)): Float32Array {
  const shapes = tensorShapes(L);
  if (arrays.length !== shapes.length) throw new Error(`packWeights: ${arrays.length} tensors, the layout has ${shapes.length}`);
  arrays.forEach((a, i) => {
    const n = shapes[i].reduce((p, d) => p * d, 1);
    if (a.length !== n) throw new Error(`packWeights: tensor ${i} has ${a.length} values, expected [${shapes[i].join(", ")}]`);
  });
  out.fill(0);
  L.layers.forEach((l, i) => {
    out.set(arrays[3 * i], l.w);
    out.set(arrays[3 * i + 1], l.w + l.I * l.G);
    out.set(arrays[3 * i + 2], l.b);
  });
  const k = 3 * L.layers.length;
  const U = L.layers[L.layers.length - 1].U;
  for (let u = 0; u < U; u++) out.set(arrays[k].subarray(u * L.O, (u + 1) * L.O), L.hk + u * L.Op);
  out.set(arrays[k + 1], L.hb);
  return out;
}

/** The inverse of packWeights: arrays in getWeights() order and Keras shapes. */
export function unpackWeights(L: TrainLayout, flat: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of L.layers) {
    out.push(flat.slice(l.w, l.w + l.I * l.G), flat.slice(l.w + l.I * l.G, l.w + (l.I + l.U) * l.G), flat.slice(l.b, l.b + l.G));
  }
  const U = L.layers[L.layers.length - 1].U;
  const hk = new Float32Array(U * L.O);
  for (let u = 0; u < U; u++) hk.set(flat.subarray(L.hk + u * L.Op, L.hk + u * L.Op + L.O), u * L.O);
  out.push(hk, flat.slice(L.hb, L.hb + L.O));
  return out;
}

/** Which flat ranges are "kernels" (L2 applies: the LSTM kernel and recurrent kernel, the head kernel) and which the encoder. */
export function kernelRanges(L: TrainLayout): { l2: [number, number][]; encoder: [number, number] } {
  const l2: [number, number][] = L.layers.map((l) => [l.w, l.b]);
  l2.push([L.hk, L.hb]);
  return { l2, encoder: [0, L.hk] };
}

/** Multiply-adds of one training window of T steps: forward (gates + head), backward (input and weight gradients). */
export function trainMacsPerWindow(L: TrainLayout, T: number): { forward: number; backward: number } {
  let step = 0;
  for (const l of L.layers) step += l.G * (l.I + l.U);
  const head = L.layers[L.layers.length - 1].U * L.O;
  return { forward: T * step + head, backward: 2 * (T * step + head) };
}
