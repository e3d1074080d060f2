// Backend names apart from the probes, so the CLI can check `--backend` without loading TensorFlow.js.

export type BackendName = "tfjs-node-gpu" | "webgpu" | "tfjs-node" | "wasm" | "cpu";

/** DESIGN.md's order: CUDA, WebGPU, native CPU, WebAssembly, plain JavaScript. */
export const BACKEND_ORDER: readonly BackendName[] = ["tfjs-node-gpu", "webgpu", "tfjs-node", "wasm", "cpu"];

/** A backend name as a user types it (`--backend`), checked against the names lam knows. */
export function parseBackendName(name: string, where = "--backend"): BackendName {
  if ((BACKEND_ORDER as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`${where} ${JSON.stringify(name)}: expected one of ${BACKEND_ORDER.join(", ")}`);
}
