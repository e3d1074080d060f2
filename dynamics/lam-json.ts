// lam.json's contents, apart from the file I/O of dynamics/save.ts (which reads and writes it) and from the training
// run (which fills it): both import this, neither imports the other.
import type * as tf from "@tensorflow/tfjs";
import type { Normalisation } from "../perception/types.js";
import type { ArFit } from "./baselines/ar.js";
import type { Block } from "./dataset.js";
import type { ErrorSummary } from "./metrics.js";
import type { HeadSource, HeadSpec } from "./codec.js";
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
        /** The chosen source's validation ADE ÷ the best baseline's (≤ 1 by construction). */
        readonly ratio?: number;
      }
    >
  >;
  readonly source: HeadSource[];
}

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
