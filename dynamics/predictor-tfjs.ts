/*
 * The reference Predictor: each tick, tfjs `model.predict` on the window of the last windowLength(n, H) frames,
 * front-padded to H with PAD_VALUE rows (the training convention, model.ts). Slow — a full forward pass over H
 * steps per tick — but it is the definition the fast kernel is checked against, and the bench's tfjs figure.
 */
import * as tf from "@tensorflow/tfjs";
import type { Frame, Normalisation } from "../perception/types.js";
import type { ActionSequence, Predictor } from "./types.js";
import type { ModelSpec } from "./spec.js";
import { PAD_VALUE, channelIndex, decodeHead, encodeFrame, headContext, holdActions, type HeadSpec } from "./codec.js";
import { windowLength } from "./predictor-schedule.js";
import type { PredictorModel, PredictorOptions } from "./predictor.js";
import { headPrior, type HeadPrior } from "./prior/head.js";
import { needsSourceTrack, SourceTrack } from "./baselines/head-source.js";

export class TfjsWindowPredictor implements Predictor {
  readonly name: string;
  private readonly spec: ModelSpec;
  private readonly norm: Normalisation;
  private readonly head: HeadSpec;
  private readonly model: tf.LayersModel;
  private readonly featureIdx: Int32Array;
  private readonly actionIdx: Int32Array;
  private readonly frameWidth: number;
  /** The last H encoded frames, a ring of [H × F]. */
  private readonly ring: Float32Array;
  /** The padded [H × F] window handed to tfjs. */
  private readonly window: Float32Array;
  private readonly last: Float32Array<ArrayBuffer>;
  /** The last observed raw action values (NaN: none since reset); apart from `last`, which a head prior overwrites. */
  private readonly held: Float64Array;
  private n = 0;
  private readonly prior: HeadPrior | undefined;
  private readonly sources: SourceTrack | undefined;
  private readonly base: Float32Array;

  constructor(m: PredictorModel, opts: PredictorOptions) {
    this.name = opts.name ?? "lstm-tfjs";
    this.spec = m.spec;
    this.norm = m.featureNorm;
    this.head = m.head;
    this.model = m.model;
    this.featureIdx = channelIndex(opts.frameChannels, m.spec.features);
    this.actionIdx = channelIndex(opts.frameChannels, m.spec.actions);
    this.frameWidth = opts.frameChannels.length;
    const H = m.spec.history;
    const F = m.spec.features.length;
    this.ring = new Float32Array(H * F);
    this.window = new Float32Array(H * F);
    this.last = new Float32Array(m.spec.actions.length);
    this.held = new Float64Array(m.spec.actions.length).fill(NaN);
    this.prior = m.head.prior ? headPrior(m.head.prior, opts.frameChannels, m.spec.actions) : undefined;
    this.sources = needsSourceTrack(m.head) ? new SourceTrack(opts.frameChannels, m.spec.actions, m.spec.rate, m.spec.horizon, m.head) : undefined;
    this.base = new Float32Array(m.spec.horizon * m.spec.actions.length);
  }

  reset(): void {
    this.n = 0;
    this.held.fill(NaN);
    this.sources?.reset();
  }

  step(frame: Frame): ActionSequence {
    if (frame.values.length !== this.frameWidth || frame.valid.length !== this.frameWidth) {
      throw new Error(`frame t=${frame.t}: ${frame.values.length} values / ${frame.valid.length} flags, the frame spec has ${this.frameWidth} channels`);
    }
    const H = this.spec.history;
    const F = this.spec.features.length;
    const n = this.n++;
    encodeFrame(frame, this.featureIdx, this.norm, this.ring, (n % H) * F);
    const L = windowLength(n, H);
    this.window.fill(PAD_VALUE, 0, (H - L) * F);
    for (let i = 0; i < L; i++) {
      const src = ((n - L + 1 + i) % H) * F;
      this.window.set(this.ring.subarray(src, src + F), (H - L + i) * F);
    }
    const raw = tf.tidy(() => (this.model.predict(tf.tensor3d(this.window, [1, H, F])) as tf.Tensor).dataSync());
    holdActions(frame, this.actionIdx, this.held);
    headContext(frame, this.actionIdx, this.head, this.last, this.prior, this.held);
    const base = this.sources?.step(frame, this.base);
    const d = decodeHead(raw, this.last, this.head, this.spec.horizon, undefined, base);
    const dt = 1 / this.spec.rate;
    return { t0: frame.t + dt, dt, channels: this.spec.actions, mean: d.mean, std: d.std, model: this.name };
  }
}
