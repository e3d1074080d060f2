/*
 * A training batch as flat arrays (what train.ts turns into tensors), the real length of each front-padded window,
 * and the split into fixed shards: gradients are summed shard by shard in shard order, so the result does not
 * depend on how many threads computed the shards.
 */
import { PAD_VALUE } from "../model.js";
import type { Windows } from "../dataset.js";
import type { Prng } from "../prng.js";

export interface TrainBatch {
  readonly B: number;
  readonly T: number;
  readonly F: number;
  readonly A: number;
  readonly horizon: number;
  /** [B, T, F], front-padded with PAD_VALUE rows. */
  readonly x: Float32Array;
  /** [B, A] last observed action (physical). */
  readonly last: Float32Array;
  /** [B, horizon, A] targets (physical). */
  readonly y: Float32Array;
}

/** Windows per shard: fixed, so shard boundaries (and float sums) never depend on the thread count. */
export const SHARD_WINDOWS = 16;

/** Real (unmasked) length of window b: the steps after its leading all-PAD_VALUE rows (the Masking layer's rule). */
export function unmaskedLength(x: Float32Array, b: number, T: number, F: number): number {
  let t = 0;
  for (; t < T; t++) {
    const o = (b * T + t) * F;
    let pad = true;
    for (let f = 0; f < F && pad; f++) pad = x[o + f] === PAD_VALUE;
    if (!pad) break;
  }
  return T - t;
}

function gaussian(rng: Prng): number {
  // Box–Muller, as train.ts draws it (same stream, same order).
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** The batch of windows `ids`, with input noise drawn exactly as train.ts's batchTensors draws it. */
export function gatherBatch(w: Windows, ids: ArrayLike<number>, noise = 0, rng?: Prng): TrainBatch {
  const { T, F, A, horizon: h } = w;
  const B = ids.length;
  const x = new Float32Array(B * T * F);
  const last = new Float32Array(B * A);
  const y = new Float32Array(B * h * A);
  for (let b = 0; b < B; b++) {
    const i = ids[b];
    x.set(w.x.subarray(i * T * F, (i + 1) * T * F), b * T * F);
    last.set(w.last.subarray(i * A, (i + 1) * A), b * A);
    y.set(w.y.subarray(i * h * A, (i + 1) * h * A), b * h * A);
  }
  if (noise > 0 && rng) for (let k = 0; k < x.length; k++) if (x[k] !== PAD_VALUE) x[k] += noise * gaussian(rng);
  return { B, T, F, A, horizon: h, x, last, y };
}

/** Windows [b0, b1) of a batch as a batch of their own (views, no copy). */
export function sliceBatch(b: TrainBatch, b0: number, b1: number): TrainBatch {
  const { T, F, A, horizon: h } = b;
  return {
    B: b1 - b0,
    T,
    F,
    A,
    horizon: h,
    x: b.x.subarray(b0 * T * F, b1 * T * F),
    last: b.last.subarray(b0 * A, b1 * A),
    y: b.y.subarray(b0 * h * A, b1 * h * A),
  };
}

/** Shard boundaries of a batch of B windows: [0, 16), [16, 32), ... */
export function shards(B: number, size = SHARD_WINDOWS): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < B; s += size) out.push([s, Math.min(B, s + size)]);
  return out;
}
