/*
 * Weight quantisation as tfjs-converter writes it (model.json manifest entries with dtype "float32" and
 * quantization {dtype: "float16"} or {dtype: "uint8", min, scale}: value = q · scale + min), and sharding into
 * several weight files. dynamics/save.ts loadModel reads both back (dequantise).
 */
import type * as tf from "@tensorflow/tfjs";

export type Quantise = "float16" | "uint8";

/** number → IEEE 754 half bits, rounded to nearest even; overflow → ±Infinity. */
export function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) {
    h++;
    if (h === 0x400) {
      h = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | h;
}

/** Quantises float32 weights (little-endian bytes in manifest order) per tensor; other dtypes are copied. */
export function quantiseWeights(weights: Uint8Array, specs: readonly tf.io.WeightsManifestEntry[], mode: Quantise): { bytes: Uint8Array; specs: tf.io.WeightsManifestEntry[] } {
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let o = 0;
  for (const w of specs) {
    const n = w.shape.reduce((p, d) => p * d, 1);
    if (w.dtype !== "float32" || w.quantization) throw new Error(`weight "${w.name}": only plain float32 weights can be quantised (dtype ${w.dtype})`);
    const x = Float32Array.from({ length: n }, (_, i) => view.getFloat32(o + 4 * i, true));
    o += 4 * n;
    if (mode === "float16") {
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = floatToHalf(x[i]);
      parts.push(new Uint8Array(h.buffer));
      out.push({ ...w, quantization: { dtype: "float16" } });
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      if (n === 0) [lo, hi] = [0, 0];
      const scale = hi > lo ? (hi - lo) / 255 : 1;
      const q = new Uint8Array(n);
      for (let i = 0; i < n; i++) q[i] = Math.max(0, Math.min(255, Math.round((x[i] - lo) / scale)));
      parts.push(q);
      out.push({ ...w, quantization: { dtype: "uint8", min: lo, scale } });
    }
  }
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let k = 0;
  for (const p of parts) {
    bytes.set(p, k);
    k += p.byteLength;
  }
  return { bytes, specs: out };
}

/** Splits the weight bytes into files of at most `shardBytes` (tfjs-converter's names: group1-shardKofN.bin). */
export function shardWeights(bytes: Uint8Array, shardBytes?: number): { name: string; data: Uint8Array }[] {
  if (shardBytes === undefined || bytes.byteLength <= shardBytes) return [{ name: "weights.bin", data: bytes }];
  if (!(Number.isInteger(shardBytes) && shardBytes > 0)) throw new Error(`shard size ${shardBytes} must be a positive integer`);
  const n = Math.ceil(bytes.byteLength / shardBytes);
  return Array.from({ length: n }, (_, i) => ({ name: `group1-shard${i + 1}of${n}.bin`, data: bytes.subarray(i * shardBytes, Math.min(bytes.byteLength, (i + 1) * shardBytes)) }));
}

export interface ExportOptions {
  readonly quantize?: Quantise;
  /** Largest weight file (bytes); more weight bytes are split into group1-shardKofN.bin files. */
  readonly shardBytes?: number;
}

/** What an exported lam.json records of its making (lam.json `export`). */
export interface ExportRecord {
  readonly quantize: Quantise | "none";
  readonly from_sha256: string;
  readonly weight_bytes: number;
  readonly from_weight_bytes: number;
  readonly files: readonly string[];
  readonly [k: string]: unknown;
}

interface Store {
  write(name: string, data: Uint8Array): Promise<void>;
}

/**
 * Writes `model` as a model folder with quantised and/or sharded weights: model.json (tfjs-converter manifest),
 * the weight file(s), and lam.json = `meta` with the sha256 of the concatenated weight files and `export`.
 */
export async function exportModel(
  store: Store,
  model: tf.LayersModel,
  meta: Record<string, unknown> & { weightsSha256: string },
  opts: ExportOptions,
  sha256: (b: Uint8Array) => string,
  extra: Record<string, unknown> = {},
): Promise<{ lam: Record<string, unknown>; files: string[]; bytes: number }> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save({
    save: async (a: tf.io.ModelArtifacts) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    },
  });
  if (!art?.weightSpecs || !art.weightData) throw new Error("tfjs did not hand the model's weights to the save handler");
  const wd = art.weightData as ArrayBuffer | ArrayBuffer[];
  const plain = Array.isArray(wd) ? Uint8Array.from(wd.flatMap((b) => Array.from(new Uint8Array(b)))) : new Uint8Array(wd);
  const q = opts.quantize ? quantiseWeights(plain, art.weightSpecs, opts.quantize) : { bytes: plain, specs: [...art.weightSpecs] };
  const shards = shardWeights(q.bytes, opts.shardBytes);
  const json = {
    modelTopology: art.modelTopology,
    format: art.format ?? "layers-model",
    generatedBy: art.generatedBy,
    convertedBy: "lam export",
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: q.specs }],
  };
  const record: ExportRecord = {
    quantize: opts.quantize ?? "none",
    from_sha256: meta.weightsSha256,
    weight_bytes: q.bytes.byteLength,
    from_weight_bytes: plain.byteLength,
    files: shards.map((s) => s.name),
    ...extra,
  };
  const lam = { ...meta, weightsSha256: sha256(q.bytes), export: record };
  for (const s of shards) await store.write(s.name, s.data);
  const enc = new TextEncoder();
  await store.write("model.json", enc.encode(JSON.stringify(json)));
  await store.write("lam.json", enc.encode(JSON.stringify(lam, null, 2) + "\n"));
  return { lam, files: shards.map((s) => s.name), bytes: q.bytes.byteLength };
}
