// lam.json's contents and their check, apart from the file I/O of dynamics/save.ts (which reads and writes it) and
// from the training run (which fills it): both import this, neither imports the other.
import type * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../perception/types.js";
import type { ArFit } from "./baselines/ar.js";
import type { Block } from "./dataset.js";
import type { ErrorSummary } from "./metrics.js";
import { checkHead, type HeadSource, type HeadSpec } from "./codec.js";
import type { ModelSpec } from "./spec.js";

/** Per-action source choice on the validation blocks (train-run.ts chooseSources). */
export interface ValidationChoice {
  readonly windows: number;
  readonly per_channel: Readonly<
    Record<
      string,
      {
        readonly model_ade: number;
        readonly hold_last_ade: number;
        readonly linear_ade?: number;
        readonly ar_ade?: number;
        /**
         * The chosen source's validation ADE ÷ the best baseline's there: ≤ 1 where the net answers; where a baseline
         * answers it is baseline_choice's, which can lie a little above the best one on validation alone.
         */
        readonly ratio?: number;
        /** The "significant" rule's paired test against the best baseline (net − baseline per window). */
        readonly paired?: { readonly against: string; readonly mean_diff: number; readonly se: number; readonly t: number; readonly critical: number };
      }
    >
  >;
  readonly source: HeadSource[];
  /** How the net had to beat the best baseline (absent in lam.json written before the rule was recorded: margin 0). */
  readonly rule?: ValidationRule;
  /**
   * The baseline answering an action the net does not win (and a "best" residual's baseline): the lowest ADE on the
   * training and validation blocks together (train-run.ts chooseBaselines). Absent in lam.json written before it:
   * the lowest on validation alone.
   */
  readonly baseline_choice?: BaselineChoice;
}

/** See ValidationChoice.baseline_choice. */
export interface BaselineChoice {
  readonly blocks: "train+val";
  readonly windows: number;
  readonly per_channel: Readonly<Record<string, { readonly hold_last_ade: number; readonly linear_ade?: number; readonly ar_ade?: number; readonly best: Exclude<HeadSource, "model"> }>>;
}

/**
 * The source choice's rule: "margin" — the net's ADE below (1 − margin) × the best baseline's; "significant" — also
 * its paired per-window difference below 0 at `confidence` (one-sided), standard error over chunks of `chunk_frames`.
 */
export type ValidationRule =
  | { readonly kind: "margin"; readonly margin: number }
  | { readonly kind: "significant"; readonly confidence: number; readonly chunk_frames: number; readonly chunks: number };

export const LAM_JSON_VERSION = 1;

export interface TrainingSummary {
  readonly drives: readonly string[];
  /** The time blocks of each drive and their role; eval on a training drive uses only its test blocks. */
  readonly split: readonly Omit<Block, "start" | "end">[];
  readonly windows: { readonly train: number; readonly val: number };
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly loss: readonly number[];
  readonly valLoss: readonly number[];
  readonly stopped: string;
  readonly seed: number;
  readonly options: Readonly<Record<string, number | boolean | string>>;
  /** Fine-tuned from this model (its weightsSha256), if any. */
  readonly finetunedFrom?: string;
  /** ISO date, only when a clock was passed in (keeps training output reproducible otherwise). */
  readonly date?: string;
  /** Per-action source choice on the validation blocks (train-run.ts chooseSources), when one was made. */
  readonly validation?: ValidationChoice;
}

export interface EvalReport {
  readonly model: ErrorSummary;
  readonly baselines: Readonly<Record<string, ErrorSummary>>;
  readonly windows: number;
  readonly ratio_to_best_baseline: number;
  readonly best_baseline: string;
  /** What the windows came from: per drive, "test_blocks" (a training drive) or "whole_drive". */
  readonly data: Readonly<Record<string, "test_blocks" | "whole_drive">>;
  /** Per action: model ADE ÷ the best baseline's on that action, and which baseline that is (null: it is exact). */
  readonly per_channel_ratio?: Readonly<Record<string, { readonly ratio: number | null; readonly best_baseline: string }>>;
  /** The horizon scored (lam eval --horizon), in steps and seconds. */
  readonly horizon?: { readonly steps: number; readonly seconds: number };
  /** σ per action dividing the overall figures: "data_std" = the std over every frame of the evaluated drives. */
  readonly scale?: { readonly source: "data_std"; readonly per_channel: Readonly<Record<string, number>> };
}

export interface LamJson {
  readonly version: number;
  readonly spec: ModelSpec;
  readonly normalisation: { readonly features: Normalisation; readonly actions: Normalisation };
  readonly head: HeadSpec;
  readonly training?: TrainingSummary;
  readonly metrics?: EvalReport;
  /** Classical baselines fitted on the same training blocks, so eval can score them without the training data. */
  readonly baselines?: { readonly ar?: ArFit };
  readonly weightsSha256: string;
}

export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly meta: LamJson;
}

/** A model folder that cannot be used: names the file and what is wrong with it. */
export class ModelLoadError extends Error {
  override readonly name = "ModelLoadError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const isNumbers = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && Number.isFinite(x));

/** Checks lam.json's shape field by field; the error names the key. */
export function checkLamJson(v: unknown, file: string): LamJson {
  const fail = (key: string, what: string) => new ModelLoadError(file, `${key} ${what}`);
  if (typeof v !== "object" || v === null) throw new ModelLoadError(file, "is not a JSON object");
  const o = v as Record<string, unknown>;
  if (o.version !== LAM_JSON_VERSION) throw fail("version", `=${JSON.stringify(o.version)} is not supported (expected ${LAM_JSON_VERSION})`);
  const s = o.spec as Record<string, unknown> | undefined;
  if (!s || typeof s !== "object") throw fail("spec", "is missing");
  if (!isStrings(s.features) || s.features.length === 0) throw fail("spec.features", "must be a non-empty list of channel names");
  if (!isStrings(s.actions) || s.actions.length === 0) throw fail("spec.actions", "must be a non-empty list of channel names");
  for (const k of ["rate", "history", "horizon", "layers", "units"]) {
    if (typeof s[k] !== "number" || !((s[k] as number) > 0)) throw fail(`spec.${k}`, `=${JSON.stringify(s[k])} must be a positive number`);
  }
  const spec = s as unknown as ModelSpec;
  const n = o.normalisation as Record<string, Record<string, unknown>> | undefined;
  for (const [key, names] of [["features", spec.features], ["actions", spec.actions]] as const) {
    const x = n?.[key];
    if (!x || !isStrings(x.channels) || x.channels.join() !== names.join()) throw fail(`normalisation.${key}.channels`, `must equal spec.${key} (${names.join(", ")})`);
    if (!isNumbers(x.mean, names.length)) throw fail(`normalisation.${key}.mean`, `must be ${names.length} finite numbers`);
    if (!isNumbers(x.std, names.length) || (x.std as number[]).some((d) => !(d > 0))) throw fail(`normalisation.${key}.std`, `must be ${names.length} positive numbers`);
  }
  const h = o.head as Record<string, unknown> | undefined;
  if (!h || h.kind !== "residual-hold") throw fail("head.kind", `=${JSON.stringify(h?.kind)} is not a known head (residual-hold)`);
  if (!isNumbers(h.scale, spec.actions.length) || (h.scale as number[]).some((d) => !(d > 0))) throw fail("head.scale", `must be ${spec.actions.length} positive numbers`);
  if (!isNumbers(h.fallback, spec.actions.length)) throw fail("head.fallback", `must be ${spec.actions.length} finite numbers`);
  if (typeof h.eps !== "number" || !(h.eps > 0)) throw fail("head.eps", "must be a positive number");
  try {
    checkHead(h as unknown as HeadSpec, spec.actions.length);
  } catch (e) {
    throw new ModelLoadError(file, (e as Error).message);
  }
  if (typeof o.weightsSha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.weightsSha256)) throw fail("weightsSha256", "must be 64 hex digits");
  return v as LamJson;
}
