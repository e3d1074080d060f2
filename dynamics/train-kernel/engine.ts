/*
 * Where the gradients of a batch are computed: here, shard after shard, or on worker threads (pool.ts). Either way a
 * batch is cut into fixed shards (batch.ts) and the per-shard gradients are summed in shard order, so the result is
 * the same bytes for any thread count.
 */
import type { HeadSpec } from "../model.js";
import { shards, sliceBatch, SHARD_WINDOWS, type TrainBatch } from "./batch.js";
import type { TrainLayout } from "./layout.js";
import { referenceLossGrad, type LossSums } from "./reference.js";
import { SimdTrainer, trainSimdAvailable } from "./simd.js";

export interface GradEngine {
  /** "simd" or "js" (the float64 reference: slow, for runtimes without WebAssembly SIMD or odd unit counts). */
  readonly kind: "simd" | "js";
  readonly threads: number;
  /** Σ loss terms of the batch; `out` receives scale · Σ_shards ∂/∂params, summed in shard order. */
  grad(P: Float32Array, batch: TrainBatch, scale: number, out: Float32Array): Promise<LossSums>;
  /** Σ loss terms over a set of windows (forward only), in fixed chunks. */
  evaluate(P: Float32Array, batch: TrainBatch): Promise<LossSums>;
  close(): Promise<void>;
}

/** Per-shard work, shared by the local engine and the workers. */
export class ShardWorker {
  private readonly simd: SimdTrainer | null;
  private readonly g: Float32Array;

  constructor(
    readonly L: TrainLayout,
    readonly T: number,
    readonly head: HeadSpec,
    kind: "simd" | "js",
  ) {
    this.simd = kind === "simd" ? new SimdTrainer(L, SHARD_WINDOWS, T) : null;
    this.g = new Float32Array(L.size);
  }

  setParams(P: Float32Array): void {
    this.simd?.setParams(P);
    if (!this.simd) this.P = P;
  }

  private P: Float32Array = new Float32Array(0);

  /** Loss sums of one shard; with `grad`, its scale · gradient is written there. */
  shard(b: TrainBatch, scale: number, grad?: Float32Array): LossSums {
    if (this.simd) {
      const r = this.simd.lossGrad(b, this.head, scale, !!grad);
      if (grad) grad.set(this.simd.grad);
      return r;
    }
    if (grad) {
      const g64 = new Float64Array(this.L.size);
      const r = referenceLossGrad(this.L, this.P, b, this.head, scale, g64);
      grad.set(g64);
      return r;
    }
    return referenceLossGrad(this.L, this.P, b, this.head, scale);
  }

  /** Forward-only sums of chunks [lo, hi) of a window set, in chunk order. */
  evaluate(b: TrainBatch): LossSums {
    let nll = 0;
    let ae = 0;
    for (const [a, c] of shards(b.B)) {
      const r = this.shard(sliceBatch(b, a, c), 1);
      nll += r.nll;
      ae += r.ae;
    }
    return { nll, ae };
  }

  get scratch(): Float32Array {
    return this.g;
  }
}

/** Adds shard gradients in order: the one reduction every engine uses. */
export function accumulate(out: Float32Array, g: Float32Array, first: boolean): void {
  if (first) out.set(g);
  else for (let i = 0; i < out.length; i++) out[i] += g[i];
}

export function defaultKind(L: TrainLayout): "simd" | "js" {
  return trainSimdAvailable() && L.layers.every((l) => l.U % 4 === 0) ? "simd" : "js";
}

/** The single-thread engine. */
export function localEngine(L: TrainLayout, T: number, head: HeadSpec, kind = defaultKind(L)): GradEngine {
  const w = new ShardWorker(L, T, head, kind);
  return {
    kind,
    threads: 1,
    async grad(P, batch, scale, out) {
      w.setParams(P);
      let nll = 0;
      let ae = 0;
      shards(batch.B).forEach(([a, b], i) => {
        const r = w.shard(sliceBatch(batch, a, b), scale, w.scratch);
        nll += r.nll;
        ae += r.ae;
        accumulate(out, w.scratch, i === 0);
      });
      return { nll, ae };
    },
    async evaluate(P, batch) {
      w.setParams(P);
      return w.evaluate(batch);
    },
    async close() {},
  };
}
