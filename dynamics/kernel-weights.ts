/*
 * The fast kernel's weight layout, read once from a tfjs LayersModel built by `buildModel`.
 * Keras stores an LSTM as kernel [in, 4U], recurrent kernel [U, 4U], bias [4U]. The kernel fuses the two matrices
 * into one gate matrix with row j = [kernel[:, j]; recurrent[:, j]] so that one dot product over the concatenated
 * [input; h] vector gives gate pre-activation j, and a row's weights are contiguous for the inner loop.
 */
import type * as tf from "@tensorflow/tfjs";

export interface LstmLayerWeights {
  readonly inputSize: number;
  readonly units: number;
  /** [4U × (inputSize + U)], row-major; gate order (i, f, c, o) as in Keras. */
  readonly gates: Float32Array;
  /** [4U] */
  readonly bias: Float32Array;
}

export interface DenseWeights {
  readonly inputSize: number;
  readonly outputs: number;
  /** [outputs × inputSize], row-major (the transpose of the Keras kernel). */
  readonly w: Float32Array;
  readonly bias: Float32Array;
}

export interface KernelWeights {
  readonly features: number;
  readonly layers: readonly LstmLayerWeights[];
  readonly head: DenseWeights;
}

function values(t: tf.Tensor, what: string, shape: readonly number[]): Float32Array {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${what}: shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  // getWeights() hands out the variables themselves: copy, never dispose.
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** Fuses Keras LSTM weights (kernel [in,4U], recurrent [U,4U], bias [4U]) into the kernel's gate rows. */
export function fuseLstm(kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, inputSize: number, units: number): LstmLayerWeights {
  const G = 4 * units;
  const K = inputSize + units;
  const gates = new Float32Array(G * K);
  for (let j = 0; j < G; j++) {
    for (let k = 0; k < inputSize; k++) gates[j * K + k] = kernel[k * G + j];
    for (let k = 0; k < units; k++) gates[j * K + inputSize + k] = recurrent[k * G + j];
  }
  return { inputSize, units, gates, bias: Float32Array.from(bias) };
}

/** Transposes a Keras Dense kernel [in, out] into rows per output. */
export function fuseDense(kernel: Float32Array, bias: Float32Array, inputSize: number, outputs: number): DenseWeights {
  const w = new Float32Array(outputs * inputSize);
  for (let o = 0; o < outputs; o++) for (let k = 0; k < inputSize; k++) w[o * inputSize + k] = kernel[k * outputs + o];
  return { inputSize, outputs, w, bias: Float32Array.from(bias) };
}

interface LstmConfig {
  units?: number;
  activation?: string;
  recurrentActivation?: string;
  useBias?: boolean;
  returnSequences?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
  dropout?: number;
  recurrentDropout?: number;
}

/**
 * Reads the stacked LSTM + Dense head of a model made by `buildModel`: every LSTM layer in order, then the layer
 * named `headName`. Throws, naming the layer and the setting, for anything the kernel does not compute
 * (another activation, no bias, reversed sequences, ...), so that kernel and tfjs never silently disagree.
 */
export function kernelWeightsFromModel(model: tf.LayersModel, headName = "head"): KernelWeights {
  const lstms = model.layers.filter((l) => l.getClassName() === "LSTM");
  if (lstms.length === 0) throw new Error(`model "${model.name}" has no LSTM layer`);
  const inShape = model.inputs[0].shape;
  const features = inShape[inShape.length - 1];
  if (typeof features !== "number") throw new Error(`model "${model.name}": input shape [${inShape.join(", ")}] has no feature count`);
  const layers: LstmLayerWeights[] = [];
  let inputSize = features;
  lstms.forEach((layer, i) => {
    const cfg = layer.getConfig() as LstmConfig;
    const bad = (k: string, v: unknown, want: string) => new Error(`LSTM layer "${layer.name}": ${k}=${JSON.stringify(v)}, the fast kernel computes ${want}`);
    if (cfg.activation !== "tanh") throw bad("activation", cfg.activation, "tanh");
    if (cfg.recurrentActivation !== "sigmoid") throw bad("recurrentActivation", cfg.recurrentActivation, "sigmoid");
    if (cfg.useBias === false) throw bad("useBias", cfg.useBias, "a bias");
    if (cfg.goBackwards) throw bad("goBackwards", cfg.goBackwards, "forward sequences");
    if (cfg.stateful) throw bad("stateful", cfg.stateful, "stateless windows");
    const last = i === lstms.length - 1;
    if (!!cfg.returnSequences === last) throw bad("returnSequences", cfg.returnSequences, last ? "the final state of the last layer" : "sequences between layers");
    const U = cfg.units ?? NaN;
    const w = layer.getWeights();
    if (w.length !== 3) throw new Error(`LSTM layer "${layer.name}": ${w.length} weight tensors, expected 3 (kernel, recurrent, bias)`);
    const kernel = values(w[0], `LSTM layer "${layer.name}" kernel`, [inputSize, 4 * U]);
    const recurrent = values(w[1], `LSTM layer "${layer.name}" recurrent kernel`, [U, 4 * U]);
    const bias = values(w[2], `LSTM layer "${layer.name}" bias`, [4 * U]);
    layers.push(fuseLstm(kernel, recurrent, bias, inputSize, U));
    inputSize = U;
  });
  const head = model.getLayer(headName);
  if (head.getClassName() !== "Dense") throw new Error(`layer "${headName}" is a ${head.getClassName()}, expected Dense`);
  const hc = head.getConfig() as { activation?: string; units?: number };
  if (hc.activation !== "linear") throw new Error(`Dense layer "${headName}": activation=${JSON.stringify(hc.activation)}, the fast kernel computes linear`);
  const hw = head.getWeights();
  const outputs = hc.units ?? NaN;
  if (hw.length !== 2) throw new Error(`Dense layer "${headName}": ${hw.length} weight tensors, expected 2 (kernel, bias)`);
  const hk = values(hw[0], `Dense layer "${headName}" kernel`, [inputSize, outputs]);
  const hb = values(hw[1], `Dense layer "${headName}" bias`, [outputs]);
  return { features, layers, head: fuseDense(hk, hb, inputSize, outputs) };
}

/** Multiply-adds of one LSTM step of one stream (all layers) and of one head evaluation. */
export function macsPerStep(w: KernelWeights): { lstm: number; head: number } {
  let lstm = 0;
  for (const l of w.layers) lstm += 4 * l.units * (l.inputSize + l.units);
  return { lstm, head: w.head.inputSize * w.head.outputs };
}
