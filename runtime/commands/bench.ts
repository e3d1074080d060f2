import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { UsageError, type CliIO } from "../io.js";

const HELP = `usage: lam bench [--json] [--model DIR | --stand-in] [--ticks N] [--tfjs-seconds S] [--train-batches N] [--no-peer] [--python PATH] [--no-pin]

Latency and throughput of the dynamics model on one core: the real-time predictor, tfjs model.predict on the
window, and a PyTorch peer (same weights, one thread); batched agents; training windows/s. Prints tables
(--json: one JSON object). Timings vary with machine load; compare ratios measured in the same run.
--stand-in benches a fresh 2×64 LSTM instead of the bundled default model.
`;

function positiveInt(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}=${v}: expected a positive integer`);
  return n;
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
        model: { type: "string" },
        "stand-in": { type: "boolean" },
        ticks: { type: "string" },
        "tfjs-seconds": { type: "string" },
        "train-batches": { type: "string" },
        "no-peer": { type: "boolean" },
        python: { type: "string" },
        "no-pin": { type: "boolean" },
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
  const pin = !values["no-pin"];
  if (pin) {
    const why = pinSelf();
    if (why) io.stderr.write(`lam bench: ${why}\n`);
  }
  const { runDynamicsBench, formatDynamicsTable } = await import("../../bench/dynamics.js");
  const report = await runDynamicsBench({
    modelDir: values.model,
    standIn: values["stand-in"],
    ticks,
    tfjsSeconds,
    trainBatches,
    peer: !values["no-peer"],
    python: values.python,
    pin,
    log: (s) => io.stderr.write(s + "\n"),
  });
  for (const n of report.notes) io.stderr.write(`lam bench: note: ${n}\n`);
  if (values.json) io.stdout.write(JSON.stringify({ ...report, pinned: pin }) + "\n");
  else io.stdout.write(formatDynamicsTable(report));
  return 0;
}
