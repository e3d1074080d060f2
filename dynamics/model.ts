/*
 * The LSTM action model's tfjs graph: layers and their initialisers. The window convention, frame encoding and head
 * decoding the graph is trained and run with are the codec's (codec.ts, tfjs-free; read its header first).
 */
import * as tf from "@tensorflow/tfjs";
import { checkSpec, PAD_VALUE } from "./codec.js";
import type { ModelSpec } from "./spec.js";

// The codec's names, for callers that build a graph and encode windows alike; tfjs-free code imports codec.js.
export * from "./codec.js";

/** The options that shape the initial weights and their regularisation (not part of the inference graph). */
export interface BuildOptions {
  /** Seed for the weight initialisers; same seed → same initial weights. */
  readonly seed?: number;
  /** L2 weight decay on kernels (0 = none). Applied by train.ts, recorded here for the layer config. */
  readonly l2?: number;
  /**
   * "zeros": every weight starts at zero, for a graph whose weights are set at once (an ensemble's merge). The
   * orthogonal recurrent initialiser runs a QR of units × 4·units in tfjs: 4 s at 80 units, 40 s at 160 (an ensemble
   * of 5 × 32) on the cpu backend, against 2 ms for zeros.
   */
  readonly init?: "random" | "zeros";
}

export const layerNames = {
  mask: "mask",
  lstm: (i: number) => `lstm_${i}`,
  head: "head",
} as const;

/** Builds the untrained model for a spec. Deterministic for a given seed. */
export function buildModel(spec: ModelSpec, opts: BuildOptions = {}): tf.LayersModel {
  checkSpec(spec);
  const seed = opts.seed ?? 1;
  const zeros = opts.init === "zeros";
  const F = spec.features.length;
  const A = spec.actions.length;
  const input = tf.input({ shape: [null, F], name: "frames" });
  let x = tf.layers.masking({ maskValue: PAD_VALUE, name: layerNames.mask }).apply(input) as tf.SymbolicTensor;
  for (let i = 0; i < spec.layers; i++) {
    x = tf.layers
      .lstm({
        name: layerNames.lstm(i),
        units: spec.units,
        activation: "tanh",
        recurrentActivation: "sigmoid",
        unitForgetBias: true,
        returnSequences: i < spec.layers - 1,
        kernelInitializer: zeros ? "zeros" : tf.initializers.glorotUniform({ seed: seed * 101 + i * 7 + 1 }),
        recurrentInitializer: zeros ? "zeros" : tf.initializers.orthogonal({ seed: seed * 101 + i * 7 + 2 }),
      })
      .apply(x) as tf.SymbolicTensor;
  }
  // Small initial head: the untrained model starts close to hold-last with unit spread.
  const out = tf.layers
    .dense({
      name: layerNames.head,
      units: spec.horizon * A * 2,
      activation: "linear",
      kernelInitializer: zeros ? "zeros" : tf.initializers.randomUniform({ minval: -0.01, maxval: 0.01, seed: seed * 101 + 99 }),
      biasInitializer: "zeros",
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "lam_lstm" });
}

/** The LSTM layers (the encoder), for freezing while fine-tuning and for exporting weights to a kernel. */
export function lstmLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.getClassName() === "LSTM");
}
