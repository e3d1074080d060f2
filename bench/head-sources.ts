// The real-time predictor per tick with the head answering actions from the AR/linear baselines (head.source)
// beside the plain head, same model and drive, interleaved rounds: p99 and p50 per tick in µs.
// Usage: npx tsx bench/head-sources.ts [model-dir]   (default dynamics/models/default)
import * as tf from "@tensorflow/tfjs";
import { loadModel } from "../dynamics/save.js";
import { FastPredictor, predictorModel } from "../dynamics/predictor.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { prng } from "../dynamics/prng.js";
import type { Frame } from "../perception/types.js";
import type { HeadSource } from "../dynamics/model.js";
await tf.setBackend("cpu");
const dir = process.argv[2] ?? new URL("../dynamics/models/default", import.meta.url).pathname;
const m = await loadModel({ read: async (n) => new Uint8Array(await readFile(join(dir, n))), write: async () => {}, where: (n) => join(dir, n) });
// Frames of the model's channels, a smooth random walk (the per-tick work does not depend on the values).
const channels = [...new Set([...m.meta.spec.features, ...m.meta.spec.actions])];
const rng = prng(5);
const frames: Frame[] = [];
const v = new Float32Array(channels.length);
for (let i = 0; i < 869; i++) {
  for (let c = 0; c < v.length; c++) v[c] += (rng.next() - 0.5) * 0.1;
  frames.push({ t: i / m.meta.spec.rate, values: Float32Array.from(v), valid: new Uint8Array(v.length).fill(1) });
}
const s = { channels, frames };
const pm = predictorModel(m);
const variants = { plain: pm, "ar+ar": { ...pm, head: { ...pm.head, source: ["ar", "ar"] as HeadSource[], ar: m.meta.baselines!.ar } }, "linear+ar": { ...pm, head: { ...pm.head, source: ["linear", "ar"] as HeadSource[], ar: m.meta.baselines!.ar } } };
const res: Record<string, number[]> = {};
// Round 0 warms the JIT up and is not counted.
for (let round = 0; round < 6; round++) for (const [k, v] of Object.entries(variants)) {
  const p = new FastPredictor(v, { frameChannels: s.channels, reuseOutput: true });
  const t: number[] = [];
  for (let pass = 0; pass < 10; pass++) {
    p.reset();
    for (const f of s.frames) { const a = performance.now(); p.step(f); t.push(performance.now() - a); }
  }
  t.sort((a, b) => a - b);
  if (round > 0) (res[k] ??= []).push(t[Math.floor(t.length * 0.99)] * 1000, t[Math.floor(t.length * 0.5)] * 1000);
}
for (const [k, v] of Object.entries(res)) console.log(k, "p99 µs (per round):", v.filter((_, i) => i % 2 === 0).map((x) => x.toFixed(1)).join(" "), " p50:", v.filter((_, i) => i % 2 === 1).map((x) => x.toFixed(1)).join(" "), 10 * s.frames.length, "ticks per round");
