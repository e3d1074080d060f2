import { parseArgs } from "node:util";
import { UsageError, type CliIO } from "../io.js";
import { commandBackend } from "../backend-choice.js";
import { trainRun, type ChoiceMargin, type TrainRunOptions } from "../../dynamics/train-run.js";
import { trainEnsemble, type EnsembleSummary } from "../../dynamics/ensemble.js";
import { saveModel, loadModel } from "../../dynamics/save.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { trainerFor, type Trainer, type TrainProgress } from "../../dynamics/train.js";
import { dirStore } from "../model-dir.js";
import { loadSeries } from "../drive-frames.js";
import { Progress } from "../progress.js";

const HELP = `usage: lam train <drive...> --out DIR [options]

  --out DIR            model folder to write (model.json, weights.bin, lam.json)
  --epochs N           maximum epochs (default 40; early stopping on validation loss)
  --history S          seconds of history per window (default 1.6)
  --horizon S          seconds predicted (default 1.0)
  --rate HZ            frame rate (default 20)
  --seed N             seed for initial weights and shuffling (default 1)
  --features a,b,...   feature channels (default speed,yaw_rate,accel,lat_accel + the actions)
  --actions a,b,...    action channels (default speed_cmd,steer_cmd)
  --units N --layers N LSTM size (default 32 units, 1 layer)
  --finetune DIR       start from this model (keeps its spec and normalisation)
  --freeze-encoder     with --finetune: train the head only, LSTM weights stay fixed
  --batch-size N       windows per batch (default 64)
  --lr X               initial Adam learning rate (default 0.003, ×0.95 per epoch)
  --l2 X               L2 weight decay on kernels (default 1e-5)
  --input-noise X      std of Gaussian noise on normalised training inputs (default 0)
  --block-seconds S    length of the train/validation/test time blocks (default 10)
  --dist gaussian|laplace
                       the head's residual distribution in training (default gaussian; laplace aims at the
                       median change, what ADE scores)
  --stop-on loss|ade   validation score for early stopping and the kept weights (default loss)
  --sources best|model per action, where the mean comes from (default best: the net, or the baseline — hold-last,
                       linear, AR — with the lowest validation ADE where the net does not beat it; model: the net)
  --hold-where-worse   former name of --sources best
  --choice-margin M|significant
                       with --sources best, how clearly the net must beat an action's best baseline on validation
                       to answer it: M in [0, 1) = its validation ADE below (1 - M) x the baseline's (default 0.02;
                       0 = strictly below); significant = the paired per-window difference below 0 at one-sided 95 %
  --residual-over best|hold_last|linear|ar|last
                       the baseline the net's residual is over, per action (best: the one of lowest validation
                       ADE); the net starts at exactly that baseline (default best; with --finetune, the base's);
                       last: the change from the last action with a small random head start (before 2026-11-30)
  --holdout-tail F     test on the last fraction F of every drive by time (e.g. 0.3); train/validation blocks
                       from the rest (default: test blocks interleaved with the others)
  --map NAME|FILE      CSV column map for CSV drives (built-in name or JSON file; default: detected)
  --trainer kernel|tfjs
                       force the training path (default: the WebAssembly SIMD training kernel on the wasm/cpu
                       tfjs backends, tfjs where tfjs-node(-gpu) or WebGPU is the active backend)
  --threads N          kernel trainer: worker threads (default 1); the result is identical for any N
  --clip-norm X        kernel trainer: clip the gradient's global L2 norm to X (default: no clipping)
  --ensemble K         train K members with seeds --seed .. --seed+K-1 and save their average as one ordinary
                       model of K x units (block-diagonal LSTM, averaged head; lam.json training.ensemble); the
                       per-action sources and held-out metrics are chosen and measured on the average (default 1)
  --per-action         train a separate net for each action (K each with --ensemble K), reading the features but
                       the other actions, and merge them into one model: a hard action no longer pulls another's
  --json               print the training summary and held-out metrics as one JSON object
Ctrl-C stops after the current batch and saves the best weights so far.
`;

export const DEFAULT_FEATURES = ["speed", "yaw_rate", "accel", "lat_accel"];
export const DEFAULT_ACTIONS = ["speed_cmd", "steer_cmd"];

function parseChoiceMargin(v: string | undefined): ChoiceMargin | undefined {
  if (v === undefined || v === "significant") return v;
  const m = v.trim() === "" ? NaN : Number(v);
  if (!(m >= 0 && m < 1)) throw new UsageError(`--choice-margin=${v} must be a fraction in [0, 1) or "significant"`);
  return m;
}

function num(flag: string, v: string | undefined, def: number, integer = false): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag}=${v} must be a positive ${integer ? "integer" : "number"}`);
  return n;
}

/** Renders progress as one rewritten stderr line: epoch, batch bar, loss, validation loss, ETA. */
export function progressLine(p: TrainProgress): string {
  const width = 20;
  const fill = Math.round((p.batch / p.batches) * width);
  const eta = p.etaS === null ? "?" : p.etaS >= 60 ? `${Math.floor(p.etaS / 60)}m${String(Math.round(p.etaS % 60)).padStart(2, "0")}s` : `${Math.round(p.etaS)}s`;
  const val = p.valLoss === null ? "-" : p.valLoss.toFixed(4);
  return `epoch ${p.epoch}/${p.epochs} [${"#".repeat(fill)}${".".repeat(width - fill)}] loss ${p.loss.toFixed(4)} val ${val} eta ${eta}`;
}

/** SIGINT → abort after the current batch; a second Ctrl-C exits at once. */
function interruptSignal(io: CliIO): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  const onInt = () => {
    if (ac.signal.aborted) process.exit(130);
    io.stderr.write("\nlam train: stopping after this batch, keeping the best weights (Ctrl-C again to quit)\n");
    ac.abort();
  };
  process.on("SIGINT", onInt);
  return { signal: ac.signal, release: () => process.off("SIGINT", onInt) };
}

export default async function train(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  if (signal) return trainWith(argv, io, signal);
  const int = interruptSignal(io);
  try {
    return await trainWith(argv, io, int.signal);
  } finally {
    int.release();
  }
}

async function trainWith(argv: string[], io: CliIO, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      epochs: { type: "string" },
      history: { type: "string" },
      horizon: { type: "string" },
      rate: { type: "string" },
      seed: { type: "string" },
      features: { type: "string" },
      actions: { type: "string" },
      units: { type: "string" },
      layers: { type: "string" },
      finetune: { type: "string" },
      "freeze-encoder": { type: "boolean" },
      "block-seconds": { type: "string" },
      "batch-size": { type: "string" },
      lr: { type: "string" },
      l2: { type: "string" },
      "input-noise": { type: "string" },
      dist: { type: "string" },
      "stop-on": { type: "string" },
      "hold-where-worse": { type: "boolean" },
      sources: { type: "string" },
      "residual-over": { type: "string" },
      "holdout-tail": { type: "string" },
      map: { type: "string" },
      trainer: { type: "string" },
      threads: { type: "string" },
      "clip-norm": { type: "string" },
      ensemble: { type: "string" },
      "per-action": { type: "boolean" },
      "choice-margin": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("give at least one drive");
  if (!values.out) throw new UsageError("--out DIR is required");
  if (values["freeze-encoder"] && !values.finetune) throw new UsageError("--freeze-encoder needs --finetune DIR");
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed=${values.seed} must be a non-negative integer`);
  const epochs = num("epochs", values.epochs, 40, true);
  if (values.l2 !== undefined && !(Number(values.l2) >= 0)) throw new UsageError(`--l2=${values.l2} must be a number >= 0`);

  if (values.dist !== undefined && values.dist !== "gaussian" && values.dist !== "laplace") throw new UsageError(`--dist=${values.dist} must be gaussian or laplace`);
  if (values["stop-on"] !== undefined && values["stop-on"] !== "loss" && values["stop-on"] !== "ade") throw new UsageError(`--stop-on=${values["stop-on"]} must be loss or ade`);
  if (values.dist !== undefined && values.finetune) throw new UsageError(`--dist cannot change a fine-tuned model's head (it comes from ${values.finetune})`);
  if (values.trainer !== undefined && values.trainer !== "kernel" && values.trainer !== "tfjs") throw new UsageError(`--trainer=${values.trainer} must be kernel or tfjs`);
  const threads = num("threads", values.threads, 1, true);
  if (values.sources !== undefined && values.sources !== "best" && values.sources !== "model") throw new UsageError(`--sources=${values.sources} must be best or model`);
  const residualOver = values["residual-over"];
  if (residualOver !== undefined && !["best", "hold_last", "linear", "ar", "last"].includes(residualOver)) {
    throw new UsageError(`--residual-over=${residualOver} must be best, hold_last, linear, ar or last`);
  }
  if (residualOver === "last" && values.finetune) throw new UsageError("--residual-over last applies to a fresh model; a fine-tuned one keeps its base's residual unless another baseline is named");
  const holdoutTail = values["holdout-tail"] === undefined ? undefined : Number(values["holdout-tail"]);
  if (holdoutTail !== undefined && !(holdoutTail > 0 && holdoutTail < 1)) throw new UsageError(`--holdout-tail=${values["holdout-tail"]} must be a fraction between 0 and 1`);
  const choiceMargin = parseChoiceMargin(values["choice-margin"]);
  if (choiceMargin !== undefined && values.sources === "model") throw new UsageError("--choice-margin applies to --sources best (with --sources model the net answers every action)");
  const clipNorm = values["clip-norm"] === undefined ? undefined : num("clip-norm", values["clip-norm"], 1);
  const ensemble = num("ensemble", values.ensemble, 1, true);
  if (values.ensemble !== undefined && values.finetune) throw new UsageError("--ensemble trains fresh members from different seeds; it cannot be combined with --finetune");
  if (values["per-action"] && values.finetune) throw new UsageError("--per-action trains fresh nets, one per action; it cannot be combined with --finetune");
  const backend = await commandBackend();
  io.stderr.write(`lam train: backend ${backend.name}\n`);

  const finetune = values.finetune ? await loadModel(dirStore(values.finetune)) : undefined;
  let spec: ModelSpec;
  if (finetune) {
    for (const f of ["history", "horizon", "rate", "features", "actions", "units", "layers"] as const) {
      if (values[f] !== undefined) throw new UsageError(`--${f} cannot change a fine-tuned model's spec (it comes from ${values.finetune})`);
    }
    spec = finetune.meta.spec;
  } else {
    const rate = num("rate", values.rate, 20);
    const actions = values.actions ? values.actions.split(",") : DEFAULT_ACTIONS;
    const features = values.features ? values.features.split(",") : [...DEFAULT_FEATURES, ...actions];
    spec = {
      features,
      actions,
      rate,
      history: Math.round(num("history", values.history, 1.6) * rate),
      horizon: Math.round(num("horizon", values.horizon, 1.0) * rate),
      layers: num("layers", values.layers, 1, true),
      units: num("units", values.units, 32, true),
    };
    if (spec.history < 2 || spec.horizon < 1) throw new UsageError(`--history and --horizon give ${spec.history} and ${spec.horizon} frames at ${rate} Hz; need >= 2 and >= 1`);
  }

  const series = [];
  for (const p of positionals) {
    const s = await loadSeries(p, spec, { map: values.map });
    io.stderr.write(`lam train: ${p}: ${s.frames.length} frames at ${spec.rate} Hz\n`);
    series.push(s);
  }

  const auto = trainerFor(backend.name, spec.units);
  const trainer: Trainer = (values.trainer as Trainer | undefined) ?? auto.trainer;
  if (trainer === "tfjs" && (threads > 1 || clipNorm !== undefined)) throw new UsageError("--threads and --clip-norm apply to the kernel trainer (--trainer kernel)");
  const why = values.trainer ? "forced by --trainer" : auto.why;
  io.stderr.write(`lam train: trainer ${trainer}${trainer === "kernel" ? `, ${threads} thread${threads > 1 ? "s" : ""}` : ""} (${why})\n`);

  const t0 = performance.now();
  const progress = new Progress(io.stderr, { now: () => performance.now() });
  const trainOpts: TrainRunOptions = {
    epochs,
    seed,
    finetune,
    freezeEncoder: !!values["freeze-encoder"],
    batchSize: values["batch-size"] === undefined ? undefined : num("batch-size", values["batch-size"], 64, true),
    inputNoise: values["input-noise"] === undefined ? undefined : num("input-noise", values["input-noise"], 0),
    l2: values.l2 === undefined ? undefined : Number(values.l2),
    learningRate: values.lr === undefined ? undefined : num("lr", values.lr, 3e-3),
    blockSeconds: values["block-seconds"] === undefined ? undefined : num("block-seconds", values["block-seconds"], 10),
    dist: values.dist as "gaussian" | "laplace" | undefined,
    sources: values["hold-where-worse"] ? "best" : (values.sources as "best" | "model" | undefined),
    holdoutTail,
    ...(choiceMargin !== undefined ? { choiceMargin } : {}),
    // A fresh net's residual is over the best baseline unless asked otherwise: the untrained net then *is* that
    // baseline and early stopping starts there (RAV4 and F1TENTH held out: README, "Residual over the best baseline").
    residualOver: residualOver === "last" ? undefined : ((residualOver ?? (finetune ? undefined : "best")) as "best" | "hold_last" | "linear" | "ar" | undefined),
    stopOn: values["stop-on"] as "loss" | "ade" | undefined,
    trainer,
    threads,
    clipNorm,
    signal,
    now: () => performance.now(),
    // A bar on a terminal; a plain line every 10 s (and the last) in logs and CI.
    onProgress: (p) => progress.update(progressLine(p), p.epoch === p.epochs && p.batch === p.batches),
  };
  let members: EnsembleSummary | undefined;
  let run;
  if (values.ensemble !== undefined || values["per-action"]) {
    const per = values["per-action"] ? `per action (${spec.actions.join(", ")}), ` : "";
    io.stderr.write(`lam train: ${per}ensemble of ${ensemble}, seeds ${seed}..${seed + ensemble - 1}\n`);
    const ens = await trainEnsemble(series, spec, trainOpts, ensemble, { perAction: !!values["per-action"] });
    for (const m of ens.members) m.model.dispose();
    members = ens.meta.training.ensemble;
    run = ens;
  } else {
    run = await trainRun(series, spec, trainOpts);
  }
  progress.end();
  const lam = await saveModel(dirStore(values.out), run.model, run.meta);
  run.model.dispose();
  const summary = {
    out: values.out,
    stopped: run.result.stopped,
    epochs: run.result.epochs,
    best_epoch: run.result.bestEpoch,
    best_val_loss: run.result.bestValLoss,
    windows: lam.training?.windows,
    metrics: lam.metrics ?? null,
    ...(members ? { ensemble: members } : {}),
    trainer: { name: trainer, threads: trainer === "kernel" ? threads : 1, backend: backend.name },
    timing: { train_s: (performance.now() - t0) / 1000 },
  };
  if (values.json) {
    io.stdout.write(JSON.stringify(summary) + "\n");
  } else {
    const m = lam.metrics;
    io.stderr.write(`lam train: ${run.result.stopped} after ${run.result.epochs} epochs (best ${run.result.bestEpoch}), saved ${values.out}\n`);
    if (m) {
      io.stdout.write(`held-out ${m.windows} windows: model ADE ${m.model.ade.toFixed(4)}  FDE ${m.model.fde.toFixed(4)}\n`);
      for (const [n, b] of Object.entries(m.baselines)) io.stdout.write(`  ${n.padEnd(10)} ADE ${b.ade.toFixed(4)}  FDE ${b.fde.toFixed(4)}\n`);
      io.stdout.write(`ratio to best baseline (${m.best_baseline}): ${m.ratio_to_best_baseline.toFixed(3)}\n`);
      if (members) io.stdout.write(`ensemble of ${members.k}: members alone ${members.members.map((x) => `seed ${x.seed} ${x.ratio_to_best_baseline?.toFixed(3) ?? "-"}`).join(", ")}\n`);
    }
  }
  return 0;
}
