// What a training run takes and gives, apart from the trainers (train.ts and train-kernel/ both use these).

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Learning rate is multiplied by this after every epoch. */
  readonly lrDecay?: number;
  /** L2 weight decay on kernels (added to the loss as l2 · Σw²). */
  readonly l2?: number;
  /** Stop after this many epochs without a better validation loss. */
  readonly patience?: number;
  readonly seed?: number;
  /** Std of Gaussian noise added to the (normalised, unpadded) inputs of each training batch; 0 = none. */
  readonly inputNoise?: number;
  /**
   * What early stopping and the kept weights follow on the validation windows: "loss" (the NLL, default) or "ade"
   * (the mean absolute error of the predicted mean, in head-scale units; steadier than an NLL whose spread can
   * collapse on a few windows).
   */
  readonly stopOn?: "loss" | "ade";
  /** Fine-tuning: keep the LSTM layers' weights fixed, train the head only. */
  readonly freezeEncoder?: boolean;
  /** Aborting stops after the current batch; the best weights so far are kept. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Milliseconds on some monotonic clock, for the ETA only. */
  readonly now?: () => number;
  /**
   * Which implementation trains: "tfjs" (layers + optimizer on the active tfjs backend; the path for GPU backends)
   * or "kernel" (train-kernel/: own batched LSTM forward/BPTT in WebAssembly SIMD, Adam with tfjs's constants).
   * Default "tfjs"; `lam train` picks by backend (trainerFor).
   */
  readonly trainer?: Trainer;
  /** Kernel trainer: worker threads computing the batch's fixed shards (results identical for any count). */
  readonly threads?: number;
  /** Kernel trainer: clip the gradient's global L2 norm to this (default: no clipping, as the tfjs path). */
  readonly clipNorm?: number;
}

export type Trainer = "kernel" | "tfjs";

export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean training loss so far in this epoch. */
  readonly loss: number;
  /** Validation loss of the last finished epoch (null before the first). */
  readonly valLoss: number | null;
  readonly etaS: number | null;
}

export interface TrainResult {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  readonly loss: number[];
  /** Per epoch, the validation score early stopping follows (the NLL, or the ADE with stopOn "ade"). */
  readonly valLoss: number[];
  readonly stopped: "epochs" | "early" | "aborted";
}
