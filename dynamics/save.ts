/*
 * A model folder: model.json + weights.bin (the tfjs layers format, loadable by plain tf.loadLayersModel) and lam.json.
 * dynamics/ does no I/O, so save/load speak to a tiny ModelStore; runtime/model-dir.ts backs it with a directory.
 * Loading checks everything before a model is handed out: no half-loaded model ever escapes.
 */
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { checkLamJson, LAM_JSON_VERSION, ModelLoadError, type LamJson, type LoadedModel } from "./lam-json.js";

/** The three files of a model folder, by name. */
export interface ModelStore {
  read(name: string): Promise<Uint8Array>;
  write(name: string, data: Uint8Array): Promise<void>;
  /** How to name the file in an error message (e.g. its full path). */
  where(name: string): string;
}

export { checkLamJson, LAM_JSON_VERSION, ModelLoadError, type EvalReport, type LamJson, type LoadedModel, type TrainingSummary } from "./lam-json.js";

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

const utf8 = new TextEncoder();

function concat(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const n = data.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/** Writes model.json, weights.bin and lam.json (with the weights' sha256); returns the lam.json written. */
export async function saveModel(store: ModelStore, model: tf.LayersModel, meta: Omit<LamJson, "weightsSha256" | "version">): Promise<LamJson> {
  let files: { modelJson: Uint8Array; weights: Uint8Array } | undefined;
  await model.save({
    save: async (a: tf.io.ModelArtifacts) => {
      const weights = a.weightData ? concat(a.weightData as ArrayBuffer | ArrayBuffer[]) : new Uint8Array(0);
      const json = {
        modelTopology: a.modelTopology,
        format: a.format ?? "layers-model",
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs ?? [] }],
      };
      files = { modelJson: utf8.encode(JSON.stringify(json)), weights };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    },
  });
  if (!files) throw new Error("tfjs did not hand the model artifacts to the save handler");
  const lam: LamJson = { version: LAM_JSON_VERSION, ...meta, weightsSha256: sha256(files.weights) };
  await store.write("weights.bin", files.weights);
  await store.write("model.json", files.modelJson);
  await store.write("lam.json", utf8.encode(JSON.stringify(lam, null, 2) + "\n"));
  return lam;
}

async function readOrFail(store: ModelStore, name: string): Promise<Uint8Array> {
  try {
    return await store.read(name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ModelLoadError(store.where(name), code === "ENOENT" ? "missing" : `unreadable (${e instanceof Error ? e.message : String(e)})`);
  }
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelLoadError(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

interface WeightsManifestEntry {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };
/** Bytes per stored value of tfjs-converter's weight quantisation dtypes. */
const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** IEEE 754 half (binary16) bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 0x1f) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * The stored weights with every quantised tensor expanded to float32 (uint8/uint16: q · scale + min; float16: its
 * value), and the manifest entries to match. Unquantised tensors are copied as they are.
 */
export function dequantise(stored: Uint8Array, specs: readonly tf.io.WeightsManifestEntry[]): { weights: Uint8Array; specs: tf.io.WeightsManifestEntry[] } {
  if (!specs.some((w) => w.quantization)) return { weights: stored, specs: [...specs] };
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let o = 0;
  for (const w of specs) {
    const n = w.shape.reduce((p, d) => p * d, 1);
    const q = w.quantization;
    if (!q) {
      const b = DTYPE_BYTES[w.dtype] * n;
      parts.push(stored.subarray(o, o + b));
      out.push(w);
      o += b;
      continue;
    }
    const f = new Float32Array(n);
    if (q.dtype === "float16") for (let i = 0; i < n; i++) f[i] = halfToFloat(view.getUint16(o + 2 * i, true));
    else if (q.dtype === "uint8") for (let i = 0; i < n; i++) f[i] = view.getUint8(o + i) * q.scale! + q.min!;
    else for (let i = 0; i < n; i++) f[i] = view.getUint16(o + 2 * i, true) * q.scale! + q.min!;
    o += QUANT_BYTES[q.dtype as string] * n;
    parts.push(new Uint8Array(f.buffer));
    const { quantization: _q, ...plain } = w;
    out.push({ ...plain, dtype: "float32" });
  }
  return { weights: concatBytes(parts), specs: out };
}

/**
 * Names the first weight tensor holding a NaN or ±Infinity (float32 and float16 are checked; integer
 * dtypes cannot hold one), with how many it holds; undefined when every weight is finite.
 */
export function firstNonFiniteWeight(weights: Uint8Array, specs: readonly tf.io.WeightsManifestEntry[]): string | undefined {
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  let offset = 0;
  for (const w of specs) {
    const n = w.shape.reduce((p, d) => p * d, 1);
    const dtype = w.dtype as string; // tfjs's type omits float16, which manifests can carry
    const bytes = DTYPE_BYTES[dtype] ?? 0;
    let bad = 0;
    let first = -1;
    let value = 0;
    for (let i = 0; i < n && (dtype === "float32" || dtype === "float16"); i++) {
      // float16: exponent bits all ones is Inf or NaN.
      const x = dtype === "float32" ? view.getFloat32(offset + 4 * i, true) : (view.getUint16(offset + 2 * i, true) & 0x7c00) === 0x7c00 ? NaN : 0;
      if (!Number.isFinite(x)) {
        if (first < 0) [first, value] = [i, x];
        bad++;
      }
    }
    if (bad > 0) return `weight "${w.name}" (${w.dtype} [${w.shape.join(", ")}]) holds ${bad} non-finite values (first at index ${first}: ${value}); the model is refused`;
    offset += bytes * n;
  }
  return undefined;
}

/** Loads and checks a model folder; throws ModelLoadError naming the file and the fault. */
export async function loadModel(store: ModelStore): Promise<LoadedModel> {
  const lamFile = store.where("lam.json");
  const modelFile = store.where("model.json");
  const meta = checkLamJson(parseJson(await readOrFail(store, "lam.json"), lamFile), lamFile);
  const mj = parseJson(await readOrFail(store, "model.json"), modelFile) as Record<string, unknown>;
  if (typeof mj !== "object" || mj === null || typeof mj.modelTopology !== "object" || mj.modelTopology === null) {
    throw new ModelLoadError(modelFile, "has no modelTopology (not a tfjs layers model)");
  }
  const manifest = mj.weightsManifest as WeightsManifestEntry[] | undefined;
  // tfjs-converter's layout: groups of shard files, read in manifest order and concatenated; a file name is a plain
  // name inside the folder (no path).
  if (!Array.isArray(manifest) || manifest.length === 0 || manifest.some((g) => !Array.isArray(g?.paths) || g.paths.length === 0 || !Array.isArray(g.weights))) {
    throw new ModelLoadError(modelFile, "weightsManifest must be a list of groups, each with paths and weights");
  }
  const paths = manifest.flatMap((g) => g.paths);
  const badPath = paths.find((p) => typeof p !== "string" || !/^[A-Za-z0-9._-]+$/.test(p) || p.startsWith("."));
  if (badPath !== undefined) throw new ModelLoadError(modelFile, `weight file ${JSON.stringify(badPath)} is not a plain file name in the model folder`);
  const stored = manifest.flatMap((g) => g.weights);
  let need = 0;
  for (const w of stored) {
    const q = w.quantization;
    const b = q ? QUANT_BYTES[q.dtype as string] : DTYPE_BYTES[w.dtype];
    const affine = q && q.dtype !== "float16";
    if (!b || !Array.isArray(w.shape) || (q && w.dtype !== "float32") || (affine && !(Number.isFinite(q.min) && Number.isFinite(q.scale)))) {
      throw new ModelLoadError(modelFile, `weight "${w.name}" has an unsupported dtype/shape/quantization (${JSON.stringify({ dtype: w.dtype, shape: w.shape, quantization: q })})`);
    }
    need += b * w.shape.reduce((p, d) => p * d, 1);
  }
  const shards = await Promise.all(paths.map((p) => readOrFail(store, p)));
  const stored8 = shards.length === 1 ? shards[0] : concatBytes(shards);
  const storedFile = paths.length === 1 ? store.where(paths[0]) : `${store.where(paths[0])} … ${paths.at(-1)} (${paths.length} files)`;
  if (stored8.byteLength !== need) {
    throw new ModelLoadError(storedFile, `is ${stored8.byteLength} bytes, model.json's manifest needs ${need} (${stored8.byteLength < need ? "truncated" : "trailing bytes"})`);
  }
  const digest = sha256(stored8);
  if (digest !== meta.weightsSha256) throw new ModelLoadError(storedFile, `sha256 ${digest} does not match lam.json's weightsSha256 ${meta.weightsSha256}`);
  // Quantised weights are expanded to float32 here, so everything after sees one plain float32 buffer.
  const { weights, specs } = dequantise(stored8, stored);
  // A matching sha256 says the file is the one saved, not that what was saved is usable (a diverged training run).
  const nonFinite = firstNonFiniteWeight(weights, specs);
  if (nonFinite) throw new ModelLoadError(storedFile, nonFinite);

  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel({
      load: async () => ({
        modelTopology: mj.modelTopology as tf.io.ModelArtifacts["modelTopology"],
        format: mj.format as string | undefined,
        weightSpecs: specs,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
      }),
    });
  } catch (e) {
    throw new ModelLoadError(modelFile, `tfjs could not build the model (${e instanceof Error ? e.message : String(e)})`);
  }
  const { spec } = meta;
  const inShape = model.inputs[0]?.shape;
  const outShape = model.outputs[0]?.shape;
  const wantOut = spec.horizon * spec.actions.length * 2;
  const lstms = model.layers.filter((l) => l.getClassName() === "LSTM");
  const problem =
    inShape?.at(-1) !== spec.features.length
      ? `input has ${inShape?.at(-1)} features, lam.json's spec has ${spec.features.length}`
      : outShape?.at(-1) !== wantOut
        ? `head has ${outShape?.at(-1)} outputs, lam.json's spec needs horizon ${spec.horizon} × ${spec.actions.length} actions × 2 = ${wantOut}`
        : lstms.length !== spec.layers
          ? `has ${lstms.length} LSTM layers, lam.json's spec has ${spec.layers}`
          : lstms.some((l) => (l.getConfig() as { units?: number }).units !== spec.units)
            ? `LSTM units differ from lam.json's spec.units=${spec.units}`
            : null;
  if (problem) {
    model.dispose();
    throw new ModelLoadError(modelFile, problem);
  }
  return { model, meta };
}
