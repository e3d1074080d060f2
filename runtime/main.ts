import { parseBackendName } from "../dynamics/backend-names.js";
import { BACKEND_ENV } from "./backend-choice.js";
import { UsageError, type CliIO, type CliCommand } from "./io.js";

// Commands load lazily so `lam inspect` never pays for TensorFlow.js, and `lam doctor` runs even when
// an optional part is broken.
const commands: Record<string, { summary: string; load: () => Promise<{ default: CliCommand }> }> = {
  doctor: { summary: "backends, optional parts found, versions", load: () => import("./commands/doctor.js") },
  inspect: { summary: "channels, rates, gaps, ranges, rejected samples of a drive", load: () => import("./commands/inspect.js") },
  map: { summary: "map init FILE.csv: propose a column map from a CSV header, to edit", load: () => import("./commands/map.js") },
  convert: { summary: "convert a drive to canonical MCAP or CSV (--out FILE.mcap|FILE.csv)", load: () => import("./commands/convert.js") },
  train: { summary: "train the LSTM action model on recorded drives", load: () => import("./commands/train.js") },
  eval: { summary: "model vs baselines: ADE/FDE per action channel on held-out data", load: () => import("./commands/eval.js") },
  export: { summary: "a smaller model folder: --quantize float16|uint8, --shard-bytes N; measures its ADE and speed cost", load: () => import("./commands/export.js") },
  replay: { summary: "open-loop replay of recorded drives: ADE/FDE vs baselines, limits, fallback, latency", load: () => import("./commands/replay.js") },
  merge: { summary: "merge shard reports (replay/sim --shard K/N) into one report", load: () => import("./commands/merge.js") },
  sim: { summary: "closed-loop scenarios through the runtime: metrics, pass/fail, HTML report", load: () => import("./commands/sim.js") },
  tune: { summary: "sweep policy parameters over scenarios on worker threads, rank by a weighted score", load: () => import("./commands/tune.js") },
  imitate: { summary: "train a scene-aware driving model in the simulator (DART demonstrations + DAgger)", load: () => import("./commands/imitate.js") },
  bench: { summary: "latency/throughput: real-time predictor vs tfjs vs PyTorch, one core", load: () => import("./commands/bench.js") },
  run: { summary: "live node: MQTT (built-in broker) / ROS 2 / Foxglove; --demo drives a simulated robot", load: () => import("./commands/run.js") },
};

function usage(): string {
  const rows = Object.entries(commands).map(([n, c]) => `  lam ${n.padEnd(8)} ${c.summary}`);
  return `usage: lam <command> [options]\n\n${rows.join("\n")}\n\nlam <command> --help for a command's options; --backend NAME forces a tfjs backend for any command\n`;
}

/**
 * `--backend NAME` (or `--backend=NAME`) anywhere before `--ros-args` forces one tfjs backend for any command; it is
 * handed on through LAM_BACKEND so worker threads see it too. Returns the arguments without it.
 */
export function takeBackendFlag(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--ros-args" || a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const eq = a.startsWith("--backend=") ? a.slice("--backend=".length) : undefined;
    if (a !== "--backend" && eq === undefined) {
      out.push(a);
      continue;
    }
    const name = eq ?? argv[++i];
    if (name === undefined) throw new UsageError("--backend needs a name");
    env[BACKEND_ENV] = parseBackendName(name);
  }
  return out;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    argv = takeBackendFlag(argv);
  } catch (err) {
    io.stderr.write(`lam: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(`lam: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    const mod = await entry.load();
    return await mod.default(rest, io);
  } catch (err) {
    // node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags.
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError || String((err as { code?: unknown } | null)?.code ?? "").startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`lam ${name}: ${message}\n`);
      return 2;
    }
    io.stderr.write(`lam ${name}: ${message}\n`);
    if (process.env.LAM_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + "\n");
    return 1;
  }
}

