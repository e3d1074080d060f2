// The real-time predictor per tick with the head answering actions from the AR/linear baselines (head.source)
// beside the plain head, same model and drive, interleaved rounds: p99 and p50 per tick in µs.
// Usage: npx tsx bench/head-sources.ts [drive]   (default ../shared/data/f1tenth/DS1)
import * as tf from "@tensorflow/tfjs";
import { loadModel } from "../dynamics/save.js";
import { FastPredictor, predictorModel } from "../dynamics/predictor.js";
import { dirStore, defaultModelDir } from "../runtime/model-dir.js";
import { loadSeries } from "../runtime/drive-frames.js";
await tf.setBackend("cpu");
const m = await loadModel(dirStore(defaultModelDir()));
const s = await loadSeries(process.argv[2] ?? new URL("../../shared/data/f1tenth/DS1", import.meta.url).pathname, m.meta.spec);
const pm = predictorModel(m);
const variants = { plain: pm, "ar+ar": { ...pm, head: { ...pm.head, source: ["ar", "ar"] as any, ar: m.meta.baselines!.ar } }, "linear+ar": { ...pm, head: { ...pm.head, source: ["linear", "ar"] as any, ar: m.meta.baselines!.ar } } };
const res: Record<string, number[]> = {};
for (let round = 0; round < 5; round++) for (const [k, v] of Object.entries(variants)) {
  const p = new FastPredictor(v, { frameChannels: s.channels, reuseOutput: true });
  const t: number[] = [];
  for (let pass = 0; pass < 10; pass++) {
    p.reset();
    for (const f of s.frames) { const a = performance.now(); p.step(f); t.push(performance.now() - a); }
  }
  t.sort((a, b) => a - b);
  (res[k] ??= []).push(t[Math.floor(t.length * 0.99)] * 1000, t[Math.floor(t.length * 0.5)] * 1000);
}
for (const [k, v] of Object.entries(res)) console.log(k, "p99 µs (per round):", v.filter((_, i) => i % 2 === 0).map((x) => x.toFixed(1)).join(" "), " p50:", v.filter((_, i) => i % 2 === 1).map((x) => x.toFixed(1)).join(" "), 10 * s.frames.length, "ticks per round");
