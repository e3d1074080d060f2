/*
 * TensorFlow.js backend choice at start-up. Each candidate is probed lazily (a dynamic import inside try), so a
 * missing or broken optional package costs nothing but a recorded reason. Order (DESIGN.md, "Backends"):
 * tfjs-node-gpu (CUDA) → WebGPU (Dawn from the `webgpu` package, only when it finds an adapter) → tfjs-node → wasm → cpu.
 */
import * as tf from "@tensorflow/tfjs";

import { BACKEND_ORDER, type BackendName } from "./backend-names.js";

export { BACKEND_ORDER, parseBackendName, type BackendName } from "./backend-names.js";

/** Why a candidate was chosen or passed over. */
export interface BackendReason {
  readonly backend: BackendName;
  readonly status: "chosen" | "skipped" | "not-tried";
  readonly reason: string;
}

export interface BackendChoice {
  /** The lam name of the active backend. */
  readonly name: BackendName;
  /** tf.getBackend() after the choice ("tensorflow", "webgpu", "wasm", "cpu"). */
  readonly tfName: string;
  /** One entry per candidate in the order tried. */
  readonly reasons: readonly BackendReason[];
}

export interface BackendOptions {
  /** Candidates in the order to try (default BACKEND_ORDER); "cpu" is always the last resort. */
  readonly order?: readonly BackendName[];
  /**
   * Threads for the wasm backend. 1 keeps a benchmark on one core and leaves cores to the rest of the runtime;
   * undefined lets tfjs decide (it uses threads only where SharedArrayBuffer and workers are available).
   */
  readonly wasmThreads?: number;
  /** Only the candidates in `order`, without falling back to cpu: a backend the user forced must start or fail. */
  readonly strict?: boolean;
  /** Replaces candidates' probes (tests: the choice logic with given outcomes, whatever this machine has installed). */
  readonly probes?: Partial<Record<BackendName, Probe>>;
}

/** Loads and activates one candidate; resolves to why it was chosen, throws why not. */
export type Probe = (opts: BackendOptions) => Promise<string>;

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // Module-not-found errors carry a long require stack; the first line names the package.
  return m.split("\n")[0] ?? m;
}

/** Imports an optional package by a name TypeScript does not resolve at compile time (it may be absent). */
async function importOptional(name: string): Promise<Record<string, unknown>> {
  return (await import(name)) as Record<string, unknown>;
}

async function activate(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend("${tfName}") returned false`);
  await tf.ready();
}

interface WebGpuModule {
  create(flags: string[]): { requestAdapter(opts?: unknown): Promise<unknown | null> };
  globals: Record<string, unknown>;
}

let webgpuProbe: Promise<{ gpu: ReturnType<WebGpuModule["create"]>; globals: Record<string, unknown>; adapter: unknown }> | undefined;

/** Dawn is created once per process: each `create` starts a native instance and scans for adapters. */
function findWebGpuAdapter() {
  webgpuProbe ??= (async () => {
    const mod = (await importOptional("webgpu")) as unknown as WebGpuModule;
    const gpu = mod.create([]);
    const adapter = await gpu.requestAdapter();
    return { gpu, globals: mod.globals, adapter };
  })();
  return webgpuProbe;
}

const probes: Record<BackendName, Probe> = {
  "tfjs-node-gpu": async () => {
    // Importing it registers the "tensorflow" backend (libtensorflow with CUDA) and selects it.
    await importOptional("@tensorflow/tfjs-node-gpu");
    await activate("tensorflow");
    return "libtensorflow with CUDA";
  },
  webgpu: async () => {
    const { gpu, globals, adapter } = await findWebGpuAdapter();
    if (!adapter) throw new Error("Dawn found no GPU adapter (no Vulkan/Metal/D3D12 device on this machine)");
    // tfjs-backend-webgpu looks for `navigator.gpu` and the GPU* classes as globals, as in a browser.
    Object.assign(globalThis, globals);
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (!g.navigator) Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
    else if (!g.navigator.gpu) Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
    await importOptional("@tensorflow/tfjs-backend-webgpu");
    await activate("webgpu");
    return "WebGPU over Dawn";
  },
  "tfjs-node": async () => {
    await importOptional("@tensorflow/tfjs-node");
    await activate("tensorflow");
    return "libtensorflow CPU";
  },
  wasm: async (opts) => {
    const wasm = (await import("@tensorflow/tfjs-backend-wasm")) as typeof import("@tensorflow/tfjs-backend-wasm");
    if (opts.wasmThreads !== undefined) wasm.setThreadsCount(opts.wasmThreads);
    await activate("wasm");
    return `WebAssembly${opts.wasmThreads !== undefined ? `, ${opts.wasmThreads} thread(s) requested` : ""}`;
  },
  cpu: async () => {
    await activate("cpu");
    return "plain JavaScript";
  },
};

/**
 * Picks the first candidate that loads and initialises, makes it tfjs's active backend, and says why each other
 * candidate was passed over. Throws only if even the cpu backend (shipped with @tensorflow/tfjs) fails.
 */
export async function chooseBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const order = [...(options.order ?? BACKEND_ORDER)];
  if (!order.includes("cpu") && !options.strict) order.push("cpu");
  const reasons: BackendReason[] = [];
  let chosen: BackendName | undefined;
  for (const name of order) {
    if (chosen) {
      reasons.push({ backend: name, status: "not-tried", reason: `${chosen} was chosen first` });
      continue;
    }
    try {
      const why = await (options.probes?.[name] ?? probes[name])(options);
      chosen = name;
      reasons.push({ backend: name, status: "chosen", reason: why });
    } catch (e) {
      reasons.push({ backend: name, status: "skipped", reason: message(e) });
    }
  }
  if (!chosen) throw new Error(`no tfjs backend could start: ${reasons.map((r) => `${r.backend}: ${r.reason}`).join("; ")}`);
  return { name: chosen, tfName: tf.getBackend(), reasons };
}
