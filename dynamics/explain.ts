/*
 * Permutation importance (lam eval --explain): for each input feature, its values are shuffled across the scored
 * windows (a seeded permutation of whole windows, so each window keeps a real history of that feature, only not its
 * own), and the rise in the net's ADE on each action is that feature's importance for that action. The net's own
 * mean is scored (the residual over its context), also on actions lam.json answers by a baseline, which use no input.
 */
import * as tf from "@tensorflow/tfjs";
import { cutWindows, type Block, type FrameSeries, type Windows } from "./dataset.js";
import { predictWindows } from "./evaluate.js";
import { decodeHead } from "./model.js";
import type { LoadedModel } from "./lam-json.js";
import { prng, shuffle } from "./prng.js";
import { windowBaselines } from "./baselines/residual.js";

export interface Importance {
  readonly seed: number;
  readonly repeats: number;
  readonly windows: number;
  readonly steps: number;
  /** Per action, the net's ADE (physical units) on the unshuffled windows. */
  readonly ade: Readonly<Record<string, number>>;
  /** Per action, what answers it in lam.json (head.source; "model" = the net). */
  readonly answered_by: Readonly<Record<string, string>>;
  /** Per feature, per action: mean ADE with that feature shuffled − the unshuffled ADE (physical units; > 0 = used). */
  readonly per_feature: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

function netAde(loaded: LoadedModel, w: Windows, steps: number, base: Float32Array | undefined): number[] {
  const { spec, head } = loaded.meta;
  const { source: _s, ...net } = head;
  const A = spec.actions.length;
  const h = spec.horizon;
  const raw = predictWindows(loaded.model, w);
  const per = h * A * 2;
  const sum = new Float64Array(A);
  for (let i = 0; i < w.n; i++) {
    const d = decodeHead(raw.subarray(i * per, (i + 1) * per), w.last.subarray(i * A, (i + 1) * A), net, h, undefined, base?.subarray(i * h * A, (i + 1) * h * A));
    for (let k = 0; k < steps; k++) for (let a = 0; a < A; a++) sum[a] += Math.abs(d.mean[k * A + a] - w.y[(i * h + k) * A + a]);
  }
  return Array.from(sum, (s) => s / (w.n * steps));
}

/** Seeded permutation importance of every feature for every action on the windows of `blocks`. */
export function permutationImportance(loaded: LoadedModel, series: readonly FrameSeries[], blocks: readonly Block[], opts: { seed?: number; repeats?: number; steps?: number } = {}): Importance {
  const { spec, head, normalisation } = loaded.meta;
  const seed = opts.seed ?? 1;
  const repeats = opts.repeats ?? 3;
  const steps = opts.steps ?? spec.horizon;
  const w = cutWindows(series, blocks, spec, normalisation.features, head);
  if (w.n < 2) throw new Error(`permutation importance needs at least 2 windows, the held-out data gives ${w.n}`);
  // The baseline a residual is over is the same for a shuffled input: it reads past actions, not features.
  const { source: _s, ...net } = head;
  const over = windowBaselines(series, blocks, w, spec.actions, spec.rate, net);
  const base = tf.tidy(() => netAde(loaded, w, steps, over));
  const rng = prng(seed * 9176 + 3);
  const order = Int32Array.from({ length: w.n }, (_, i) => i);
  const { T, F } = w;
  const x = new Float32Array(w.x.length);
  const per: Record<string, Record<string, number>> = {};
  for (let f = 0; f < F; f++) {
    const rise = new Float64Array(spec.actions.length);
    for (let r = 0; r < repeats; r++) {
      shuffle(order, rng);
      x.set(w.x);
      for (let i = 0; i < w.n; i++) for (let t = 0; t < T; t++) x[(i * T + t) * F + f] = w.x[(order[i] * T + t) * F + f];
      const ade = netAde(loaded, { ...w, x }, steps, over);
      ade.forEach((v, a) => (rise[a] += (v - base[a]) / repeats));
    }
    per[spec.features[f]] = Object.fromEntries(spec.actions.map((a, i) => [a, rise[i]]));
  }
  return {
    seed,
    repeats,
    windows: w.n,
    steps,
    ade: Object.fromEntries(spec.actions.map((a, i) => [a, base[i]])),
    answered_by: Object.fromEntries(spec.actions.map((a, i) => [a, head.source?.[i] ?? "model"])),
    per_feature: per,
  };
}
