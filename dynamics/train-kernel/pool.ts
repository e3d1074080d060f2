/*
 * Data-parallel gradients on worker threads. Each batch's fixed shards (batch.ts) are dealt out in contiguous runs,
 * one run per worker; the per-shard gradients come back and are summed here in shard order, exactly as the
 * single-thread engine sums them, so any thread count gives the same bytes.
 */
import { Worker } from "node:worker_threads";
import type { HeadSpec } from "../model.js";
import { shards, sliceBatch, type TrainBatch } from "./batch.js";
import { accumulate, defaultKind, type GradEngine } from "./engine.js";
import type { TrainLayout } from "./layout.js";
import type { LossSums } from "./reference.js";

/** The worker's entry: built JavaScript directly; from TypeScript sources (tests, `npx tsx`) through tsx's loader. */
function spawn(workerData: unknown): Worker {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new Worker(new URL("./worker.js", self), { workerData });
  const entry = new URL("./worker.ts", self).href;
  const code = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData });
}

function ask<T>(w: Worker, msg: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (v: T) => {
      w.off("error", onErr);
      resolve(v);
    };
    const onErr = (e: Error) => {
      w.off("message", onMsg);
      reject(e);
    };
    w.once("message", onMsg);
    w.once("error", onErr);
    w.postMessage(msg);
  });
}

/** Contiguous runs of `n` items over `k` workers: [from, to) per worker (some may be empty). */
function runs(n: number, k: number): [number, number][] {
  const per = Math.ceil(n / k);
  return Array.from({ length: k }, (_, i) => [Math.min(n, i * per), Math.min(n, (i + 1) * per)] as [number, number]);
}

export function poolEngine(L: TrainLayout, T: number, head: HeadSpec, threads: number, kind = defaultKind(L)): GradEngine {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads=${threads}: expected an integer >= 1`);
  const workers = Array.from({ length: threads }, () => spawn({ L, T, head, kind }));
  let valSent: TrainBatch | null = null;
  return {
    kind,
    threads,
    async grad(P, batch, scale, out) {
      const all = shards(batch.B).map(([a, b]) => sliceBatch(batch, a, b));
      const parts = runs(all.length, threads);
      const replies = await Promise.all(
        parts.map(([a, b], i) => (b > a ? ask<{ nll: number; ae: number; g: Float32Array }[]>(workers[i], { type: "grad", P, shards: all.slice(a, b), scale }) : Promise.resolve([]))),
      );
      let nll = 0;
      let ae = 0;
      let first = true;
      for (const rs of replies) {
        for (const r of rs) {
          nll += r.nll;
          ae += r.ae;
          accumulate(out, r.g, first);
          first = false;
        }
      }
      return { nll, ae };
    },
    async evaluate(P, batch) {
      if (valSent !== batch) {
        for (const w of workers) w.postMessage({ type: "val", batch });
        valSent = batch;
      }
      const parts = runs(shards(batch.B).length, threads);
      const replies = await Promise.all(parts.map(([from, to], i) => (to > from ? ask<LossSums[]>(workers[i], { type: "eval", P, from, to }) : Promise.resolve([]))));
      let nll = 0;
      let ae = 0;
      for (const rs of replies) {
        for (const r of rs) {
          nll += r.nll;
          ae += r.ae;
        }
      }
      return { nll, ae };
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
