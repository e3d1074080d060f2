/*
 * The real-time LSTM Predictor: the fused-gate kernel (kernel-simd.ts, or kernel.ts in plain JS) on two staggered streams per agent
 * (predictor-schedule.ts), so a tick costs two LSTM steps and one head evaluation whatever the history length, and
 * the answer equals tfjs `predict` on the window of the last windowLength(n, H) frames. Frames are encoded and the
 * head decoded by the model's own codec (codec.ts), never re-implemented here.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Frame, Normalisation } from "../perception/types.js";
import type { ActionSequence, Predictor } from "./types.js";
import type { ModelSpec } from "./spec.js";
import { channelIndex, decodeHead, encodeFrame, headContext, holdActions, type Decoded, type HeadSpec } from "./codec.js";
import { kernelWeightsFromModel, type KernelWeights } from "./kernel-weights.js";
import type { LstmKernel } from "./kernel.js";
import { createLstmKernel, type KernelKind } from "./kernel-choice.js";
import { answeringStream, streamResets } from "./predictor-schedule.js";
import type { LoadedModel } from "./save.js";
import { headPrior, type HeadPrior } from "./prior/head.js";
import { needsSourceTrack, SourceTrack } from "./baselines/head-source.js";

/** What a predictor needs of a trained model: the tfjs model, its spec, feature statistics and head decoding. */
export interface PredictorModel {
  readonly model: tf.LayersModel;
  readonly spec: ModelSpec;
  /** Normalisation of spec.features (lam.json normalisation.features). */
  readonly featureNorm: Normalisation;
  readonly head: HeadSpec;
}

export interface PredictorOptions {
  /** The frames' channel order (FrameSpec channel names); features and actions are looked up in it. */
  readonly frameChannels: readonly string[];
  /** ActionSequence.model; default "lstm". */
  readonly name?: string;
  /**
   * Return the same mean/std buffers every tick (overwritten by the next step) instead of fresh ones: no allocation
   * per tick beyond the small ActionSequence object. Only for consumers that use a prediction before the next step.
   */
  readonly reuseOutput?: boolean;
  /** Weights already read from the model (several predictors can share one copy). */
  readonly weights?: KernelWeights;
  /** "simd" (WebAssembly SIMD gate matmul, the default where available) or "js". */
  readonly kernel?: KernelKind;
}

/** A loaded model folder (loadModel) as a predictor's input. */
export function predictorModel(loaded: LoadedModel): PredictorModel {
  return { model: loaded.model, spec: loaded.meta.spec, featureNorm: loaded.meta.normalisation.features, head: loaded.meta.head };
}

/** Checks the statistics describe the spec's features, in order. */
function checkNorm(spec: ModelSpec, norm: Normalisation): void {
  const F = spec.features.length;
  if (norm.channels.length !== F || norm.mean.length !== F || norm.std.length !== F || norm.channels.some((c, i) => c !== spec.features[i])) {
    throw new Error(`feature normalisation is for [${norm.channels.join(", ")}], the model reads [${spec.features.join(", ")}]`);
  }
}

/**
 * N agents stepped together: one batched kernel call per tick for all agents' streams (2N state slots). What batching
 * saves is per-call overhead and weight traffic; the SIMD kernel is compute-bound, so the gain depends on the model
 * (`lam bench`: ≈1.5× less time per agent at 64 agents for the 1×32 default model, ≈1× for a 2×64 model). Agents keep
 * their own tick counters and can be reset one by one.
 */
export class BatchPredictor {
  readonly name: string;
  readonly agents: number;
  readonly weights: KernelWeights;
  private readonly stack: LstmKernel;
  private readonly spec: ModelSpec;
  private readonly norm: Normalisation;
  private readonly head: HeadSpec;
  private readonly featureIdx: Int32Array;
  private readonly actionIdx: Int32Array;
  private readonly frameWidth: number;
  private readonly ticks: Float64Array;
  private readonly latest: (Frame | undefined)[];
  private readonly x: Float32Array;
  private readonly raw: Float32Array;
  private readonly last: Float32Array<ArrayBuffer>;
  /**
   * Per agent, the last observed raw action values (NaN: none since its reset), views of one buffer made once. Kept
   * apart from `last`, which a head prior overwrites with its action.
   */
  private readonly held: Float64Array[];
  private readonly out: Decoded[] | null;
  private readonly dt: number;
  private readonly prior: HeadPrior | undefined;
  /** Per agent, the linear/AR baseline answering actions whose head.source is one (null: none is). */
  private readonly sources: SourceTrack[] | null;
  private readonly base: Float32Array[];

  constructor(m: PredictorModel, agents: number, opts: PredictorOptions) {
    if (!Number.isInteger(agents) || agents < 1) throw new Error(`BatchPredictor: agents=${agents}, expected an integer >= 1`);
    checkNorm(m.spec, m.featureNorm);
    this.name = opts.name ?? "lstm";
    this.agents = agents;
    this.spec = m.spec;
    this.norm = m.featureNorm;
    this.head = m.head;
    this.weights = opts.weights ?? kernelWeightsFromModel(m.model);
    const F = m.spec.features.length;
    const A = m.spec.actions.length;
    if (this.weights.features !== F) throw new Error(`model reads ${this.weights.features} features, spec lists ${F}`);
    if (this.weights.head.outputs !== m.spec.horizon * A * 2) {
      throw new Error(`head has ${this.weights.head.outputs} outputs, spec needs horizon ${m.spec.horizon} × ${A} actions × 2`);
    }
    this.featureIdx = channelIndex(opts.frameChannels, m.spec.features);
    this.actionIdx = channelIndex(opts.frameChannels, m.spec.actions);
    this.frameWidth = opts.frameChannels.length;
    this.stack = createLstmKernel(this.weights, 2 * agents, opts.kernel);
    this.ticks = new Float64Array(agents);
    this.latest = new Array<Frame | undefined>(agents).fill(undefined);
    this.x = new Float32Array(agents * F);
    this.raw = new Float32Array(this.weights.head.outputs);
    this.last = new Float32Array(A);
    const heldAll = new Float64Array(agents * A).fill(NaN);
    this.held = Array.from({ length: agents }, (_, i) => heldAll.subarray(i * A, (i + 1) * A));
    const hA = m.spec.horizon * A;
    this.out = opts.reuseOutput ? Array.from({ length: agents }, () => ({ mean: new Float32Array(hA), std: new Float32Array(hA) })) : null;
    this.dt = 1 / m.spec.rate;
    this.prior = m.head.prior ? headPrior(m.head.prior, opts.frameChannels, m.spec.actions) : undefined;
    const src = needsSourceTrack(m.head);
    this.sources = src ? Array.from({ length: agents }, () => new SourceTrack(opts.frameChannels, m.spec.actions, m.spec.rate, m.spec.horizon, m.head)) : null;
    this.base = src ? Array.from({ length: agents }, () => new Float32Array(hA)) : [];
  }

  /** Forget agent i's history: both of its streams restart from zero state. */
  resetAgent(i: number): void {
    if (!(i >= 0 && i < this.agents)) throw new Error(`agent ${i} out of range [0, ${this.agents})`);
    this.ticks[i] = 0;
    this.latest[i] = undefined;
    this.held[i].fill(NaN);
    this.stack.resetSlot(2 * i);
    this.stack.resetSlot(2 * i + 1);
    this.sources?.[i].reset();
  }

  reset(): void {
    this.ticks.fill(0);
    this.latest.fill(undefined);
    for (const h of this.held) h.fill(NaN);
    this.stack.resetAll();
    if (this.sources) for (const t of this.sources) t.reset();
  }

  /** One tick for every agent: frames[i] is agent i's newest frame. Returns each agent's prediction. */
  step(frames: readonly Frame[]): ActionSequence[] {
    this.advance(frames);
    const res = new Array<ActionSequence>(this.agents);
    for (let i = 0; i < this.agents; i++) res[i] = this.predict(i);
    return res;
  }

  /** Feeds one tick to every agent's streams without decoding; follow with `predict(i)` for the agents you need. */
  advance(frames: readonly Frame[]): void {
    const N = this.agents;
    if (frames.length !== N) throw new Error(`BatchPredictor: ${frames.length} frames for ${N} agents`);
    const H = this.spec.history;
    const F = this.spec.features.length;
    for (let i = 0; i < N; i++) {
      const fr = frames[i];
      if (fr.values.length !== this.frameWidth || fr.valid.length !== this.frameWidth) {
        throw new Error(`agent ${i} frame t=${fr.t}: ${fr.values.length} values / ${fr.valid.length} flags, the frame spec has ${this.frameWidth} channels`);
      }
      const resets = streamResets(this.ticks[i], H);
      if (resets & 1) this.stack.resetSlot(2 * i);
      if (resets & 2) this.stack.resetSlot(2 * i + 1);
      encodeFrame(fr, this.featureIdx, this.norm, this.x, i * F);
      this.latest[i] = fr;
      holdActions(fr, this.actionIdx, this.held[i]);
      this.sources?.[i].step(fr, this.base[i]);
    }
    this.stack.step(this.x, 2);
    for (let i = 0; i < N; i++) this.ticks[i]++;
  }

  /** Agent i's prediction after the last `advance`: the head on its longer stream, decoded by the model's decodeHead. */
  predict(i: number): ActionSequence {
    const frame = this.latest[i];
    if (!frame) throw new Error(`agent ${i} has no frame yet`);
    this.stack.head(2 * i + answeringStream(this.ticks[i] - 1, this.spec.history), this.raw);
    headContext(frame, this.actionIdx, this.head, this.last, this.prior, this.held[i]);
    const d = decodeHead(this.raw, this.last, this.head, this.spec.horizon, this.out ? this.out[i] : undefined, this.sources ? this.base[i] : undefined);
    return { t0: frame.t + this.dt, dt: this.dt, channels: this.spec.actions, mean: d.mean, std: d.std, model: this.name };
  }
}

/** One agent: the real-time Predictor. */
export class FastPredictor implements Predictor {
  readonly name: string;
  private readonly batch: BatchPredictor;
  private readonly one: Frame[] = [];

  constructor(m: PredictorModel, opts: PredictorOptions) {
    this.batch = new BatchPredictor(m, 1, opts);
    this.name = this.batch.name;
  }

  reset(): void {
    this.batch.reset();
  }

  step(frame: Frame): ActionSequence {
    this.one[0] = frame;
    this.batch.advance(this.one);
    return this.batch.predict(0);
  }
}
