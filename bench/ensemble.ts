// The real-time predictor per tick for a merged seed ensemble (dynamics/ensemble.ts: one LSTM of K·units) beside
// its single member, same drive-like frames, interleaved rounds, JS and SIMD kernels: p50 and p99 per tick in µs.
// The cost depends on the size only, so the K members here are copies of the one model (mergeModels).
// Usage: npx tsx bench/ensemble.ts [model-dir] [K ...]   (default dynamics/models/default, K = 1 3 5)
// A second table times the JS kernel alone with the zero 4-blocks of the merged gate rows skipped and dense.
import * as tf from "@tensorflow/tfjs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadModel } from "../dynamics/save.js";
import { FastPredictor, predictorModel, type PredictorModel } from "../dynamics/predictor.js";
import { mergeModels } from "../dynamics/ensemble.js";
import { simdAvailable, type KernelKind } from "../dynamics/kernel-choice.js";
import { LstmStack } from "../dynamics/kernel.js";
import { kernelWeightsFromModel } from "../dynamics/kernel-weights.js";
import { prng } from "../dynamics/prng.js";
import type { Frame } from "../perception/types.js";

await tf.setBackend("cpu");
const dir = process.argv[2] ?? new URL("../dynamics/models/default", import.meta.url).pathname;
const ks = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 3, 5];
const m = await loadModel({ read: async (n) => new Uint8Array(await readFile(join(dir, n))), write: async () => {}, where: (n) => join(dir, n) });
const base = predictorModel(m);
const channels = [...new Set([...base.spec.features, ...base.spec.actions])];
// A smooth random walk (the per-tick work does not depend on the values).
const rng = prng(5);
const frames: Frame[] = [];
const v = new Float32Array(channels.length);
for (let i = 0; i < 869; i++) {
  for (let c = 0; c < v.length; c++) v[c] += (rng.next() - 0.5) * 0.1;
  frames.push({ t: i / base.spec.rate, values: Float32Array.from(v), valid: new Uint8Array(v.length).fill(1) });
}
const variants: Record<string, PredictorModel> = {};
for (const k of ks) {
  variants[`K=${k} (${k * base.spec.units} units)`] =
    k === 1 ? base : { ...base, spec: { ...base.spec, units: k * base.spec.units }, model: mergeModels(Array(k).fill(base.model), base.spec, Array(k).fill(base.head.scale), base.head.scale) };
}
const kernels: KernelKind[] = simdAvailable() ? ["simd", "js"] : ["js"];
const res: Record<string, { p50: number[]; p99: number[] }> = {};
// Round 0 warms the JIT up and is not counted.
for (let round = 0; round < 6; round++) {
  for (const kernel of kernels) {
    for (const [name, pm] of Object.entries(variants)) {
      const p = new FastPredictor(pm, { frameChannels: channels, reuseOutput: true, kernel });
      const t: number[] = [];
      for (let pass = 0; pass < 10; pass++) {
        p.reset();
        for (const f of frames) {
          const a = performance.now();
          p.step(f);
          t.push(performance.now() - a);
        }
      }
      t.sort((a, b) => a - b);
      if (round === 0) continue;
      const r = (res[`${kernel} ${name}`] ??= { p50: [], p99: [] });
      r.p50.push(t[Math.floor(t.length * 0.5)] * 1000);
      r.p99.push(t[Math.floor(t.length * 0.99)] * 1000);
    }
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
console.log(`model ${dir} (${base.spec.layers}×${base.spec.units}), ${10 * frames.length} ticks per round, 5 rounds after a warm-up one`);
console.log("| kernel, model | p50 µs (median of rounds) | p99 µs (median of rounds) | p99 per round |");
console.log("|---|---|---|---|");
for (const [k, r] of Object.entries(res)) console.log(`| ${k} | ${med(r.p50).toFixed(1)} | ${med(r.p99).toFixed(1)} | ${r.p99.map((x) => x.toFixed(1)).join(" ")} |`);

// The JS kernel alone (step + head of one slot), skipping the merged model's zero 4-blocks (the default) against the
// dense loop over the same weights, interleaved in the same rounds.
const x = new Float32Array(base.spec.features.length);
const out = new Float64Array(base.spec.horizon * base.spec.actions.length * 2);
const js: Record<string, number[]> = {};
for (let round = 0; round < 6; round++) {
  for (const [name, pm] of Object.entries(variants)) {
    const w = kernelWeightsFromModel(pm.model);
    for (const sparse of [true, false]) {
      const stack = new LstmStack(w, 1, sparse);
      const t: number[] = [];
      for (let pass = 0; pass < 10; pass++) {
        stack.resetAll();
        for (const f of frames) {
          for (let c = 0; c < x.length; c++) x[c] = f.values[c] ?? 0;
          const a = performance.now();
          stack.step(x);
          stack.head(0, out);
          t.push(performance.now() - a);
        }
      }
      t.sort((a, b) => a - b);
      if (round > 0) (js[`${name} ${sparse ? "zero blocks skipped" : "dense"}`] ??= []).push(t[Math.floor(t.length * 0.5)] * 1000);
    }
  }
}
console.log("\n| JS kernel, step + head | p50 µs (median of rounds) |");
console.log("|---|---|");
for (const [k, r] of Object.entries(js)) console.log(`| ${k} | ${med(r).toFixed(1)} |`);
