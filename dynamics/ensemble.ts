/*
 * A seed ensemble that ships as one ordinary model. K members trained by trainRun with seeds s..s+K−1 on the same
 * drives share everything that does not depend on the seed (split, normalisation, AR fit, residual baseline, head
 * fallback); only their weights differ. Their average is exactly one LSTM of K·units:
 * - every LSTM layer's input kernel holds the members' columns side by side within each gate (Keras gate order
 *   i, f, c, o: column g·K·U + m·U + j is member m's unit j of gate g), the recurrent kernel and every further
 *   layer's input kernel are block-diagonal (zeros between members), so each member's state evolves untouched;
 * - the head Dense reads the concatenated hidden state: a mean output is Σ_m raw0_m · scale_m / (K · S), so that
 *   decodeHead's `base + raw0 · S` is the members' average mean (each member's head scale folded into its weights:
 *   exact even where the members' scales differ); a spread output is the average of the members' pre-activations.
 * The spread is therefore softplus(mean of the members' raw1) (+ eps) · S: a geometric-mean-like average of their
 * spreads, never wider than the widest member, and it does NOT include the members' disagreement about the mean.
 * After the merge the per-action source choice and the test figures are made again on the merged model, as trainRun
 * makes them, so lam.json's head.source, training.validation and metrics describe what ships.
 */
import * as tf from "@tensorflow/tfjs";
import { buildModel, layerNames, type HeadSpec } from "./model.js";
import { evaluate } from "./evaluate.js";
import { scoreBaselines } from "./baseline-scores.js";
import { chooseBaselines, chooseOnValidation, trainRun, type TrainRunOptions, type TrainRunResult } from "./train-run.js";
import { TRAIN_DEFAULTS } from "./train.js";
import type { FrameSeries } from "./dataset.js";
import type { LamJson, TrainingSummary, ValidationChoice } from "./lam-json.js";
import type { ModelSpec } from "./spec.js";

/** lam.json training.ensemble: which members the model averages, and each member's own figures. */
export interface EnsembleSummary {
  readonly k: number;
  readonly seeds: readonly number[];
  /** Units of one member (spec.units is k × this). */
  readonly memberUnits: number;
  /** How the spread outputs were combined. */
  readonly spread: "mean-preactivation";
  readonly members: readonly {
    readonly seed: number;
    readonly epochs: number;
    readonly bestEpoch: number;
    readonly stopped: string;
    /** The member's held-out ratio to the best baseline (its own source choice), when there were test blocks. */
    readonly ratio_to_best_baseline?: number;
    readonly per_channel_ratio?: Readonly<Record<string, number | null>>;
  }[];
}

export type EnsembleTrainingSummary = TrainingSummary & { readonly ensemble: EnsembleSummary };

export type EnsembleMeta = Omit<LamJson, "weightsSha256" | "version" | "training"> & { readonly training: EnsembleTrainingSummary };

export interface EnsembleRunResult extends Omit<TrainRunResult, "meta"> {
  readonly meta: EnsembleMeta;
  /** The members as trainRun returned them (their models are the caller's to dispose). */
  readonly members: readonly TrainRunResult[];
}

type Member = Pick<TrainRunResult, "model" | "meta">;

/** Copies a variable's values (getWeights hands out the variables themselves: never dispose them). */
function read(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/**
 * Merges the LSTM stack and head of K models built by buildModel for `spec` (same spec, any seeds) into one model
 * for spec with K·units whose raw head output is the members' average as described in the header: means through
 * `scales[m]` (member m's head.scale) onto the common scale `common`, spreads averaged as pre-activations.
 */
export function mergeModels(models: readonly tf.LayersModel[], spec: ModelSpec, scales: readonly (readonly number[])[], common: readonly number[]): tf.LayersModel {
  const K = models.length;
  if (K === 0) throw new Error("an ensemble needs at least one member");
  if (scales.length !== K) throw new Error(`${scales.length} head scales for ${K} members`);
  const U = spec.units;
  const A = spec.actions.length;
  const F = spec.features.length;
  const KU = K * U;
  const merged = buildModel({ ...spec, units: KU }, { init: "zeros" });
  for (let l = 0; l < spec.layers; l++) {
    const inSize = l === 0 ? F : U;
    const inMerged = l === 0 ? F : KU;
    const kernel = new Float32Array(inMerged * 4 * KU);
    const rec = new Float32Array(KU * 4 * KU);
    const bias = new Float32Array(4 * KU);
    models.forEach((m, mi) => {
      const w = m.getLayer(layerNames.lstm(l)).getWeights();
      if (w.length !== 3 || w[0].shape[0] !== inSize || w[1].shape[0] !== U || w[2].shape[0] !== 4 * U) {
        throw new Error(`member ${mi} layer "${layerNames.lstm(l)}": weights [${w.map((t) => `[${t.shape.join(", ")}]`).join(", ")}] do not fit spec ${spec.layers}×${U}`);
      }
      const [k, r, b] = w.map(read);
      // The first layer reads the same frames for every member; later layers read their own member's block only.
      const rowOff = l === 0 ? 0 : mi * U;
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < U; j++) {
          const src = g * U + j;
          const dst = g * KU + mi * U + j;
          for (let row = 0; row < inSize; row++) kernel[(rowOff + row) * 4 * KU + dst] = k[row * 4 * U + src];
          for (let row = 0; row < U; row++) rec[(mi * U + row) * 4 * KU + dst] = r[row * 4 * U + src];
          bias[dst] = b[src];
        }
      }
    });
    setWeights(merged, layerNames.lstm(l), [tf.tensor2d(kernel, [inMerged, 4 * KU]), tf.tensor2d(rec, [KU, 4 * KU]), tf.tensor1d(bias)]);
  }
  const O = spec.horizon * A * 2;
  const hk = new Float32Array(KU * O);
  const hb = new Float32Array(O);
  models.forEach((m, mi) => {
    const w = m.getLayer(layerNames.head).getWeights();
    if (w.length !== 2 || w[0].shape[0] !== U || w[0].shape[1] !== O) throw new Error(`member ${mi} head: kernel [${w[0]?.shape.join(", ")}], expected [${U}, ${O}]`);
    const [k, b] = w.map(read);
    // Outputs interleave (mean, spread) per step and action: index (step · A + a) · 2 + {0, 1}.
    for (let o = 0; o < O; o++) {
      const a = Math.floor(o / 2) % A;
      const f = o % 2 === 0 ? scales[mi][a] / (K * common[a]) : 1 / K;
      for (let row = 0; row < U; row++) hk[(mi * U + row) * O + o] = k[row * O + o] * f;
      hb[o] += b[o] * f;
    }
  });
  setWeights(merged, layerNames.head, [tf.tensor2d(hk, [KU, O]), tf.tensor1d(hb)]);
  return merged;
}

function setWeights(model: tf.LayersModel, layer: string, ts: tf.Tensor[]): void {
  model.getLayer(layer).setWeights(ts);
  tf.dispose(ts);
}

/** Where two members differ in what must not depend on the seed; the error names the field. */
function checkShared(a: Member["meta"], b: Member["meta"], seed: number): void {
  const same = (what: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) throw new Error(`ensemble member seed ${seed}: ${what} differs from the first member's; members must share it`);
  };
  same("spec", a.spec, b.spec);
  same("normalisation", a.normalisation, b.normalisation);
  same("baselines (AR fit)", a.baselines, b.baselines);
  same("head.residual_over", a.head.residual_over, b.head.residual_over);
  same("head.fallback", a.head.fallback, b.head.fallback);
  same("head.kind/eps/dist/prior", [a.head.kind, a.head.eps, a.head.dist, a.head.prior], [b.head.kind, b.head.eps, b.head.dist, b.head.prior]);
  same("training.split", a.training?.split, b.training?.split);
}

/** The head the members were trained with: head.source (and the AR copy only a source needed) taken off. */
function trainedHead(h: HeadSpec): HeadSpec {
  const { source: _s, ar, ...rest } = h;
  const overAr = h.residual_over?.some((o) => o !== "hold_last");
  return overAr && ar ? { ...rest, ar } : rest;
}

/**
 * Merges trained members (trainRun results on the same drives, spec and options, different seeds) into one model and
 * makes its lam.json: the source choice on the validation blocks and the test figures redone on the merged model.
 */
export function mergeRuns(series: readonly FrameSeries[], members: readonly TrainRunResult[], opts: Pick<TrainRunOptions, "sources" | "holdWhereWorse" | "choiceMargin"> = {}): Omit<EnsembleRunResult, "members" | "result"> {
  if (members.length === 0) throw new Error("an ensemble needs at least one member");
  const first = members[0].meta;
  for (const m of members.slice(1)) checkShared(first, m.meta, m.meta.training?.seed ?? NaN);
  if (first.head.prior) throw new Error("an ensemble of models with a head prior is not supported");
  const spec = first.spec;
  const K = members.length;
  const common = first.head.scale;
  const model = mergeModels(
    members.map((m) => m.model),
    spec,
    members.map((m) => m.meta.head.scale),
    common,
  );
  const mergedSpec: ModelSpec = { ...spec, units: K * spec.units };
  const head: HeadSpec = { ...trainedHead(first.head), scale: common };
  const blocks = members[0].blocks;
  const val = blocks.filter((b) => b.role === "val");
  const test = blocks.filter((b) => b.role === "test");
  const { features, actions } = first.normalisation;
  const ar = first.baselines?.ar;
  const partial = { spec: mergedSpec, normalisation: { features, actions }, head, ...(first.baselines ? { baselines: first.baselines } : {}) };

  // As trainRun: per action the net or the baseline of lowest validation ADE, now for the merged net.
  const choose = opts.holdWhereWorse || (opts.sources ?? "best") === "best";
  let validation: ValidationChoice | undefined;
  let finalHead = head;
  if (choose) {
    const baselineMeta = { spec, normalisation: { features }, head: { fallback: head.fallback }, baselines: { ar } };
    const valBaselines = scoreBaselines(baselineMeta, series, val, { keepMeans: true });
    const train = blocks.filter((b) => b.role === "train");
    validation = chooseOnValidation({ model, meta: { ...partial, version: 1, weightsSha256: "" } }, series, val, valBaselines, opts.choiceMargin, chooseBaselines(baselineMeta, series, train, val));
    finalHead = validation.source.every((s) => s === "model")
      ? head
      : { ...head, source: validation.source, ...(validation.source.includes("ar") && ar ? { ar } : {}) };
  }
  const training = first.training;
  if (!training) throw new Error("ensemble member has no training summary");
  const ensemble: EnsembleSummary = {
    k: K,
    seeds: members.map((m) => m.meta.training?.seed ?? TRAIN_DEFAULTS.seed),
    memberUnits: spec.units,
    spread: "mean-preactivation",
    members: members.map((m) => ({
      seed: m.meta.training?.seed ?? TRAIN_DEFAULTS.seed,
      epochs: m.result.epochs,
      bestEpoch: m.result.bestEpoch,
      stopped: m.result.stopped,
      ...(m.meta.metrics
        ? {
            ratio_to_best_baseline: m.meta.metrics.ratio_to_best_baseline,
            per_channel_ratio: Object.fromEntries(Object.entries(m.meta.metrics.per_channel_ratio ?? {}).map(([a, r]) => [a, r.ratio])),
          }
        : {}),
    })),
  };
  // The top-level loss curves, epochs and seed stay the first member's; each member's are in training.ensemble.
  const { validation: _v, ...rest } = training;
  const meta: EnsembleMeta = {
    spec: mergedSpec,
    normalisation: first.normalisation,
    head: finalHead,
    ...(first.baselines ? { baselines: first.baselines } : {}),
    training: { ...rest, ...(validation ? { validation } : {}), ensemble },
  };
  const data = Object.fromEntries(series.map((s) => [s.name, "test_blocks" as const]));
  const metrics = test.length ? evaluate({ model, meta: { ...meta, version: 1, weightsSha256: "" } }, series, test, data) : undefined;
  return { model, meta: metrics ? { ...meta, metrics } : meta, blocks };
}

/**
 * Trains `k` members with seeds opts.seed .. opts.seed + k − 1 (trainRun each, same drives and options) and merges
 * them (mergeRuns). An abort (opts.signal) stops after the member in training, which keeps its best weights; the
 * members done so far are merged. Fine-tuning is refused: the members would share one base and one encoder.
 */
export async function trainEnsemble(series: readonly FrameSeries[], spec: ModelSpec, opts: TrainRunOptions, k: number): Promise<EnsembleRunResult> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`ensemble size k=${k} must be a positive integer`);
  if (opts.finetune) throw new Error("an ensemble trains fresh members; it cannot fine-tune a model (leave out finetune)");
  const seed0 = opts.seed ?? TRAIN_DEFAULTS.seed;
  const members: TrainRunResult[] = [];
  for (let i = 0; i < k; i++) {
    members.push(await trainRun(series, spec, { ...opts, seed: seed0 + i }));
    if (opts.signal?.aborted) break;
  }
  const merged = mergeRuns(series, members, opts);
  return { ...merged, result: members[0].result, members };
}
