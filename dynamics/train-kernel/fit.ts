/*
 * The training loop of train.ts's `fit`, on the kernel: same shuffle and noise stream (same seed → same batches),
 * Adam with tfjs's constants, L2 on kernels, optional gradient clipping, per-epoch LR decay, early stopping on
 * validation loss or ADE with the best parameters kept. Works on the flat parameter vector; no tfjs, no I/O.
 */
import type { HeadSpec } from "../model.js";
import type { Windows } from "../dataset.js";
import { prng, shuffle } from "../prng.js";
import type { TrainOptions, TrainResult } from "../train-options.js";
import { adamState, adamStep, clipGlobalNorm } from "./adam.js";
import { gatherBatch } from "./batch.js";
import type { GradEngine } from "./engine.js";
import { kernelRanges, type TrainLayout } from "./layout.js";

export const KERNEL_TRAIN_DEFAULTS = { batchSize: 64, learningRate: 3e-3, lrDecay: 0.95, l2: 1e-5, patience: 8, seed: 1 } as const;

export interface KernelFitOptions extends TrainOptions {
  /** Clip the gradient's global L2 norm to this (none by default, as the tfjs path). */
  readonly clipNorm?: number;
}

function allWindows(w: Windows) {
  return gatherBatch(w, Int32Array.from({ length: w.n }, (_, i) => i));
}

/** Trains the flat parameters P (updated in place to the best seen) with `engine`. */
export async function fitFlat(L: TrainLayout, P: Float32Array, head: HeadSpec, train: Windows, val: Windows, engine: GradEngine, opts: KernelFitOptions): Promise<TrainResult> {
  if (train.n === 0) throw new Error("no training windows: the training blocks are shorter than history + horizon");
  if (val.n === 0) throw new Error("no validation windows: the validation blocks are shorter than history + horizon");
  const d = KERNEL_TRAIN_DEFAULTS;
  const batchSize = opts.batchSize ?? d.batchSize;
  const l2 = opts.l2 ?? d.l2;
  const patience = opts.patience ?? d.patience;
  const decay = opts.lrDecay ?? d.lrDecay;
  const rng = prng((opts.seed ?? d.seed) * 7919 + 17);
  const now = opts.now;
  const A = train.A;
  const h = train.horizon;
  const ranges = kernelRanges(L);
  const trainable: [number, number][] = opts.freezeEncoder ? [[L.hk, L.size]] : [[0, L.size]];
  const l2Ranges = opts.freezeEncoder ? ranges.l2.filter(([a]) => a >= L.hk) : ranges.l2;
  const valBatch = allWindows(val);
  const score = async (): Promise<number> => {
    const r = await engine.evaluate(P, valBatch);
    return (opts.stopOn === "ade" ? r.ae : r.nll) / (val.n * h * A);
  };

  let lr = opts.learningRate ?? d.learningRate;
  const adam = adamState(L.size);
  const grad = new Float32Array(L.size);
  let best = P.slice();
  let bestVal = await score();
  let bestEpoch = 0;
  const losses: number[] = [];
  const valLosses: number[] = [];
  let stopped: TrainResult["stopped"] = "epochs";
  const batches = Math.ceil(train.n / batchSize);
  const t0 = now?.();
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  let epoch = 0;

  outer: for (epoch = 1; epoch <= opts.epochs; epoch++) {
    shuffle(order, rng);
    let sum = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      const ids = order.subarray(b * batchSize, Math.min(train.n, (b + 1) * batchSize));
      const batch = gatherBatch(train, ids, opts.inputNoise ?? 0, rng);
      const terms = ids.length * h * A;
      const r = await engine.grad(P, batch, 1 / terms, grad);
      let loss = r.nll / terms;
      if (l2 > 0) {
        let sq = 0;
        for (const [a, c] of l2Ranges) {
          for (let i = a; i < c; i++) {
            sq += P[i] * P[i];
            grad[i] += 2 * l2 * P[i];
          }
        }
        loss += l2 * sq;
      }
      if (opts.clipNorm !== undefined) clipGlobalNorm(grad, trainable, opts.clipNorm);
      adamStep(P, grad, adam, lr, trainable);
      sum += loss * ids.length;
      seen += ids.length;
      const done = (epoch - 1) * batches + b + 1;
      const eta = t0 !== undefined && now ? ((now() - t0) / 1000 / done) * (opts.epochs * batches - done) : null;
      opts.onProgress?.({ epoch, epochs: opts.epochs, batch: b + 1, batches, loss: sum / seen, valLoss: valLosses.at(-1) ?? null, etaS: eta });
      if (opts.signal?.aborted) {
        stopped = "aborted";
        break outer;
      }
      if (b % 8 === 7) await new Promise((res) => setImmediate(res));
    }
    const v = await score();
    losses.push(sum / seen);
    valLosses.push(v);
    if (v < bestVal) {
      best = P.slice();
      bestVal = v;
      bestEpoch = epoch;
    } else if (epoch - bestEpoch >= patience) {
      stopped = "early";
      break;
    }
    lr *= decay;
  }
  if (stopped === "aborted") {
    const v = await score();
    if (v < bestVal) {
      best = P.slice();
      bestVal = v;
      bestEpoch = epoch;
    }
  }
  P.set(best);
  return { epochs: losses.length, bestEpoch, bestValLoss: bestVal, loss: losses, valLoss: valLosses, stopped };
}
