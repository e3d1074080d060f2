import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile, cp, unlink, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { buildModel, type HeadSpec } from "../../dynamics/model.js";
import { loadModel, ModelLoadError, saveModel, type LamJson } from "../../dynamics/save.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { dirStore } from "../../runtime/model-dir.js";

const spec: ModelSpec = { features: ["speed", "yaw_rate", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 6, horizon: 4, layers: 2, units: 5 };
const head: HeadSpec = { kind: "residual-hold", scale: [0.05], fallback: [0.01], eps: 1e-3 };
const meta: Omit<LamJson, "weightsSha256" | "version"> = {
  spec,
  normalisation: {
    features: { channels: spec.features, mean: [1, 0, 0], std: [1, 0.5, 0.1] },
    actions: { channels: spec.actions, mean: [0.01], std: [0.1] },
  },
  head,
};

let root: string;
let good: string;
const input = tf.tensor3d(Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 3]);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "lam-save-"));
  good = join(root, "good");
  const m = buildModel(spec, { seed: 4 });
  // Non-trivial head weights, so a wrongly loaded head would show.
  m.getLayer("head").setWeights(m.getLayer("head").getWeights().map((w) => tf.randomNormal(w.shape, 0, 0.5, "float32", 9)));
  await saveModel(dirStore(good), m, meta);
  (globalThis as { __ref?: Float32Array }).__ref = (m.predict(input) as tf.Tensor).dataSync() as Float32Array;
  m.dispose();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const ref = () => (globalThis as { __ref?: Float32Array }).__ref!;

async function copy(name: string): Promise<string> {
  const dir = join(root, name);
  await cp(good, dir, { recursive: true });
  return dir;
}

async function loadError(dir: string): Promise<ModelLoadError> {
  try {
    const l = await loadModel(dirStore(dir));
    l.model.dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelLoadError);
    return e as ModelLoadError;
  }
  throw new Error(`${dir} loaded, but should not`);
}

describe("save/load", () => {
  it("round trip gives identical predictions and the same lam.json", async () => {
    const { model, meta: m } = await loadModel(dirStore(good));
    expect(Array.from((model.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from(ref()));
    expect(m.spec).toEqual(spec);
    expect(m.head).toEqual(head);
    expect(m.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    model.dispose();
  });

  it("plain tf.loadLayersModel reads model.json + weights.bin through tfjs's own http handler", async () => {
    // A fetch over the files: tfjs parses model.json and resolves weights.bin from its weightsManifest itself.
    const fetchFunc = async (url: string | URL | Request) => new Response(await readFile(new URL(String(url))));
    const model = await tf.loadLayersModel(tf.io.http(pathToFileURL(join(good, "model.json")).href, { fetchFunc }));
    expect(Array.from((model.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from(ref()));
    expect((model.getLayer("lstm_0").getConfig() as { recurrentActivation: string }).recurrentActivation).toBe("sigmoid");
    model.dispose();
  });

  it("missing weights.bin", async () => {
    const dir = await copy("missing");
    await unlink(join(dir, "weights.bin"));
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, "weights.bin"));
    expect(e.message).toMatch(/missing/);
  });

  it("truncated weights.bin", async () => {
    const dir = await copy("truncated");
    await truncate(join(dir, "weights.bin"), 100);
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, "weights.bin"));
    expect(e.message).toMatch(/is 100 bytes, model.json's manifest needs \d+ \(truncated\)/);
  });

  it("corrupt weights.bin (one flipped byte) fails the sha256 check", async () => {
    const dir = await copy("flipped");
    const w = await readFile(join(dir, "weights.bin"));
    w[17] ^= 0xff;
    await writeFile(join(dir, "weights.bin"), w);
    const e = await loadError(dir);
    expect(e.message).toMatch(/sha256 [0-9a-f]{64} does not match lam.json's weightsSha256/);
  });

  it("lam.json that is not JSON", async () => {
    const dir = await copy("badjson");
    await writeFile(join(dir, "lam.json"), '{"version": 1, "spec": ');
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, "lam.json"));
    expect(e.message).toMatch(/not valid JSON/);
  });

  it("lam.json whose spec does not match the weights (units)", async () => {
    const dir = await copy("units");
    const j = JSON.parse(await readFile(join(dir, "lam.json"), "utf8"));
    j.spec.units = 7;
    await writeFile(join(dir, "lam.json"), JSON.stringify(j));
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, "model.json"));
    expect(e.message).toMatch(/spec.units=7/);
  });

  it("lam.json whose horizon does not match the head", async () => {
    const dir = await copy("horizon");
    const j = JSON.parse(await readFile(join(dir, "lam.json"), "utf8"));
    j.spec.horizon = 5;
    await writeFile(join(dir, "lam.json"), JSON.stringify(j));
    expect((await loadError(dir)).message).toMatch(/head has 8 outputs, lam.json's spec needs horizon 5/);
  });

  it("lam.json with normalisation for other channels names the key", async () => {
    const dir = await copy("norm");
    const j = JSON.parse(await readFile(join(dir, "lam.json"), "utf8"));
    j.normalisation.features.std[1] = 0;
    await writeFile(join(dir, "lam.json"), JSON.stringify(j));
    expect((await loadError(dir)).message).toMatch(/normalisation.features.std must be 3 positive numbers/);
  });

  it("model.json that is not a layers model", async () => {
    const dir = await copy("topology");
    await writeFile(join(dir, "model.json"), JSON.stringify({ format: "graph-model" }));
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, "model.json"));
    expect(e.message).toMatch(/no modelTopology/);
  });

  it("model.json whose topology tfjs cannot build", async () => {
    const dir = await copy("topology2");
    const j = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
    j.modelTopology.config.layers[2].class_name = "NoSuchLayer";
    await writeFile(join(dir, "model.json"), JSON.stringify(j));
    expect((await loadError(dir)).message).toMatch(/tfjs could not build the model/);
  });
});
