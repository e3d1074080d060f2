/*
 * Which LSTM kernel a predictor runs: WebAssembly SIMD where the runtime has it (Node ≥ 16.4), else plain JS.
 * Both are held to the same agreement tests against tfjs.
 */
import type { KernelWeights } from "./kernel-weights.js";
import { LstmStack, type LstmKernel } from "./kernel.js";
import { LstmStackSimd } from "./kernel-simd.js";
import { gateModule } from "./kernel-wasm.js";

export type KernelKind = "js" | "simd";

export function simdAvailable(): boolean {
  return gateModule() !== null;
}

export function defaultKernel(): KernelKind {
  return simdAvailable() ? "simd" : "js";
}

export function createLstmKernel(weights: KernelWeights, slots: number, kind: KernelKind = defaultKernel()): LstmKernel {
  return kind === "simd" ? new LstmStackSimd(weights, slots) : new LstmStack(weights, slots);
}
