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
 * Per action (trainEnsemble's perAction, lam train --per-action) the members are nets for one action each, reading
 * the features but the other actions: the same merge, with zero input rows for the features a member does not read
 * and each action's head outputs averaged over that action's members only (MemberLayout).
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
  /** Members trained per action (lam train --per-action): each predicts only its `actions`, each action averages its own. */
  readonly perAction?: boolean;
  readonly members: readonly {
    readonly seed: number;
    readonly actions?: readonly string[];
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
export function mergeModels(models: readonly tf.LayersModel[], spec: ModelSpec, scales: readonly (readonly number[])[], common: readonly number[], layout: MemberLayout = {}): tf.LayersModel {
  const K = models.length;
  if (K === 0) throw new Error("an ensemble needs at least one member");
  if (scales.length !== K) throw new Error(`${scales.length} head scales for ${K} members`);
  const own = layout.owners ?? models.map(() => spec.actions.map((_, a) => a));
  const inputs = layout.inputs;
  if (own.length !== K) throw new Error(`${own.length} action owners for ${K} members`);
  // Each merged action averages the members that predict it (all of them, or one action's members when per action).
  const count = spec.actions.map((_, a) => own.filter((o) => o.includes(a)).length);
  count.forEach((c, a) => {
    if (c === 0) throw new Error(`no member predicts action "${spec.actions[a]}"`);
  });
  const U = spec.units;
  const A = spec.actions.length;
  const F = spec.features.length;
  const KU = K * U;
  const merged = buildModel({ ...spec, units: KU }, { init: "zeros" });
  for (let l = 0; l < spec.layers; l++) {
    const inMerged = l === 0 ? F : KU;
    const kernel = new Float32Array(inMerged * 4 * KU);
    const rec = new Float32Array(KU * 4 * KU);
    const bias = new Float32Array(4 * KU);
    models.forEach((m, mi) => {
      const inSize = l > 0 ? U : inputs ? inputs[mi].length : F;
      const w = m.getLayer(layerNames.lstm(l)).getWeights();
      if (w.length !== 3 || w[0].shape[0] !== inSize || w[1].shape[0] !== U || w[2].shape[0] !== 4 * U) {
        throw new Error(`member ${mi} layer "${layerNames.lstm(l)}": weights [${w.map((t) => `[${t.shape.join(", ")}]`).join(", ")}] do not fit spec ${spec.layers}×${U}`);
      }
      const [k, r, b] = w.map(read);
      // The first layer reads the same frames for every member (a member's own features only: zero rows for the
      // others); later layers read their own member's block only.
      const rowOf = (row: number) => (l > 0 ? mi * U + row : inputs ? inputs[mi][row] : row);
      for (let g = 0; g < 4; g++) {
        for (let j = 0; j < U; j++) {
          const src = g * U + j;
          const dst = g * KU + mi * U + j;
          for (let row = 0; row < inSize; row++) kernel[rowOf(row) * 4 * KU + dst] = k[row * 4 * U + src];
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
    const Am = own[mi].length;
    const Om = spec.horizon * Am * 2;
    const w = m.getLayer(layerNames.head).getWeights();
    if (w.length !== 2 || w[0].shape[0] !== U || w[0].shape[1] !== Om) throw new Error(`member ${mi} head: kernel [${w[0]?.shape.join(", ")}], expected [${U}, ${Om}]`);
    const [k, b] = w.map(read);
    // Outputs interleave (mean, spread) per step and action: index (step · A + a) · 2 + {0, 1}; a member's own
    // action j is merged action own[mi][j].
    for (let om = 0; om < Om; om++) {
      const step = Math.floor(om / 2 / Am);
      const j = Math.floor(om / 2) % Am;
      const a = own[mi][j];
      const o = (step * A + a) * 2 + (om % 2);
      const f = om % 2 === 0 ? scales[mi][j] / (count[a] * common[a]) : 1 / count[a];
      for (let row = 0; row < U; row++) hk[(mi * U + row) * O + o] = k[row * Om + om] * f;
      hb[o] += b[om] * f;
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

/** Per member, the merged action index of each of the member's own actions. */
export type Owners = readonly (readonly number[])[];

/** How members map onto the merged model: `owners` their actions, `inputs` their features (merged index of each). */
export interface MemberLayout {
  readonly owners?: Owners;
  readonly inputs?: Owners;
}

/**
 * Members trained per action (trainRun with spec.actions = [a] and their own features, the same drives and options)
 * as one member-like meta over all their actions and features, in order of first appearance: each feature's
 * statistics, and each action's statistics, head scale and fallback, residual baseline and AR coefficients, from the
 * members that have it (which must agree); everything else shared by all (the error names what differs).
 */
function combinePerAction(metas: readonly Member["meta"][]): { first: Member["meta"]; layout: MemberLayout } {
  const a0 = metas[0];
  const actions: string[] = [];
  for (const m of metas) for (const a of m.spec.actions) if (!actions.includes(a)) actions.push(a);
  const features: string[] = [];
  for (const m of metas) for (const f of m.spec.features) if (!features.includes(f)) features.push(f);
  const same = (what: string, x: unknown, y: unknown, i: number) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) throw new Error(`per-action member ${i} (${metas[i].spec.actions.join(",")}): ${what} differs from member 0's; members must share it`);
  };
  // A feature's statistics, wherever members read it (the normalisation is fitted per channel on the same blocks).
  const featureStats = (m: Member["meta"], f: string) => {
    const j = m.normalisation.features.channels.indexOf(f);
    return [m.normalisation.features.mean[j], m.normalisation.features.std[j]];
  };
  metas.forEach((m, i) => {
    const { actions: _x, features: _f, ...spec } = m.spec;
    const { actions: _y, features: _g, ...spec0 } = a0.spec;
    same("spec (but its actions and features)", spec, spec0, i);
    for (const f of m.spec.features) {
      const k = metas.findIndex((o) => o.spec.features.includes(f));
      same(`feature "${f}" statistics`, featureStats(m, f), featureStats(metas[k], f), i);
    }
    same("head.kind/eps/dist", [m.head.kind, m.head.eps, m.head.dist], [a0.head.kind, a0.head.eps, a0.head.dist], i);
    same("training.split", m.training?.split, a0.training?.split, i);
    same("AR order", m.baselines?.ar?.p, a0.baselines?.ar?.p, i);
  });
  const pick = actions.map((a) => {
    const i = metas.findIndex((m) => m.spec.actions.includes(a));
    return { m: metas[i], j: metas[i].spec.actions.indexOf(a) };
  });
  // Members of one action must agree on what does not depend on the seed.
  const perAction = (m: Member["meta"], j: number) => [m.normalisation.actions.mean[j], m.normalisation.actions.std[j], m.head.fallback[j], m.head.residual_over?.[j] ?? "hold_last", m.baselines?.ar?.phi[j], m.head.scale[j]];
  metas.forEach((m, i) =>
    m.spec.actions.forEach((a, j) => {
      const p = pick[actions.indexOf(a)];
      same(`action "${a}" statistics, fallback, residual baseline, AR fit or head scale`, perAction(m, j), perAction(p.m, p.j), i);
    }),
  );
  const over = pick.map(({ m, j }) => m.head.residual_over?.[j] ?? "hold_last");
  const ar = a0.baselines?.ar ? { p: a0.baselines.ar.p, phi: pick.map(({ m, j }) => m.baselines!.ar!.phi[j]) } : undefined;
  const { residual_over: _r, ar: _a, source: _s, ...head0 } = a0.head;
  const head: HeadSpec = {
    ...head0,
    scale: pick.map(({ m, j }) => m.head.scale[j]),
    fallback: pick.map(({ m, j }) => m.head.fallback[j]),
    ...(over.some((o) => o !== "hold_last") ? { residual_over: over, ...(ar ? { ar } : {}) } : {}),
  };
  const fStats = features.map((f) => featureStats(metas[metas.findIndex((o) => o.spec.features.includes(f))], f));
  const first: Member["meta"] = {
    ...a0,
    spec: { ...a0.spec, features, actions },
    normalisation: {
      features: { channels: features, mean: fStats.map((x) => x[0]), std: fStats.map((x) => x[1]) },
      actions: { channels: actions, mean: pick.map(({ m, j }) => m.normalisation.actions.mean[j]), std: pick.map(({ m, j }) => m.normalisation.actions.std[j]) },
    },
    head,
    ...(ar ? { baselines: { ...a0.baselines, ar } } : {}),
  };
  return {
    first,
    layout: { owners: metas.map((m) => m.spec.actions.map((a) => actions.indexOf(a))), inputs: metas.map((m) => m.spec.features.map((f) => features.indexOf(f))) },
  };
}

/**
 * Merges trained members (trainRun results on the same drives, spec and options, different seeds) into one model and
 * makes its lam.json: the source choice on the validation blocks and the test figures redone on the merged model.
 */
export function mergeRuns(series: readonly FrameSeries[], members: readonly TrainRunResult[], opts: Pick<TrainRunOptions, "sources" | "holdWhereWorse" | "choiceMargin"> = {}): Omit<EnsembleRunResult, "members" | "result"> {
  if (members.length === 0) throw new Error("an ensemble needs at least one member");
  const first0 = members[0].meta;
  if (first0.head.prior) throw new Error("an ensemble of models with a head prior is not supported");
  const perAction = members.some((m) => JSON.stringify(m.meta.spec.actions) !== JSON.stringify(first0.spec.actions));
  const { first, layout } = perAction ? combinePerAction(members.map((m) => m.meta)) : { first: first0, layout: {} };
  if (!perAction) for (const m of members.slice(1)) checkShared(first, m.meta, m.meta.training?.seed ?? NaN);
  const spec = first.spec;
  const K = members.length;
  const common = first.head.scale;
  const model = mergeModels(
    members.map((m) => m.model),
    spec,
    members.map((m) => m.meta.head.scale),
    common,
    layout,
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
    ...(perAction ? { perAction: true } : {}),
    members: members.map((m) => ({
      seed: m.meta.training?.seed ?? TRAIN_DEFAULTS.seed,
      ...(perAction ? { actions: m.meta.spec.actions } : {}),
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
export async function trainEnsemble(series: readonly FrameSeries[], spec: ModelSpec, opts: TrainRunOptions, k: number, how: { readonly perAction?: boolean } = {}): Promise<EnsembleRunResult> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`ensemble size k=${k} must be a positive integer`);
  if (opts.finetune) throw new Error("an ensemble trains fresh members; it cannot fine-tune a model (leave out finetune)");
  const seed0 = opts.seed ?? TRAIN_DEFAULTS.seed;
  const members: TrainRunResult[] = [];
  // Per action: k members for each action, each trained on that action alone, so that a hard or
  // noisy action (a driver's pedal) does not pull the shared LSTM away from another one's (README, "Per action").
  // Each action's net reads the vehicle's state and its own past commands, not the other actions' (on one minute
  // of a car log, steering read beside the pedal or the ACC command lost 4-15 %: README, "Per action").
  const groups = how.perAction ? spec.actions.map((a) => ({ ...spec, actions: [a], features: spec.features.filter((f) => f === a || !spec.actions.includes(f)) })) : [spec];
  outer: for (const g of groups) {
    for (let i = 0; i < k; i++) {
      members.push(await trainRun(series, g, { ...opts, seed: seed0 + i }));
      if (opts.signal?.aborted) break outer;
    }
  }
  if (how.perAction && members.length < groups.length * k && opts.signal?.aborted) {
    const missing = spec.actions.filter((a) => !members.some((m) => m.meta.spec.actions.includes(a)));
    if (missing.length) throw new Error(`stopped before any member of action ${missing.map((a) => `"${a}"`).join(", ")} was trained; nothing to save`);
  }
  const merged = mergeRuns(series, members, opts);
  return { ...merged, result: members[0].result, members };
}
