/*
 * One training run end to end, on frames already made: split → normalisation (train blocks only) → windows →
 * fit → AR baseline fit (train blocks) → evaluation on the test blocks. Returns what saveModel writes.
 */
import type * as tf from "@tensorflow/tfjs";
import { fitAr } from "./baselines/ar.js";
import { cutWindows, fitHeadScale, fitNormalisation, splitBlocks, type Block, type FrameSeries } from "./dataset.js";
import { evaluate } from "./evaluate.js";
import { buildModel, checkSpec, STD_EPS, type HeadDist, type HeadSource, type HeadSpec } from "./model.js";
import { prng } from "./prng.js";
import type { EvalReport, LamJson, LoadedModel, ValidationChoice } from "./lam-json.js";
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
  /** The residual's distribution in training (default "gaussian"); "laplace" aims the mean at the median. */
  readonly dist?: HeadDist;
  /**
   * Per action, answer with hold-last instead of the net where the net's ADE on the validation blocks is not below
   * hold-last's (head.source). The choice and its validation figures are recorded in lam.json training.validation.
   */
  readonly holdWhereWorse?: boolean;
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
  // Training fits the net's residual on every action (no head.source); the source choice comes after, on validation.
  const head: HeadSpec = base
    ? { kind: base.meta.head.kind, scale: base.meta.head.scale, fallback: base.meta.head.fallback, eps: base.meta.head.eps, ...(base.meta.head.dist ? { dist: base.meta.head.dist } : {}) }
    : { kind: "residual-hold", scale: fitHeadScale(wTrain), fallback, eps: STD_EPS, ...(opts.dist && opts.dist !== "gaussian" ? { dist: opts.dist } : {}) };

  const model = base ? base.model : buildModel(spec, { seed });
  const result = await fit(model, head, wTrain, wVal, { ...opts, seed });

  const arOrder = opts.arOrder ?? DEFAULT_AR_ORDER;
  const ar = fitAr(series, train, (s) => ({ frameChannels: s.channels, actions: spec.actions, rate: spec.rate, horizon: spec.horizon, fallback }), arOrder);
  const partial = { spec, normalisation: { features, actions }, head, baselines: { ar } };
  let validation: ValidationChoice | undefined;
  let finalHead: HeadSpec = base?.meta.head.source ? { ...head, source: base.meta.head.source } : head;
  if (opts.holdWhereWorse) {
    validation = chooseSources(evaluate({ model, meta: { ...partial, version: 1, weightsSha256: "" } }, series, val, {}), spec.actions);
    finalHead = validation.source.every((s) => s === "model") ? head : { ...head, source: validation.source };
  }
  const meta: Omit<LamJson, "weightsSha256" | "version" | "metrics"> = {
    spec,
    normalisation: { features, actions },
    head: finalHead,
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
        ...(opts.dist ? { dist: opts.dist } : {}),
        ...(opts.stopOn ? { stopOn: opts.stopOn } : {}),
        ...(opts.holdWhereWorse ? { holdWhereWorse: true } : {}),
        // Recorded only for the kernel, so a tfjs-trained lam.json stays as it was; the thread count changes nothing.
        ...(opts.trainer === "kernel" ? { trainer: "kernel" } : {}),
        ...(opts.clipNorm !== undefined ? { clipNorm: opts.clipNorm } : {}),
      },
      ...(validation ? { validation } : {}),
      ...(base ? { finetunedFrom: base.meta.weightsSha256 } : {}),
      ...(opts.date ? { date: opts.date } : {}),
    },
  };
  const data = Object.fromEntries(series.map((s) => [s.name, "test_blocks" as const]));
  const metrics = test.length ? evaluate({ model, meta: { ...meta, version: 1, weightsSha256: "" } }, series, test, data) : undefined;
  return { model, meta: metrics ? { ...meta, metrics } : meta, result, blocks };
}

/** Per action, the validation ADE (physical units) of the net and of hold-last, and the source chosen from them. */
export type { ValidationChoice } from "./lam-json.js";

/** The net answers an action only where its validation ADE is below hold-last's (ties go to the simpler hold-last). */
export function chooseSources(r: EvalReport, actions: readonly string[]): ValidationChoice {
  const hold = r.baselines.hold_last;
  if (!hold) throw new Error("validation report has no hold_last baseline");
  const per: Record<string, { model_ade: number; hold_last_ade: number }> = {};
  const source = actions.map((a): HeadSource => {
    const m = r.model.per_channel[a].ade;
    const h = hold.per_channel[a].ade;
    per[a] = { model_ade: m, hold_last_ade: h };
    return m < h ? "model" : "hold_last";
  });
  return { windows: r.windows, per_channel: per, source };
}
