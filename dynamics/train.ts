/*
 * Training: Adam on the NLL (Gaussian or Laplace, head.dist) of the residual head, L2 weight decay, exponential learning-rate decay,
 * early stopping on validation loss with the best weights kept. Deterministic for a seed (initialisers and the
 * shuffle are seeded; tfjs cpu/wasm kernels are deterministic). No I/O: time for the ETA and the stop signal come in.
 */
import * as tf from "@tensorflow/tfjs";
import type { HeadSpec } from "./model.js";
import { lstmLayers, PAD_VALUE } from "./model.js";
import { prng, shuffle, type Prng } from "./prng.js";
import type { Windows } from "./dataset.js";
import { defaultKind, fitFlat, localEngine, packWeights, poolEngine, trainLayout, unpackWeights, type GradEngine } from "./train-kernel/index.js";

export type { Trainer, TrainOptions, TrainProgress, TrainResult } from "./train-options.js";
import type { Trainer, TrainOptions, TrainResult } from "./train-options.js";

export const TRAIN_DEFAULTS = { batchSize: 64, learningRate: 3e-3, lrDecay: 0.95, l2: 1e-5, patience: 8, seed: 1 } as const;

/** The head output split into location μ and spread (softplus(raw1) + eps), and the target residual z. */
function headTerms(raw: tf.Tensor2D, last: tf.Tensor2D, y: tf.Tensor3D, head: HeadSpec): { mu: tf.Tensor3D; spread: tf.Tensor3D; z: tf.Tensor3D } {
  const [B, h, A] = y.shape;
  const r = raw.reshape([B, h, A, 2]);
  const mu = r.slice([0, 0, 0, 0], [B, h, A, 1]).reshape([B, h, A]) as tf.Tensor3D;
  const spread = tf.softplus(r.slice([0, 0, 0, 1], [B, h, A, 1]).reshape([B, h, A])).add(head.eps) as tf.Tensor3D;
  const z = y.sub(last.reshape([B, 1, A])).div(tf.tensor1d(head.scale as number[])) as tf.Tensor3D;
  return { mu, spread, z };
}

/**
 * Gaussian negative log-likelihood (constant dropped) of targets y given the raw head output, in the head's
 * normalised residual units: z = (y − last) / scale, μ = raw0, σ = softplus(raw1) + eps. Mean over steps and actions.
 */
export function gaussianNll(raw: tf.Tensor2D, last: tf.Tensor2D, y: tf.Tensor3D, head: HeadSpec): tf.Scalar {
  return tf.tidy(() => {
    const { mu, spread: sigma, z } = headTerms(raw, last, y, head);
    const e = z.sub(mu).div(sigma);
    return tf.log(sigma).add(e.square().mul(0.5)).mean() as tf.Scalar;
  });
}

/**
 * Laplace negative log-likelihood (constant dropped): z and μ as in gaussianNll, b = softplus(raw1) + eps,
 * loss = log b + |z − μ| / b. Its μ estimates the median of the change — what minimises the absolute error.
 */
export function laplaceNll(raw: tf.Tensor2D, last: tf.Tensor2D, y: tf.Tensor3D, head: HeadSpec): tf.Scalar {
  return tf.tidy(() => {
    const { mu, spread: b, z } = headTerms(raw, last, y, head);
    return tf.log(b).add(z.sub(mu).abs().div(b)).mean() as tf.Scalar;
  });
}

/** The training loss of a head: the NLL of its distribution (head.dist). */
export function headNll(raw: tf.Tensor2D, last: tf.Tensor2D, y: tf.Tensor3D, head: HeadSpec): tf.Scalar {
  return head.dist === "laplace" ? laplaceNll(raw, last, y, head) : gaussianNll(raw, last, y, head);
}

function gaussian(rng: Prng): number {
  // Box–Muller; 1 − u keeps the log finite.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function batchTensors(w: Windows, ids: Int32Array, noise = 0, rng?: Prng) {
  const { T, F, A, horizon: h } = w;
  const B = ids.length;
  const x = new Float32Array(B * T * F);
  const last = new Float32Array(B * A);
  const y = new Float32Array(B * h * A);
  ids.forEach((i, b) => {
    x.set(w.x.subarray(i * T * F, (i + 1) * T * F), b * T * F);
    last.set(w.last.subarray(i * A, (i + 1) * A), b * A);
    y.set(w.y.subarray(i * h * A, (i + 1) * h * A), b * h * A);
  });
  if (noise > 0 && rng) for (let k = 0; k < x.length; k++) if (x[k] !== PAD_VALUE) x[k] += noise * gaussian(rng);
  return { x: tf.tensor3d(x, [B, T, F]), last: tf.tensor2d(last, [B, A]), y: tf.tensor3d(y, [B, h, A]) };
}

/** The mean over all windows of a per-batch mean, computed in batches with no gradients. */
function meanOverWindows(w: Windows, batchSize: number, batchMean: (b: ReturnType<typeof batchTensors>) => tf.Scalar): number {
  if (w.n === 0) return NaN;
  let total = 0;
  for (let s = 0; s < w.n; s += batchSize) {
    const ids = Int32Array.from({ length: Math.min(batchSize, w.n - s) }, (_, k) => s + k);
    total += tf.tidy(() => batchMean(batchTensors(w, ids)).dataSync()[0] * ids.length);
  }
  return total / w.n;
}

/** Mean NLL over all windows (batched, no gradients). */
export function evaluateLoss(model: tf.LayersModel, head: HeadSpec, w: Windows, batchSize = 256): number {
  return meanOverWindows(w, batchSize, (b) => headNll(model.predict(b.x) as tf.Tensor2D, b.last, b.y, head));
}

/** Mean |z − μ| over all windows, steps and actions (z, μ in head-scale units, as in the NLLs); batched, no gradients. */
export function evaluateAde(model: tf.LayersModel, head: HeadSpec, w: Windows, batchSize = 256): number {
  return meanOverWindows(w, batchSize, (b) => {
    const { mu, z } = headTerms(model.predict(b.x) as tf.Tensor2D, b.last, b.y, head);
    return z.sub(mu).abs().mean() as tf.Scalar;
  });
}

/**
 * The trainer to use on a tfjs backend: tfjs where it runs natively or on a GPU (tfjs-node(-gpu), WebGPU), the
 * kernel on the wasm/cpu backends where the runtime has WebAssembly SIMD (tfjs-wasm trains op by op).
 */
export function trainerFor(backend: string, units: number): { trainer: Trainer; why: string } {
  if (backend !== "wasm" && backend !== "cpu") return { trainer: "tfjs", why: `tfjs backend ${backend} trains natively` };
  const kind = defaultKind(trainLayout({ F: 1, A: 1, horizon: 1, layers: 1, units }));
  if (kind !== "simd") return { trainer: "tfjs", why: "the training kernel needs WebAssembly SIMD and units that are a multiple of 4" };
  return { trainer: "kernel", why: `the WebAssembly SIMD training kernel outruns tfjs on the ${backend} backend` };
}

/** The kernel trainer: flat parameters out of the model, fitFlat, the best parameters back into the model. */
async function fitKernel(model: tf.LayersModel, head: HeadSpec, train: Windows, val: Windows, opts: TrainOptions): Promise<TrainResult> {
  const lstms = lstmLayers(model);
  const units = (lstms[0]?.getConfig() as { units?: number }).units ?? 0;
  const L = trainLayout({ F: train.F, A: train.A, horizon: train.horizon, layers: lstms.length, units });
  const P = packWeights(L, model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array)));
  const threads = opts.threads ?? 1;
  const engine: GradEngine = threads > 1 ? poolEngine(L, train.T, head, threads) : localEngine(L, train.T, head);
  try {
    const result = await fitFlat(L, P, head, train, val, engine, { ...opts, seed: opts.seed ?? TRAIN_DEFAULTS.seed });
    const shapes = model.getWeights().map((w) => w.shape);
    const ts = unpackWeights(L, P).map((a, i) => tf.tensor(a, shapes[i]));
    model.setWeights(ts);
    tf.dispose(ts);
    return result;
  } finally {
    await engine.close();
  }
}

/** Trains `model` in place on `train`, early-stopping on `val`; on return it holds the best weights seen. */
export async function fit(model: tf.LayersModel, head: HeadSpec, train: Windows, val: Windows, opts: TrainOptions): Promise<TrainResult> {
  if (opts.trainer === "kernel") return fitKernel(model, head, train, val, opts);
  if (train.n === 0) throw new Error("no training windows: the training blocks are shorter than history + horizon");
  if (val.n === 0) throw new Error("no validation windows: the validation blocks are shorter than history + horizon");
  const batchSize = opts.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const l2 = opts.l2 ?? TRAIN_DEFAULTS.l2;
  const patience = opts.patience ?? TRAIN_DEFAULTS.patience;
  const decay = opts.lrDecay ?? TRAIN_DEFAULTS.lrDecay;
  const rng = prng((opts.seed ?? TRAIN_DEFAULTS.seed) * 7919 + 17);
  const now = opts.now;
  const score = opts.stopOn === "ade" ? evaluateAde : evaluateLoss;

  for (const l of lstmLayers(model)) l.trainable = !opts.freezeEncoder;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.name)).map((w) => w.read());
  let lr = opts.learningRate ?? TRAIN_DEFAULTS.learningRate;
  const optimizer = tf.train.adam(lr);

  let best = model.getWeights().map((t) => t.clone());
  let bestVal = score(model, head, val);
  let bestEpoch = 0;
  const losses: number[] = [];
  const valLosses: number[] = [];
  let stopped: TrainResult["stopped"] = "epochs";
  const batches = Math.ceil(train.n / batchSize);
  const t0 = now?.();
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  let epoch = 0;

  try {
    outer: for (epoch = 1; epoch <= opts.epochs; epoch++) {
      shuffle(order, rng);
      let sum = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const ids = order.subarray(b * batchSize, Math.min(train.n, (b + 1) * batchSize));
        const bt = batchTensors(train, ids, opts.inputNoise ?? 0, rng);
        const cost = optimizer.minimize(
          () => {
            const raw = model.apply(bt.x, { training: true }) as tf.Tensor2D;
            let loss = headNll(raw, bt.last, bt.y, head);
            if (l2 > 0 && kernels.length) loss = loss.add(tf.addN(kernels.map((k) => k.square().sum())).mul(l2));
            return loss as tf.Scalar;
          },
          true,
          vars,
        );
        sum += (cost?.dataSync()[0] ?? NaN) * ids.length;
        seen += ids.length;
        cost?.dispose();
        tf.dispose([bt.x, bt.last, bt.y]);
        const done = (epoch - 1) * batches + b + 1;
        const eta = t0 !== undefined && now ? ((now() - t0) / 1000 / done) * (opts.epochs * batches - done) : null;
        opts.onProgress?.({ epoch, epochs: opts.epochs, batch: b + 1, batches, loss: sum / seen, valLoss: valLosses.at(-1) ?? null, etaS: eta });
        if (opts.signal?.aborted) {
          stopped = "aborted";
          break outer;
        }
        // Let a pending SIGINT reach the AbortSignal between batches.
        if (b % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      const v = score(model, head, val);
      losses.push(sum / seen);
      valLosses.push(v);
      if (v < bestVal) {
        tf.dispose(best);
        best = model.getWeights().map((t) => t.clone());
        bestVal = v;
        bestEpoch = epoch;
      } else if (epoch - bestEpoch >= patience) {
        stopped = "early";
        break;
      }
      lr *= decay;
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
    }
    if (stopped === "aborted") {
      // The part-epoch's weights may be better than the last checkpoint.
      const v = score(model, head, val);
      if (v < bestVal) {
        tf.dispose(best);
        best = model.getWeights().map((t) => t.clone());
        bestVal = v;
        bestEpoch = epoch;
      }
    }
    model.setWeights(best);
  } finally {
    tf.dispose(best);
    optimizer.dispose();
    for (const l of lstmLayers(model)) l.trainable = true;
  }
  return { epochs: losses.length, bestEpoch, bestValLoss: bestVal, loss: losses, valLoss: valLosses, stopped };
}
