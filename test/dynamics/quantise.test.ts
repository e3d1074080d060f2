// tfjs-converter layouts: a model folder whose weights are split into 2 shard files, and ones quantised to
// float16 and uint8 (manifest quantization {dtype, min, scale}), all load through loadModel (sha256 and finiteness
// checks included) and predict within tolerance of the float32 original.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, sha256, halfToFloat, ModelLoadError } from "../../dynamics/save.js";
import { exportModel, floatToHalf } from "../../dynamics/quantise.js";
import { defaultModelDir, dirStore } from "../../runtime/model-dir.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function outputs(m: tf.LayersModel, F: number): Promise<Float32Array> {
  const x = tf.randomNormal([16, 20, F], 0, 1, "float32", 3);
  const y = m.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe("sharded and quantised model folders", () => {
  it("float ↔ half conversion: exact on halves, round to nearest even, overflow to Infinity", () => {
    for (const h of [0x0000, 0x3c00, 0xc000, 0x0001, 0x03ff, 0x7bff, 0x3555]) expect(floatToHalf(halfToFloat(h))).toBe(h);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
  });

  it("2 shards, float16 and uint8 folders load and predict within tolerance; the files shrink", async () => {
    const src = await loadModel(dirStore(defaultModelDir()));
    const F = src.meta.spec.features.length;
    const ref = await outputs(src.model, F);
    const bytes = statSync(join(defaultModelDir(), "weights.bin")).size;
    const cases = [
      { name: "shards", opts: { shardBytes: Math.ceil(bytes / 2) }, tol: 0, files: 2, size: bytes },
      { name: "float16", opts: { quantize: "float16" as const }, tol: 2e-2, files: 1, size: bytes / 2 },
      { name: "uint8", opts: { quantize: "uint8" as const }, tol: 0.25, files: 1, size: bytes / 4 },
    ];
    for (const c of cases) {
      const dir = mkdtempSync(join(tmpdir(), `lam-${c.name}-`));
      const res = await exportModel(dirStore(dir), src.model, { ...src.meta }, c.opts, sha256);
      expect(res.files).toHaveLength(c.files);
      expect(res.bytes).toBe(c.size);
      const mj = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
      if (c.opts.quantize === "uint8") expect(mj.weightsManifest[0].weights[0].quantization).toMatchObject({ dtype: "uint8", min: expect.any(Number), scale: expect.any(Number) });
      const back = await loadModel(dirStore(dir));
      const out = await outputs(back.model, F);
      const err = maxDiff(out, ref);
      // Raw head outputs of magnitude ~maxAbs(ref): shards are exact; quantisation error bounded relative to it.
      if (c.tol === 0) expect(err).toBe(0);
      else {
        expect(err).toBeLessThan(c.tol * maxAbs(ref));
        expect(err).toBeGreaterThan(0);
      }
      back.model.dispose();
      if (c.name === "shards") {
        expect(readdirSync(dir).sort()).toEqual(["group1-shard1of2.bin", "group1-shard2of2.bin", "lam.json", "model.json"]);
        // A shard cut short is named by the loader, as a single weights.bin is.
        const p = join(dir, "group1-shard2of2.bin");
        writeFileSync(p, readFileSync(p).subarray(0, 10));
        await expect(loadModel(dirStore(dir))).rejects.toThrow(/group1-shard1of2.bin … group1-shard2of2.bin \(2 files\): is \d+ bytes, model.json's manifest needs \d+ \(truncated\)/);
      }
    }
    src.model.dispose();
  });

  it("a weight file named with a path is refused", async () => {
    const src = await loadModel(dirStore(defaultModelDir()));
    const dir = mkdtempSync(join(tmpdir(), "lam-path-"));
    await exportModel(dirStore(dir), src.model, { ...src.meta }, {}, sha256);
    src.model.dispose();
    const mj = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    mj.weightsManifest[0].paths = ["../weights.bin"];
    writeFileSync(join(dir, "model.json"), JSON.stringify(mj));
    const e = await loadModel(dirStore(dir)).catch((x) => x);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect(String(e.message)).toMatch(/weight file "..\/weights.bin" is not a plain file name/);
  });
});
