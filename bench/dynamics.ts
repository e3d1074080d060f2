/*
 * Dynamics benchmark: the real-time predictor against the windowed tfjs forward pass and a PyTorch peer, all in one
 * run on one core, on the same weights. Prints tables with ratios; never passes or fails on time.
 *
 * What is compared with what:
 * - predictor: one FastPredictor tick (2 LSTM stream steps + head + decode), the real-time path.
 * - tfjs_window: TfjsWindowPredictor tick — tfjs `model.predict` over the padded H-frame window, the same prediction.
 * - kernel_step vs pytorch: ONE streaming LSTM step (batch 1, state carried) + head — the same arithmetic on each side.
 * - pytorch_tick: PyTorch doing what a predictor tick does (two streams as a batch of 2 + head).
 * - floor: multiply-adds per tick ÷ a tight-loop multiply-add rate measured in this run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Frame } from "../perception/types.js";
import { Validity } from "../perception/types.js";
import { buildModel, channelIndex, encodeFrame, STD_EPS, type HeadSpec } from "../dynamics/model.js";
import type { ModelSpec } from "../dynamics/spec.js";
import { chooseBackend, type BackendChoice } from "../dynamics/backend.js";
import { kernelWeightsFromModel, macsPerStep, type KernelWeights } from "../dynamics/kernel-weights.js";
import { createLstmKernel, defaultKernel } from "../dynamics/kernel-choice.js";
import { instantiateGates } from "../dynamics/kernel-wasm.js";
import { BatchPredictor, FastPredictor, predictorModel, type PredictorModel } from "../dynamics/predictor.js";
import { TfjsWindowPredictor } from "../dynamics/predictor-tfjs.js";
import { loadModel, type ModelStore } from "../dynamics/save.js";
import { prng } from "../dynamics/prng.js";
import { adamState, adamStep, localEngine, packWeights, poolEngine, trainLayout, trainMacsPerWindow, type GradEngine, type TrainBatch } from "../dynamics/train-kernel/index.js";

export interface Latency {
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  n: number;
}

/** Model folders on disk, handed in by runtime/ (which loads bench/: no import runs back up to it). */
export interface BenchModelFolders {
  /** The bundled default model's folder. */
  readonly defaultDir: string;
  readonly store: (dir: string) => ModelStore;
}

export interface DynamicsBenchOptions {
  readonly folders: BenchModelFolders;
  /** Model folder; default: the bundled default model, or a fresh 2×64 model when none is bundled yet. */
  readonly modelDir?: string;
  /** Bench the fresh 2×64 stand-in model even when a default model is bundled (to compare 2×64 figures). */
  readonly standIn?: boolean;
  /** Timed predictor ticks (after warm-up). */
  readonly ticks?: number;
  /** Upper bound on the time spent timing tfjs predict (s). */
  readonly tfjsSeconds?: number;
  /** Run the PyTorch peer (default true). */
  readonly peer?: boolean;
  readonly python?: string;
  /** Pin the peer to one core with taskset (default true where taskset exists). */
  readonly pin?: boolean;
  /** Training batches timed per round on the tfjs side (×5 for PyTorch, ×10 for the kernel: similar seconds each). */
  readonly trainBatches?: number;
  /** Interleaved training rounds; the median is reported (default 3). */
  readonly trainRounds?: number;
  readonly log?: (line: string) => void;
}

export interface DynamicsBenchReport {
  predictor: Latency;
  tfjs_window: Latency;
  pytorch: Latency | null;
  model: { source: string; spec: ModelSpec; macs_per_tick: number; macs_per_step: number };
  backend: { name: string; reasons: BackendChoice["reasons"] };
  predictor_reuse_output: Latency;
  kernel_step: Latency;
  pytorch_tick: Latency | null;
  floor: {
    macs_per_tick: number;
    kernel: string;
    mac_rate_gmacs: number;
    js_mac_rate_gmacs: number;
    simd_mac_rate_gmacs: number | null;
    floor_ms: number;
    predictor_over_floor: number;
    method: string;
  };
  predictor_js: Latency;
  /** Per batch size: the median tick for all agents (ms), per agent, and the speed-up over N single-agent ticks. */
  batched: { agents: number; tick_ms: number; us_per_agent: number; agent_ticks_per_s: number; vs_single: number }[];
  training: {
    batch: number;
    history: number;
    tfjs_windows_per_s: number;
    tfjs_backend: string;
    pytorch_windows_per_s: number | null;
    loss: string;
    /** The training kernel (dynamics/train-kernel), one thread: median of the interleaved rounds. */
    kernel_windows_per_s: number;
    /** The same on two worker threads (identical results; the machine's second core). */
    kernel_2threads_windows_per_s: number | null;
    kernel_kind: string;
    kernel_over_tfjs: number;
    kernel_over_pytorch: number | null;
    /** Forward + backward multiply-adds per window at the measured SIMD rate: the kernel's arithmetic floor. */
    kernel_floor: { macs_per_window: number; simd_rate_gmacs: number | null; floor_windows_per_s: number | null; share_of_floor: number | null };
    /** Per round (interleaved kernel / tfjs / 2 threads), windows/s. */
    rounds: { kernel: number[]; tfjs: number[]; kernel_2threads: number[]; pytorch: number[] };
    targets: { kernel_over_tfjs: number; kernel_over_pytorch: number };
  };
  agreement: { tfjs_max_abs_err: number; pytorch_max_abs_err: number | null; tolerance: number };
  ratios: { tfjs_over_predictor: number; pytorch_step_over_kernel_step: number | null; pytorch_tick_over_predictor: number | null };
  targets: { predictor_p99_ms: number; tfjs_over_predictor: number; pytorch_over_ours: number };
  /** The machine while the bench ran: on a shared, loaded machine p99 mostly measures preemption. */
  machine: { cpus: number; cpu_model: string; loadavg_1m_before: number; loadavg_1m_after: number; node: string };
  notes: string[];
}

const hrms = () => Number(process.hrtime.bigint()) / 1e6;

function summarise(ms: number[]): Latency {
  const s = Float64Array.from(ms).sort();
  const n = s.length;
  return { p50_ms: s[n >> 1], p99_ms: s[Math.min(n - 1, Math.floor(n * 0.99))], mean_ms: ms.reduce((a, b) => a + b, 0) / n, n };
}

/** The spec of the fresh stand-in model: the default model's sizes (2×64) on F1TENTH-like channels. */
const STAND_IN: ModelSpec = {
  features: ["speed", "accel", "yaw_rate", "steer", "steer_cmd", "speed_cmd"],
  actions: ["steer_cmd", "speed_cmd"],
  rate: 20,
  history: 40,
  horizon: 20,
  layers: 2,
  units: 64,
};

async function benchModel(folders: BenchModelFolders, dir: string | undefined, standIn: boolean, notes: string[]): Promise<{ m: PredictorModel; source: string }> {
  const d = dir ?? folders.defaultDir;
  if (!standIn && (dir !== undefined || existsSync(join(d, "lam.json")))) {
    return { m: predictorModel(await loadModel(folders.store(d))), source: d };
  }
  notes.push(
    standIn
      ? `--stand-in: benchmarked a freshly built ${STAND_IN.layers}×${STAND_IN.units} model (untrained weights; the cost does not depend on their values)`
      : `no bundled default model at ${d}: benchmarked a freshly built ${STAND_IN.layers}×${STAND_IN.units} model`,
  );
  const model = buildModel(STAND_IN, { seed: 1 });
  const F = STAND_IN.features.length;
  const head: HeadSpec = { kind: "residual-hold", scale: STAND_IN.actions.map(() => 1), fallback: STAND_IN.actions.map(() => 0), eps: STD_EPS };
  return {
    m: { model, spec: STAND_IN, featureNorm: { channels: [...STAND_IN.features], mean: new Array(F).fill(0), std: new Array(F).fill(1) }, head },
    source: `fresh ${STAND_IN.layers}x${STAND_IN.units} (buildModel seed 1)`,
  };
}

function frameChannelsOf(spec: ModelSpec): string[] {
  return [...new Set([...spec.features, ...spec.actions])];
}

function randomFrames(n: number, width: number, rate: number, seed: number): Frame[] {
  const rng = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    t: i / rate,
    values: Float32Array.from({ length: width }, () => (rng.next() * 2 - 1) * 2),
    valid: new Uint8Array(width).fill(Validity.Fresh),
  }));
}

/**
 * Multiply-adds per second of tight in-cache loops shaped like the kernel's inner loop (rows of K), each pass about
 * one tick's worth of work; the median pass, so it is comparable with the predictor's p50 under the same load.
 * "js": a 4-accumulator Float32×Float64 dot product. "simd": the wasm gate function itself on 2 slots.
 */
function macRates(K: number): { js: number; simd: number | null } {
  const rows = 256;
  const passes = 400;
  const median = (fn: () => void, macs: number) => {
    for (let i = 0; i < 200; i++) fn();
    const ms = new Array<number>(passes);
    for (let i = 0; i < passes; i++) {
      const t0 = hrms();
      fn();
      ms[i] = hrms() - t0;
    }
    return macs / (summarise(ms).p50_ms / 1000);
  };
  const w = Float32Array.from({ length: K * rows }, (_, i) => ((i % 7) - 3) * 0.01);
  const v = Float64Array.from({ length: 2 * K }, (_, i) => ((i % 5) - 2) * 0.1);
  const K4 = K & ~3;
  let sink = 0;
  const js = median(() => {
    for (let r = 0; r < rows; r++) {
      const o = r * K;
      for (let s = 0; s < 2; s++) {
        const p = s * K;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let k = 0; k < K4; k += 4) {
          a0 += w[o + k] * v[p + k]; a1 += w[o + k + 1] * v[p + k + 1]; a2 += w[o + k + 2] * v[p + k + 2]; a3 += w[o + k + 3] * v[p + k + 3];
        }
        sink += a0 + a1 + a2 + a3;
      }
    }
  }, 2 * rows * K4);
  if (!Number.isFinite(sink)) throw new Error("unreachable");
  const Kp = (K + 3) & ~3;
  const wasm = instantiateGates((rows * Kp + rows + 2 * Kp + 2 * rows) * 4);
  let simd: number | null = null;
  if (wasm) {
    const mem = new Float32Array(wasm.memory.buffer);
    mem.fill(0.01, 0, rows * Kp + rows + 2 * Kp);
    const bias = rows * Kp * 4;
    const vp = bias + rows * 4;
    const zp = vp + 2 * Kp * 4;
    simd = median(() => wasm.gates(0, bias, vp, zp, 2, Kp, rows), 2 * rows * Kp);
  }
  return { js, simd };
}

/** The peer's input: Keras-layout weights, the check sequence and the run sizes. */
function peerSpec(w: KernelWeights, spec: ModelSpec, check: Float32Array, T: number, steps: number, trainBatches: number, trainRounds: number) {
  return {
    features: w.features,
    layers: w.layers.map((l) => {
      // Undo the kernel's fusion: export Keras layouts, which the peer maps to PyTorch's.
      const G = 4 * l.units;
      const K = l.inputSize + l.units;
      const kernel = new Array<number>(l.inputSize * G);
      const recurrent = new Array<number>(l.units * G);
      for (let j = 0; j < G; j++) {
        for (let k = 0; k < l.inputSize; k++) kernel[k * G + j] = l.gates[j * K + k];
        for (let k = 0; k < l.units; k++) recurrent[k * G + j] = l.gates[j * K + l.inputSize + k];
      }
      return { inputSize: l.inputSize, units: l.units, kernel, recurrent, bias: Array.from(l.bias) };
    }),
    head: (() => {
      const { inputSize: I, outputs: O, w: hw, bias } = w.head;
      const kernel = new Array<number>(I * O);
      for (let o = 0; o < O; o++) for (let k = 0; k < I; k++) kernel[k * O + o] = hw[o * I + k];
      return { outputs: O, kernel, bias: Array.from(bias) };
    })(),
    check: { T, inputs: Array.from(check) },
    latency: { steps, warmup: Math.min(2000, steps) },
    train: { batch: 64, history: spec.history, batches: trainBatches, warmup: 2, rounds: trainRounds },
  };
}

interface PeerOut {
  torch: string;
  threads: number;
  check: number[];
  step: Latency;
  tick: Latency;
  train: { windows_per_s: number; rounds?: number[] };
}

function runPeer(python: string, pin: boolean, input: object, notes: string[], log: (s: string) => void): PeerOut | null {
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    notes.push(`PyTorch peer skipped: ${python} cannot import torch (${(probe.error?.message ?? probe.stderr).trim().split("\n").pop()})`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "lam-bench-"));
  try {
    const file = join(dir, "peer.json");
    writeFileSync(file, JSON.stringify(input));
    const script = new URL("./peer/lstm_peer.py", import.meta.url).pathname.replace("/dist/bench/", "/bench/");
    const hasTaskset = pin && spawnSync("taskset", ["-c", "0", "true"]).status === 0;
    const [cmd, args] = hasTaskset ? ["taskset", ["-c", "0", python, script, file]] : [python, [script, file]];
    if (pin && !hasTaskset) notes.push("taskset not available: the PyTorch peer ran unpinned (one torch thread)");
    log(`bench: PyTorch peer: ${[cmd, ...args].join(" ")}`);
    const r = spawnSync(cmd, args as string[], { encoding: "utf8", maxBuffer: 64 << 20, timeout: 600_000, env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } });
    if (r.status !== 0) throw new Error(`PyTorch peer failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as PeerOut;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies a LayersModel through an in-memory save/load: training the copy leaves the benchmarked weights alone. */
async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}

async function tfjsTraining(model: tf.LayersModel, spec: ModelSpec, batches: number): Promise<number> {
  const m = await cloneModel(model);
  const B = 64;
  const H = spec.history;
  const F = spec.features.length;
  const O = (m.outputs[0].shape[1] as number) ?? spec.horizon * spec.actions.length * 2;
  const rng = prng(1);
  const x = tf.tensor3d(Float32Array.from({ length: B * H * F }, () => rng.next() * 2 - 1), [B, H, F]);
  const y = tf.tensor2d(Float32Array.from({ length: B * O }, () => rng.next() * 2 - 1), [B, O]);
  m.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  for (let i = 0; i < 2; i++) await m.trainOnBatch(x, y);
  const t0 = hrms();
  for (let i = 0; i < batches; i++) await m.trainOnBatch(x, y);
  const s = (hrms() - t0) / 1000;
  x.dispose();
  y.dispose();
  m.dispose();
  return (B * batches) / s;
}

/** Full-length random windows of the model's shape: the batch every trainer in the bench times. */
function benchBatch(spec: ModelSpec, B: number): TrainBatch {
  const rng = prng(1);
  const T = spec.history, F = spec.features.length, A = spec.actions.length, h = spec.horizon;
  return {
    B, T, F, A, horizon: h,
    x: Float32Array.from({ length: B * T * F }, () => rng.next() * 2 - 1),
    last: Float32Array.from({ length: B * A }, () => rng.next() - 0.5),
    y: Float32Array.from({ length: B * h * A }, () => rng.next() - 0.5),
  };
}

/** Training windows/s of the kernel: gradient (forward + BPTT) + Adam per batch of 64, as fitFlat runs it. */
async function kernelTraining(m: PredictorModel, batches: number, engine: GradEngine): Promise<number> {
  const spec = m.spec;
  const L = trainLayout(spec);
  const P = packWeights(L, m.model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array)));
  const batch = benchBatch(spec, 64);
  const grad = new Float32Array(L.size);
  const adam = adamState(L.size);
  const scale = 1 / (64 * spec.horizon * spec.actions.length);
  const step = async () => {
    await engine.grad(P, batch, scale, grad);
    adamStep(P, grad, adam, 1e-3, [[0, L.size]]);
  };
  for (let i = 0; i < 2; i++) await step();
  const t0 = hrms();
  for (let i = 0; i < batches; i++) await step();
  return (64 * batches) / ((hrms() - t0) / 1000);
}

/** Widens (or narrows back) this process's CPU affinity; threads created meanwhile inherit it. Null when no taskset. */
function affinity(cpuList: string): boolean {
  return spawnSync("taskset", ["-cp", cpuList, String(process.pid)]).status === 0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};

export async function runDynamicsBench(opts: DynamicsBenchOptions): Promise<DynamicsBenchReport> {
  const log = opts.log ?? (() => {});
  const notes: string[] = [];
  const loadBefore = loadavg()[0];
  const ticks = opts.ticks ?? 20_000;
  const backend = await chooseBackend({ wasmThreads: 1 });
  log(`bench: tfjs backend ${backend.name}`);
  const { m, source } = await benchModel(opts.folders, opts.modelDir, opts.standIn ?? false, notes);
  const spec = m.spec;
  const frameChannels = frameChannelsOf(spec);
  const frames = randomFrames(4096, frameChannels.length, spec.rate, 1);
  const weights = kernelWeightsFromModel(m.model);
  const macs = macsPerStep(weights);
  const macsTick = 2 * macs.lstm + macs.head;

  // Real-time predictor, one agent.
  log(`bench: predictor, ${ticks} ticks`);
  const timeTicks = (p: { step(f: Frame): unknown }, n: number, warm: number) => {
    for (let i = 0; i < warm; i++) p.step(frames[i & 4095]);
    const ms = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const f = frames[i & 4095];
      const t0 = hrms();
      p.step(f);
      ms[i] = hrms() - t0;
    }
    return summarise(ms);
  };
  const kernel = defaultKernel();
  log(`bench: kernel ${kernel}`);
  const predictor = timeTicks(new FastPredictor(m, { frameChannels, weights }), ticks, 3000);
  const predictorJs = timeTicks(new FastPredictor(m, { frameChannels, weights, kernel: "js" }), ticks, 3000);
  const predictorReuse = timeTicks(new FastPredictor(m, { frameChannels, weights, reuseOutput: true }), ticks, 3000);

  // One stream step + head: the unit PyTorch is compared on.
  const stack = createLstmKernel(weights, 1);
  const x = new Float32Array(weights.features);
  const raw = new Float32Array(weights.head.outputs);
  const kernelStep = timeTicks({ step: (f: Frame) => { x.set(f.values.subarray(0, weights.features)); stack.step(x); stack.head(0, raw); } }, ticks, 3000);

  // tfjs window predictions, checked against the fast predictor on the way.
  const tfjsSeconds = opts.tfjsSeconds ?? 10;
  log(`bench: tfjs window predict, up to ${tfjsSeconds} s`);
  const ref = new TfjsWindowPredictor(m, { frameChannels });
  const fast = new FastPredictor(m, { frameChannels, weights });
  const tfMs: number[] = [];
  let tfErr = 0;
  const tStart = hrms();
  for (let i = 0; i < 5000; i++) {
    const f = frames[i & 4095];
    const a = fast.step(f);
    const t0 = hrms();
    const b = ref.step(f);
    const dt = hrms() - t0;
    if (i >= 5) tfMs.push(dt);
    for (let k = 0; k < a.mean.length; k++) tfErr = Math.max(tfErr, Math.abs(a.mean[k] - b.mean[k]), Math.abs(a.std![k] - b.std![k]));
    if (tfMs.length >= 50 && hrms() - tStart > tfjsSeconds * 1000) break;
  }
  const tfjsWindow = summarise(tfMs);

  // Floor.
  const lastLayer = weights.layers[weights.layers.length - 1];
  const rates = macRates(lastLayer.inputSize + lastLayer.units);
  const rate = kernel === "simd" && rates.simd ? rates.simd : rates.js;
  const floorMs = (macsTick / rate) * 1000;

  // Batched agents.
  const batched: DynamicsBenchReport["batched"] = [];
  for (const N of [1, 8, 64]) {
    const bp = new BatchPredictor(m, N, { frameChannels, weights, reuseOutput: true });
    const group = Array.from({ length: N }, (_, i) => frames[i]);
    const n = Math.max(50, Math.round(ticks / N / 2));
    for (let i = 0; i < Math.min(500, n); i++) bp.step(group);
    const ms = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < N; a++) group[a] = frames[(i + a * 7) & 4095];
      const t0 = hrms();
      bp.step(group);
      ms[i] = hrms() - t0;
    }
    // Median tick: the machine is shared, and a mean would charge other processes' time slices to the kernel.
    const tick = summarise(ms).p50_ms;
    batched.push({ agents: N, tick_ms: tick, us_per_agent: (tick / N) * 1000, agent_ticks_per_s: (N / tick) * 1000, vs_single: 0 });
  }
  for (const b of batched) b.vs_single = (batched[0].tick_ms * b.agents) / b.tick_ms;

  // PyTorch peer on the same weights; the check sequence runs through our kernel too.
  const trainBatches = opts.trainBatches ?? 10;
  const T = spec.history;
  const featureIdx = channelIndex(frameChannels, spec.features);
  const check = new Float32Array(T * weights.features);
  for (let t = 0; t < T; t++) encodeFrame(frames[100 + t], featureIdx, m.featureNorm, check, t * weights.features);
  let peer: PeerOut | null = null;
  let peerErr: number | null = null;
  if (opts.peer !== false) {
    peer = runPeer(opts.python ?? "/usr/bin/python3", opts.pin !== false, peerSpec(weights, spec, check, T, Math.min(ticks, 5000), trainBatches * 5, opts.trainRounds ?? 3), notes, log);
    if (peer) {
      const own = createLstmKernel(weights, 1);
      for (let t = 0; t < T; t++) own.step(check.subarray(t * weights.features, (t + 1) * weights.features));
      own.head(0, raw);
      peerErr = 0;
      for (let k = 0; k < raw.length; k++) peerErr = Math.max(peerErr, Math.abs(raw[k] - peer.check[k]));
      if (!(peerErr < 1e-4)) throw new Error(`PyTorch peer disagrees with the kernel on the same weights: max abs error ${peerErr} (tolerance 1e-4)`);
    }
  } else notes.push("PyTorch peer not run (--no-peer)");
  if (!(tfErr < 1e-4)) throw new Error(`tfjs window and fast predictor disagree: max abs error ${tfErr} (tolerance 1e-4)`);

  // Training throughput, same data sizes and batch on every side, in interleaved rounds (the machine is shared):
  // kernel (1 thread), tfjs, kernel (2 threads); PyTorch's rounds run in its own process above.
  const rounds = opts.trainRounds ?? 3;
  const engine1 = localEngine(trainLayout(spec), spec.history, m.head);
  const kernelBatches = trainBatches * 10;
  const twoCores = cpus().length >= 2;
  const kRounds: number[] = [];
  const tRounds: number[] = [];
  const k2Rounds: number[] = [];
  // The bench pins itself to core 0; the two workers are started with cores 0 and 1 (threads inherit the affinity
  // of their creator), then the main thread goes back to core 0 alone.
  const widened = twoCores && opts.pin !== false && affinity("0,1");
  const pool = twoCores ? poolEngine(trainLayout(spec), spec.history, m.head, 2) : null;
  if (widened) affinity("0");
  try {
    for (let r = 0; r < rounds; r++) {
      log(`bench: training round ${r + 1}/${rounds}: kernel ${kernelBatches} batches, tfjs ${trainBatches} batches${pool ? ", kernel on 2 threads" : ""}`);
      kRounds.push(await kernelTraining(m, kernelBatches, engine1));
      tRounds.push(await tfjsTraining(m.model, spec, trainBatches));
      if (pool) k2Rounds.push(await kernelTraining(m, kernelBatches, pool));
    }
  } finally {
    await pool?.close();
  }
  if (!twoCores) notes.push("one CPU: the 2-thread training figure was not measured");
  const tfTrain = median(tRounds);
  const kTrain = median(kRounds);
  const k2Train = k2Rounds.length ? median(k2Rounds) : null;
  const pyTrain = peer ? peer.train.windows_per_s : null;
  const macsWindow = trainMacsPerWindow(trainLayout(spec), spec.history);
  const macsPerWindow = macsWindow.forward + macsWindow.backward;
  const floorWps = rates.simd ? rates.simd / macsPerWindow : null;

  const pytorch = peer ? peer.step : null;
  return {
    predictor,
    tfjs_window: tfjsWindow,
    pytorch,
    model: { source, spec, macs_per_tick: macsTick, macs_per_step: macs.lstm + macs.head },
    backend: { name: backend.name, reasons: backend.reasons },
    predictor_reuse_output: predictorReuse,
    kernel_step: kernelStep,
    pytorch_tick: peer ? peer.tick : null,
    floor: {
      macs_per_tick: macsTick,
      kernel,
      mac_rate_gmacs: rate / 1e9,
      js_mac_rate_gmacs: rates.js / 1e9,
      simd_mac_rate_gmacs: rates.simd === null ? null : rates.simd / 1e9,
      floor_ms: floorMs,
      predictor_over_floor: predictor.p50_ms / floorMs,
      method:
        "multiply-adds per tick (2 stream steps: 4U(in+U) per LSTM layer, + head U×outputs) ÷ the median multiply-add rate of a tight in-cache loop over rows of the same length, measured in this process for the kernel in use (wasm SIMD gate function, or a 4-accumulator JS dot product); the rest of a tick (sigmoid/tanh, encode, decode) is what the ratio shows above 1",
    },
    predictor_js: predictorJs,
    batched,
    training: {
      batch: 64,
      history: spec.history,
      tfjs_windows_per_s: tfTrain,
      tfjs_backend: backend.name,
      pytorch_windows_per_s: pyTrain,
      loss: "tfjs and PyTorch: MSE on the head output, Adam 1e-3; kernel: the model's own head NLL, Adam 1e-3; full-length random windows (all sides)",
      kernel_windows_per_s: kTrain,
      kernel_2threads_windows_per_s: k2Train,
      kernel_kind: engine1.kind,
      kernel_over_tfjs: kTrain / tfTrain,
      kernel_over_pytorch: pyTrain ? kTrain / pyTrain : null,
      kernel_floor: { macs_per_window: macsPerWindow, simd_rate_gmacs: rates.simd === null ? null : rates.simd / 1e9, floor_windows_per_s: floorWps, share_of_floor: floorWps ? kTrain / floorWps : null },
      rounds: { kernel: kRounds, tfjs: tRounds, kernel_2threads: k2Rounds, pytorch: peer?.train.rounds ?? [] },
      targets: { kernel_over_tfjs: 7, kernel_over_pytorch: 0.5 },
    },
    agreement: { tfjs_max_abs_err: tfErr, pytorch_max_abs_err: peerErr, tolerance: 1e-4 },
    ratios: {
      tfjs_over_predictor: tfjsWindow.p50_ms / predictor.p50_ms,
      pytorch_step_over_kernel_step: peer ? peer.step.p50_ms / kernelStep.p50_ms : null,
      pytorch_tick_over_predictor: peer ? peer.tick.p50_ms / predictor.p50_ms : null,
    },
    targets: { predictor_p99_ms: 0.1, tfjs_over_predictor: 10, pytorch_over_ours: 3 },
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "?", loadavg_1m_before: loadBefore, loadavg_1m_after: loadavg()[0], node: process.version },
    notes,
  };
}

const f3 = (x: number) => (x >= 1 ? x.toFixed(2) : x.toPrecision(3));

/** The human-readable tables. */
export function formatDynamicsTable(r: DynamicsBenchReport): string {
  const rows: string[] = [];
  const s = r.model.spec;
  rows.push(`lam bench — dynamics (${r.model.source}; ${s.layers}×${s.units} LSTM, F=${s.features.length}, H=${s.history}, horizon ${s.horizon}; kernel ${r.floor.kernel}; tfjs backend ${r.backend.name})`);
  rows.push("");
  rows.push("  per tick, one agent, one core        p50 ms     p99 ms    vs predictor p50");
  const line = (name: string, l: Latency | null, base: number) =>
    l ? `  ${name.padEnd(36)} ${f3(l.p50_ms).padStart(9)}  ${f3(l.p99_ms).padStart(9)}    ${(l.p50_ms / base).toFixed(2)}×` : `  ${name.padEnd(36)} ${"-".padStart(9)}  ${"-".padStart(9)}    (not run)`;
  const base = r.predictor.p50_ms;
  rows.push(line("predictor (2 streams + head)", r.predictor, base));
  rows.push(line("predictor, reused output buffers", r.predictor_reuse_output, base));
  rows.push(line("predictor, plain JS kernel", r.predictor_js, base));
  rows.push(line("tfjs model.predict on the window", r.tfjs_window, base));
  rows.push(line("pytorch tick (batch 2 + head)", r.pytorch_tick, base));
  rows.push("");
  rows.push("  one LSTM step + head, batch 1         p50 ms     p99 ms    vs ours p50");
  rows.push(line("ours (kernel_step)", r.kernel_step, r.kernel_step.p50_ms));
  rows.push(line("pytorch (1 thread)", r.pytorch, r.kernel_step.p50_ms));
  rows.push("");
  rows.push(
    `  floor: ${r.floor.macs_per_tick} multiply-adds/tick at ${r.floor.mac_rate_gmacs.toFixed(2)} GMAC/s (${r.floor.kernel} tight loop; js ${r.floor.js_mac_rate_gmacs.toFixed(2)}, simd ${r.floor.simd_mac_rate_gmacs?.toFixed(2) ?? "-"}) = ${f3(r.floor.floor_ms)} ms; predictor p50 is ${r.floor.predictor_over_floor.toFixed(2)}× the floor`,
  );
  rows.push("");
  rows.push("  batched agents   tick ms    µs/agent   agent-ticks/s   vs N single");
  for (const b of r.batched) {
    rows.push(`  ${String(b.agents).padStart(14)}   ${f3(b.tick_ms).padStart(7)}   ${b.us_per_agent.toFixed(1).padStart(9)}   ${Math.round(b.agent_ticks_per_s).toString().padStart(13)}   ${b.vs_single.toFixed(2)}×`);
  }
  rows.push("");
  const t = r.training;
  rows.push(
    `  training (batch ${t.batch}, H=${t.history}, 1 thread): tfjs ${t.tfjs_windows_per_s.toFixed(0)} windows/s (${t.tfjs_backend}), pytorch ${t.pytorch_windows_per_s === null ? "-" : t.pytorch_windows_per_s.toFixed(0)} windows/s` +
      (t.pytorch_windows_per_s ? ` (pytorch/tfjs ${(t.pytorch_windows_per_s / t.tfjs_windows_per_s).toFixed(2)}×)` : ""),
  );
  const kr = (x: number | null) => (x === null ? "-" : x.toFixed(0));
  rows.push(
    `  training kernel (${t.kernel_kind}, batch ${t.batch}, H=${t.history}): 1 thread ${kr(t.kernel_windows_per_s)} windows/s = ${t.kernel_over_tfjs.toFixed(1)}× tfjs, ${t.kernel_over_pytorch === null ? "-" : t.kernel_over_pytorch.toFixed(2)}× pytorch; 2 threads ${kr(t.kernel_2threads_windows_per_s)} windows/s`,
  );
  rows.push(
    `  training floor: ${t.kernel_floor.macs_per_window} multiply-adds/window (forward + backward) at ${t.kernel_floor.simd_rate_gmacs?.toFixed(2) ?? "-"} GMAC/s = ${kr(t.kernel_floor.floor_windows_per_s)} windows/s; the kernel runs at ${t.kernel_floor.share_of_floor === null ? "-" : (100 * t.kernel_floor.share_of_floor).toFixed(0)}% of it`,
  );
  rows.push(`  training rounds (median reported): kernel ${t.rounds.kernel.map((x) => x.toFixed(0)).join(", ")}; tfjs ${t.rounds.tfjs.map((x) => x.toFixed(0)).join(", ")}; pytorch ${t.rounds.pytorch.map((x) => x.toFixed(0)).join(", ") || "-"}; kernel 2 threads ${t.rounds.kernel_2threads.map((x) => x.toFixed(0)).join(", ") || "-"}`);
  rows.push(`  agreement on the same weights: tfjs ${r.agreement.tfjs_max_abs_err.toExponential(2)}, pytorch ${r.agreement.pytorch_max_abs_err === null ? "-" : r.agreement.pytorch_max_abs_err.toExponential(2)} max abs (tolerance ${r.agreement.tolerance})`);
  rows.push("");
  const ok = (b: boolean) => (b ? "met" : "MISSED");
  rows.push(`  targets: predictor p99 ≤ ${r.targets.predictor_p99_ms} ms: ${ok(r.predictor.p99_ms <= r.targets.predictor_p99_ms)}; tfjs ≥ ${r.targets.tfjs_over_predictor}× slower: ${ok(r.ratios.tfjs_over_predictor >= r.targets.tfjs_over_predictor)} (${r.ratios.tfjs_over_predictor.toFixed(1)}×); pytorch ≥ ${r.targets.pytorch_over_ours}× slower: ${r.ratios.pytorch_step_over_kernel_step === null ? "not run" : `${ok(r.ratios.pytorch_step_over_kernel_step >= r.targets.pytorch_over_ours)} (step ${r.ratios.pytorch_step_over_kernel_step.toFixed(1)}×, tick ${r.ratios.pytorch_tick_over_predictor!.toFixed(1)}×)`}`);
  rows.push(`  training targets: kernel ≥ ${t.targets.kernel_over_tfjs}× tfjs: ${ok(t.kernel_over_tfjs >= t.targets.kernel_over_tfjs)} (${t.kernel_over_tfjs.toFixed(1)}×); kernel ≥ ${t.targets.kernel_over_pytorch}× pytorch: ${t.kernel_over_pytorch === null ? "not run" : `${ok(t.kernel_over_pytorch >= t.targets.kernel_over_pytorch)} (${t.kernel_over_pytorch.toFixed(2)}×)`}`);
  rows.push(`  machine: ${r.machine.cpus} × ${r.machine.cpu_model}, load average ${r.machine.loadavg_1m_before.toFixed(1)} → ${r.machine.loadavg_1m_after.toFixed(1)}, node ${r.machine.node}`);
  for (const n of r.notes) rows.push(`  note: ${n}`);
  return rows.join("\n") + "\n";
}
