/*
 * One training run end to end, on frames already made: split → normalisation (train blocks only) → windows →
 * fit → AR baseline fit (train blocks) → evaluation on the test blocks. Returns what saveModel writes.
 */
import type * as tf from "@tensorflow/tfjs";
import { fitAr } from "./baselines/ar.js";
import { cutWindows, fitHeadScale, fitNormalisation, splitBlocks, type Block, type FrameSeries } from "./dataset.js";
import { evaluate } from "./evaluate.js";
import { buildModel, checkSpec, STD_EPS, type HeadSpec } from "./model.js";
import { prng } from "./prng.js";
import type { LamJson, LoadedModel } from "./save.js";
import type { ModelSpec } from "./spec.js";
import { fit, TRAIN_DEFAULTS, type TrainOptions, type TrainResult } from "./train.js";

export interface TrainRunOptions extends TrainOptions {
  /** Length of a split block (s). */
  readonly blockSeconds?: number;
  /** Order of the AR baseline. */
  readonly arOrder?: number;
  /** Fine-tune this model instead of building a new one: its spec, normalisation and head are kept. */
  readonly finetune?: LoadedModel;
  /** ISO date for lam.json, from a clock the caller owns (left out: lam.json is reproducible byte for byte). */
  readonly date?: string;
}

export interface TrainRunResult {
  readonly model: tf.LayersModel;
  readonly meta: Omit<LamJson, "weightsSha256" | "version">;
  readonly result: TrainResult;
  readonly blocks: Block[];
}

export const DEFAULT_BLOCK_SECONDS = 10;
export const DEFAULT_AR_ORDER = 4;

export async function trainRun(series: readonly FrameSeries[], specIn: ModelSpec, opts: TrainRunOptions): Promise<TrainRunResult> {
  const base = opts.finetune;
  const spec = base ? base.meta.spec : specIn;
  checkSpec(spec);
  const seed = opts.seed ?? TRAIN_DEFAULTS.seed;
  const blockSeconds = opts.blockSeconds ?? DEFAULT_BLOCK_SECONDS;
  const blocks = splitBlocks(series, spec, { blockSeconds });
  const train = blocks.filter((b) => b.role === "train");
  const val = blocks.filter((b) => b.role === "val");
  const test = blocks.filter((b) => b.role === "test");
  if (!train.length || !val.length) throw new Error(`the drives are too short to split into ${blockSeconds} s train/validation blocks`);

  // A fine-tuned model keeps the statistics its encoder was trained with.
  const features = base ? base.meta.normalisation.features : fitNormalisation(series, train, spec.features);
  const actions = base ? base.meta.normalisation.actions : fitNormalisation(series, train, spec.actions);
  const fallback = [...actions.mean];
  const wTrain = cutWindows(series, train, spec, features, { fallback }, { variableLength: prng(seed * 31 + 5) });
  const wVal = cutWindows(series, val, spec, features, { fallback });
  const head: HeadSpec = base ? base.meta.head : { kind: "residual-hold", scale: fitHeadScale(wTrain), fallback, eps: STD_EPS };

  const model = base ? base.model : buildModel(spec, { seed });
  const result = await fit(model, head, wTrain, wVal, { ...opts, seed });

  const arOrder = opts.arOrder ?? DEFAULT_AR_ORDER;
  const ar = fitAr(series, train, (s) => ({ frameChannels: s.channels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback }), arOrder);
  const meta: Omit<LamJson, "weightsSha256" | "version" | "metrics"> = {
    spec,
    normalisation: { features, actions },
    head,
    baselines: { ar },
    training: {
      drives: series.map((s) => s.name),
      split: blocks.map(({ drive, role, t0, t1 }) => ({ drive, role, t0, t1 })),
      windows: { train: wTrain.n, val: wVal.n },
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      loss: result.loss,
      valLoss: result.valLoss,
      stopped: result.stopped,
      seed,
      options: {
        batchSize: opts.batchSize ?? TRAIN_DEFAULTS.batchSize,
        learningRate: opts.learningRate ?? TRAIN_DEFAULTS.learningRate,
        lrDecay: opts.lrDecay ?? TRAIN_DEFAULTS.lrDecay,
        l2: opts.l2 ?? TRAIN_DEFAULTS.l2,
        inputNoise: opts.inputNoise ?? 0,
        patience: opts.patience ?? TRAIN_DEFAULTS.patience,
        maxEpochs: opts.epochs,
        blockSeconds,
        freezeEncoder: !!opts.freezeEncoder,
      },
      ...(base ? { finetunedFrom: base.meta.weightsSha256 } : {}),
      ...(opts.date ? { date: opts.date } : {}),
    },
  };
  const data = Object.fromEntries(series.map((s) => [s.name, "test_blocks" as const]));
  const metrics = test.length ? evaluate({ model, meta: { ...meta, version: 1, weightsSha256: "" } }, series, test, data) : undefined;
  return { model, meta: metrics ? { ...meta, metrics } : meta, result, blocks };
}
