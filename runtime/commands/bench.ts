import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError, type CliIO } from "../io.js";
import { defaultModelDir, dirStore, packageRoot } from "../model-dir.js";
import type { OpenBenchLive } from "../../bench/live-kit.js";
import type { ClosedLoopKit } from "../../bench/closed-loop.js";
import type { RuntimeModel } from "../model.js";

const SUITES = ["dynamics", "perception", "replay", "closed-loop", "fuzz", "soak"] as const;
type Suite = (typeof SUITES)[number];
/** Run only when named in --only: the fuzz suite takes minutes, the soak as long as --minutes says. */
const OPT_IN: readonly Suite[] = ["fuzz", "soak"];

const HELP = `usage: lam bench [--json] [--only ${SUITES.join(",")}] [--model DIR | --stand-in] [--ticks N] [--tfjs-seconds S] [--train-batches N] [--train-rounds N] [--no-peer] [--python PATH] [--no-pin] [--data DIR]

Latency and throughput of the dynamics model on one core: the real-time predictor, tfjs model.predict on the
window, and a PyTorch peer (same weights, one thread); batched agents; training windows/s (the training kernel on
1 and 2 threads, tfjs, PyTorch; --train-rounds interleaved rounds, median reported). Prints tables
(--json: one JSON object). Timings vary with machine load; compare ratios measured in the same run.
--stand-in benches a fresh 2×64 LSTM instead of the bundled default model. --model DIR is the model of every suite
(dynamics, replay, closed-loop, the fuzz suite's live node, soak); without it, the bundled ones.
Also (all by default; --only picks): perception samples/s on the real drives (batch vs RxJS), open-loop replay of
one hour of 20 Hz driving, and closed-loop simulation speed as a multiple of real time (model vs reference driver).
The perception and replay suites read the recorded drives (--data DIR, default ../shared/data beside the
repository) and are skipped with a note where they are missing.
Only with --only: fuzz (≥ --inputs N generated hostile inputs per ingress, default 100000, deterministic under
--seed S: MQTT payloads and time stamps into a live node over a loopback Mosquitto, the payload decoder, CSV rows,
MCAP/bag bytes, scenario YAML, policy parameter files; --ingress payload,mqtt,csv,mcap,bag,scenario,params picks) and soak (the live node fed at 100 Hz over loopback MQTT
for --minutes M, default 30, RSS and tick p99 sampled every --sample-s S, default 60, after --warmup-s W, default 600: V8 takes ~10 min to grow its heap to its steady size).
`;

function suites(only: string | undefined): Set<Suite> {
  if (only === undefined) return new Set(SUITES.filter((x) => !OPT_IN.includes(x)));
  const picked = only.split(",").map((x) => x.trim());
  for (const x of picked) if (!(SUITES as readonly string[]).includes(x)) throw new UsageError(`--only ${x}: expected some of ${SUITES.join(", ")}`);
  return new Set(picked as Suite[]);
}

function positiveInt(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}=${v}: expected a positive integer`);
  return n;
}

// bench/ sits below runtime/ (DESIGN.md): what it needs of runtime/ is handed in from here.

/** The model (--model DIR, else the bundled default), its preset policy, and live nodes on them. */
export function benchLive(modelDir: string | undefined): OpenBenchLive {
  return async () => {
    const { openModel, openPolicy } = await import("../model.js");
    const { startLiveNode } = await import("../live/index.js");
    const model = await openModel(modelDir);
    const policy = await openPolicy(model.meta.spec);
    return {
      features: model.frameSpec.channels.map((c) => c.name),
      policy,
      start: (o) => startLiveNode({ model, policy, log: () => {}, ...o }),
      dispose: () => model.model.dispose(),
    };
  };
}

/** The given model or the bundled ones (as `lam sim` picks them), and drivers built as `lam sim` builds them. */
export async function closedLoopKit(modelDir: string | undefined, log: (line: string) => void): Promise<ClosedLoopKit<RuntimeModel>> {
  const { openModel } = await import("../model.js");
  const { bundledModelDirs } = await import("../model-dir.js");
  const { incompatibility, makeDriver, scenarioPolicy } = await import("../sim-run.js");
  const models: RuntimeModel[] = [];
  for (const dir of modelDir ? [modelDir] : bundledModelDirs()) {
    try {
      models.push(await openModel(dir));
    } catch (e) {
      log(`closed-loop bench: no model at ${dir} (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
    }
  }
  return {
    models,
    spec: (m) => m.meta.spec,
    incompatibility: (sc, m) => incompatibility(sc, scenarioPolicy(sc, null, {}), m.meta.spec),
    store: dirStore,
    open: (dir) => openModel(dir),
    driver: (sc, m) => makeDriver(m === null ? { driver: "reference", model: null, policy: null, overrides: {} } : { driver: "model", model: m, policy: null, overrides: {} }, scenarioPolicy(sc, null, {})),
    dispose: (m) => m.model.dispose(),
  };
}

/** Pins this process (all its threads) to core 0 so it and the peer run on the same single core. */
function pinSelf(): string | null {
  const r = spawnSync("taskset", ["-cp", "0", String(process.pid)], { encoding: "utf8" });
  return r.status === 0 ? null : `taskset unavailable (${r.error?.message ?? r.stderr.trim()}): ran unpinned`;
}

export default async function bench(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        json: { type: "boolean" },
        only: { type: "string" },
        model: { type: "string" },
        "stand-in": { type: "boolean" },
        ticks: { type: "string" },
        "tfjs-seconds": { type: "string" },
        "train-batches": { type: "string" },
        "train-rounds": { type: "string" },
        "no-peer": { type: "boolean" },
        python: { type: "string" },
        "no-pin": { type: "boolean" },
        data: { type: "string" },
        minutes: { type: "string" },
        "sample-s": { type: "string" },
        "warmup-s": { type: "string" },
        seed: { type: "string" },
        inputs: { type: "string" },
        ingress: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.model !== undefined && values["stand-in"]) throw new UsageError("give --model DIR or --stand-in, not both");
  const ticks = positiveInt("ticks", values.ticks, 20_000);
  const tfjsSeconds = positiveInt("tfjs-seconds", values["tfjs-seconds"], 10);
  const trainBatches = positiveInt("train-batches", values["train-batches"], 10);
  const trainRounds = positiveInt("train-rounds", values["train-rounds"], 3);
  const pin = !values["no-pin"];
  if (pin) {
    const why = pinSelf();
    if (why) io.stderr.write(`lam bench: ${why}\n`);
  }
  const which = suites(values.only);
  const log = (line: string) => io.stderr.write(line + "\n");
  const out: Record<string, unknown> = {};
  const tables: string[] = [];
  let fuzzFailed = false;
  if (which.has("dynamics")) {
    const { runDynamicsBench, formatDynamicsTable } = await import("../../bench/dynamics.js");
    const report = await runDynamicsBench({
    folders: { defaultDir: defaultModelDir(), store: dirStore },
    modelDir: values.model,
    standIn: values["stand-in"],
    ticks,
    tfjsSeconds,
    trainBatches,
    trainRounds,
    peer: !values["no-peer"],
    python: values.python,
    pin,
    log,
  });
    for (const n of report.notes) io.stderr.write(`lam bench: note: ${n}\n`);
    Object.assign(out, report);
    tables.push(formatDynamicsTable(report));
  } else {
    // The DESIGN contract's keys are always there; null when the suite did not run.
    Object.assign(out, { predictor: null, tfjs_window: null, pytorch: null });
  }
  const data = values.data !== undefined ? resolve(values.data) : resolve(packageRoot(), "../shared/data");
  if (values.data !== undefined && !existsSync(data)) throw new UsageError(`--data ${values.data}: no such folder (${data})`);
  const needsData = (name: string) => {
    if (existsSync(data)) return true;
    io.stderr.write(`lam bench: note: ${name} skipped: no recorded drives at ${data}\n`);
    out[name.replace("-", "_")] = null;
    return false;
  };
  if (which.has("perception") && needsData("perception")) {
    log("bench: perception (batch vs RxJS on the real drives) ...");
    const { benchPerception, formatPerceptionTable } = await import("../../bench/perception.js");
    const rows = await benchPerception({ dataDir: data });
    out.perception = rows;
    tables.push(formatPerceptionTable(rows));
  }
  if (which.has("replay") && needsData("replay")) {
    log("bench: open-loop replay of one hour of 20 Hz driving ...");
    const { benchReplay, formatReplayTable } = await import("../../bench/replay.js");
    const { openModel, openPolicy } = await import("../model.js");
    const model = await openModel(values.model);
    try {
      const rows = await benchReplay({ model, policy: await openPolicy(model.meta.spec), dataDir: data });
      out.replay = rows;
      tables.push(formatReplayTable(rows));
    } finally {
      model.model.dispose();
    }
  }
  if (which.has("closed-loop")) {
    log("bench: closed-loop catalog, model vs reference driver ...");
    const { benchClosedLoop, formatClosedLoopTable } = await import("../../bench/closed-loop.js");
    const rows = await benchClosedLoop({ kit: await closedLoopKit(values.model, log), log });
    out.closed_loop = rows;
    tables.push(formatClosedLoopTable(rows));
  }
  if (which.has("fuzz") && needsData("fuzz")) {
    log("bench: fuzz (hostile inputs per ingress) ...");
    const { runFuzz, formatFuzzTable, INGRESSES } = await import("../../bench/fuzz/index.js");
    const only = values.ingress?.split(",").map((x) => x.trim());
    for (const x of only ?? []) if (!(INGRESSES as readonly string[]).includes(x)) throw new UsageError(`--ingress ${x}: expected some of ${INGRESSES.join(", ")}`);
    const report = await runFuzz({
      inputs: positiveInt("inputs", values.inputs, 100_000),
      seed: positiveInt("seed", values.seed, 1),
      dataDir: data,
      openLive: benchLive(values.model),
      log,
      ...(only ? { only: only as (typeof INGRESSES)[number][] } : {}),
    });
    out.fuzz = report;
    tables.push(formatFuzzTable(report));
    // Timing never fails a bench; a crash or a bad command found by the fuzz does (after the tables are out).
    if (report.crashes + report.nonfinite + report.out_of_limit > 0) fuzzFailed = true;
  }
  if (which.has("soak") && needsData("soak")) {
    const minutes = positiveInt("minutes", values.minutes, 30);
    log(`bench: soak, ${minutes} min at 100 Hz over loopback MQTT ...`);
    const { runSoak, formatSoakTable } = await import("../../bench/soak.js");
    const report = await runSoak({ minutes, sampleS: positiveInt("sample-s", values["sample-s"], 60), warmupS: positiveInt("warmup-s", values["warmup-s"], 600), openLive: benchLive(values.model), dataDir: data, log });
    out.soak = report;
    tables.push(formatSoakTable(report));
  }
  if (values.json) io.stdout.write(JSON.stringify({ ...out, pinned: pin }) + "\n");
  else io.stdout.write(tables.join("\n"));
  return fuzzFailed ? 1 : 0;
}
