/* A gradient worker thread (pool.ts): computes the shards it is given with its own wasm workspace. */
import { parentPort, workerData } from "node:worker_threads";
import type { HeadSpec } from "../model.js";
import { ShardWorker } from "./engine.js";
import type { TrainBatch } from "./batch.js";
import { shards, sliceBatch } from "./batch.js";
import type { TrainLayout } from "./layout.js";

const { L, T, head, kind } = workerData as { L: TrainLayout; T: number; head: HeadSpec; kind: "simd" | "js" };
const w = new ShardWorker(L, T, head, kind);
let val: TrainBatch | null = null;

type Msg =
  | { type: "grad"; P: Float32Array; shards: TrainBatch[]; scale: number }
  | { type: "val"; batch: TrainBatch }
  | { type: "eval"; P: Float32Array; from: number; to: number };

parentPort!.on("message", (m: Msg) => {
  if (m.type === "grad") {
    w.setParams(m.P);
    const out = m.shards.map((b) => {
      const g = new Float32Array(L.size);
      const r = w.shard(b, m.scale, g);
      return { nll: r.nll, ae: r.ae, g };
    });
    parentPort!.postMessage(out, out.map((o) => o.g.buffer));
  } else if (m.type === "val") {
    val = m.batch;
  } else {
    w.setParams(m.P);
    const chunks = shards(val!.B).slice(m.from, m.to);
    parentPort!.postMessage(chunks.map(([a, b]) => w.shard(sliceBatch(val!, a, b), 1)));
  }
});
