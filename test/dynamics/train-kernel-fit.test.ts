import { beforeAll, describe, expect, it } from "vitest";
import { chooseBackend } from "../../dynamics/backend.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { trainerFor } from "../../dynamics/train.js";
import { trainRun, type TrainRunResult } from "../../dynamics/train-run.js";
import { saveModel, type LamJson, type ModelStore } from "../../dynamics/save.js";
import * as tf from "@tensorflow/tfjs";
import { oscillator } from "./synthetic.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd", "accel"], actions: ["steer_cmd"], rate: 20, history: 12, horizon: 8, layers: 1, units: 12 };
const series = [oscillator("osc", 180, 20, 7)];
const opts = { epochs: 6, seed: 3, blockSeconds: 15, inputNoise: 0.05 };

function memStore(): ModelStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return { files, read: async (n) => files.get(n)!, write: async (n, d) => void files.set(n, d), where: (n) => n };
}

async function saved(r: TrainRunResult) {
  const s = memStore();
  await saveModel(s, r.model, r.meta);
  return s.files;
}

let tfjs: TrainRunResult;
let k1: TrainRunResult;

beforeAll(async () => {
  await chooseBackend({ order: ["wasm", "cpu"] });
  tfjs = await trainRun(series, spec, { ...opts, trainer: "tfjs" });
  k1 = await trainRun(series, spec, { ...opts, trainer: "kernel" });
});

describe("the kernel trainer against the tfjs trainer (same data, seed, batches, noise)", () => {
  it("reaches the same validation loss within 2% and trains the loss down", () => {
    expect(k1.result.epochs).toBe(tfjs.result.epochs);
    expect(Math.abs(k1.result.bestValLoss - tfjs.result.bestValLoss) / Math.abs(tfjs.result.bestValLoss)).toBeLessThan(0.02);
    expect(k1.result.loss.at(-1)!).toBeLessThan(k1.result.loss[0]);
    expect(k1.result.bestValLoss).toBeLessThan(k1.result.valLoss[0]);
    // Per-epoch training losses track tfjs's closely (same batches; only float rounding differs).
    k1.result.loss.forEach((l, i) => expect(Math.abs(l - tfjs.result.loss[i]) / Math.abs(tfjs.result.loss[i])).toBeLessThan(0.02));
  });

  it("writes the same model folder format (model.json topology, weights manifest, lam.json fields)", async () => {
    const a = await saved(tfjs);
    const b = await saved(k1);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(new TextDecoder().decode(b.get("model.json"))).toBe(new TextDecoder().decode(a.get("model.json")));
    expect(b.get("weights.bin")!.length).toBe(a.get("weights.bin")!.length);
    expect(b.get("weights.bin")).not.toEqual(a.get("weights.bin"));
    const ja = JSON.parse(new TextDecoder().decode(a.get("lam.json")));
    const jb = JSON.parse(new TextDecoder().decode(b.get("lam.json")));
    expect(Object.keys(jb).sort()).toEqual(Object.keys(ja).sort());
    expect(jb.training.windows).toEqual(ja.training.windows);
  });

  it("is deterministic for any thread count: 1 and 2 threads give identical weights bytes", async () => {
    const k2 = await trainRun(series, spec, { ...opts, trainer: "kernel", threads: 2 });
    expect(k2.result.loss).toEqual(k1.result.loss);
    expect(k2.result.valLoss).toEqual(k1.result.valLoss);
    const a = await saved(k1);
    const b = await saved(k2);
    expect(Buffer.from(b.get("weights.bin")!).equals(Buffer.from(a.get("weights.bin")!))).toBe(true);
    expect(Buffer.from(b.get("lam.json")!).equals(Buffer.from(a.get("lam.json")!))).toBe(true);
  });
});

describe("kernel fine-tuning with a frozen encoder", () => {
  it("leaves the LSTM weights bit-identical and moves the head", async () => {
    const weights = (m: tf.LayersModel, pick: (n: string) => boolean) => m.layers.filter((l) => pick(l.name)).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    const base = await trainRun(series, spec, { ...opts, epochs: 1, trainer: "kernel" });
    const lstm = weights(base.model, (n) => n.startsWith("lstm_"));
    const head = weights(base.model, (n) => n === "head");
    const loaded = { model: base.model, meta: { ...base.meta, version: 1, weightsSha256: "0".repeat(64) } as LamJson };
    const ft = await trainRun([oscillator("osc2", 120, 20, 11, 0.7)], spec, { ...opts, epochs: 2, patience: 100, trainer: "kernel", finetune: loaded, freezeEncoder: true });
    expect(ft.result.bestEpoch).toBeGreaterThan(0);
    expect(weights(ft.model, (n) => n.startsWith("lstm_"))).toEqual(lstm);
    expect(weights(ft.model, (n) => n === "head")).not.toEqual(head);
  });
});

describe("trainerFor", () => {
  it("keeps tfjs on native and GPU backends and picks the kernel on wasm/cpu", () => {
    expect(trainerFor("tfjs-node-gpu", 32).trainer).toBe("tfjs");
    expect(trainerFor("webgpu", 32).trainer).toBe("tfjs");
    expect(trainerFor("tfjs-node", 32).trainer).toBe("tfjs");
    expect(trainerFor("wasm", 32).trainer).toBe("kernel");
    expect(trainerFor("cpu", 32).trainer).toBe("kernel");
    expect(trainerFor("wasm", 30).trainer).toBe("tfjs");
  });
});
