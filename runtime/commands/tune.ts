import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { UsageError, type CliIO } from "../io.js";
import { openPolicy } from "../model.js";
import { loadScenarioArgs, planScenarios, type SimSetup } from "../sim-run.js";
import { renderTuneHtml } from "../../sim/tune/index.js";
import { cartesian, checkParams, openTuneModels, parseSweeps, tune } from "../tune/index.js";
import { modelInfo, seedOf } from "./sim.js";

const HELP = `usage: lam tune <scenario.yaml|folder|catalog ...> --param policy.key=a,b,c [--param ...] [options]

Runs the baseline policy and every combination of the swept values over the scenarios (closed loop, model
driver), on worker threads, and ranks the sets: scenarios passed first, then collisions, then a weighted score
of the margins to the pass criteria, progress, fallback share and limit events (the formula is in the report).
Each ranked set shows its per-metric deltas against the baseline and the scenarios it gains or loses.

  --param key=a,b,c    values to sweep for one policy key (repeatable; [x,y] is one array value)
  --top N              sets to list (default 10)
  --workers N          worker threads (default: min(available cores, sets)); 1 runs in this thread
  --model DIR          model folder (default: the bundled default model)
  --policy FILE|NAME   base policy (default: by each scenario's vehicle)
  --seed N             seed of the sensor noise and faults (default 1)
  --skip-incompatible  leave out scenarios the model and policy cannot drive (default: an error)
  --out DIR            write tune.json (every set) and tune.html
  --json               print one JSON object (the top sets)
`;

function positiveInt(flag: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} ${v}: expected a positive integer`);
  return n;
}

export default async function tuneCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      param: { type: "string", multiple: true },
      top: { type: "string" },
      workers: { type: "string" },
      model: { type: "string" },
      policy: { type: "string" },
      seed: { type: "string" },
      "skip-incompatible": { type: "boolean" },
      out: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give scenario files, folders of them, or "catalog"');
  if (!values.param?.length) throw new UsageError("give at least one --param policy.key=a,b,c to sweep");
  const sweeps = parseSweeps(values.param);
  const sets = cartesian(sweeps);
  const top = positiveInt("top", values.top, 10);
  const seed = seedOf(values.seed);
  const workers = positiveInt("workers", values.workers, Math.min(availableParallelism(), sets.length + 1));

  let scenarios = loadScenarioArgs(positionals);
  const models = await openTuneModels({ scenarios, modelDir: values.model });
  const base = values.policy === undefined ? null : await openPolicy({ actions: [] }, values.policy);
  // Every set is checked here, before any worker starts: a bad key or value fails fast and names itself.
  const setup = (overrides: (typeof sets)[number]): SimSetup => ({ driver: "model", model: models[0] ?? null, models, policy: base, overrides });
  const plan = checkParams(() => planScenarios(scenarios, setup({})));
  const bad = plan.filter((p) => p.incompatible !== null);
  if (bad.length && !values["skip-incompatible"]) {
    throw new Error(`${bad.length} of ${plan.length} scenarios cannot be driven by this model and policy:\n  ${bad.map((b) => b.incompatible).join("\n  ")}\n(use --skip-incompatible to leave them out)`);
  }
  for (const b of bad) io.stderr.write(`lam tune: skipped ${b.incompatible}\n`);
  scenarios = scenarios.filter((s) => !bad.some((b) => b.scenario === s));
  if (scenarios.length === 0) throw new Error("no scenario left to tune on");
  for (const s of sets) checkParams(() => planScenarios(scenarios, setup(s)));

  io.stderr.write(`lam tune: ${sets.length} sets + baseline × ${scenarios.length} scenarios on ${workers} worker${workers > 1 ? "s" : ""}\n`);
  const job = { scenarios, modelDir: values.model, policy: values.policy, seed };
  const { report, all } = await tune(job, sweeps, sets, {
    workers,
    top,
    models: workers > 1 ? undefined : models,
    onResult: (r, done, total) => io.stderr.write(`lam tune: [${done}/${total}] set ${r.index} ${JSON.stringify(r.params)}\n`),
  });
  for (const m of models) m.model.dispose();
  const out = { ...report, models: models.map(modelInfo), policy: values.policy ?? null, skipped: bad.map((b) => ({ name: b.scenario.name, reason: b.incompatible })) };
  if (values.out) {
    await mkdir(values.out, { recursive: true });
    await writeFile(join(values.out, "tune.json"), JSON.stringify({ ...out, ranking: all }) + "\n");
    await writeFile(join(values.out, "tune.html"), renderTuneHtml(report, all));
    io.stderr.write(`lam tune: wrote ${join(values.out, "tune.json")}, tune.html\n`);
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(out) + "\n");
    return 0;
  }
  io.stdout.write(`${report.scoring.formula}\n\n`);
  for (const s of report.ranking) {
    const p = Object.entries(s.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ") || "(baseline)";
    const trade = [s.gained.length ? `+${s.gained.join(",")}` : "", s.lost.length ? `-${s.lost.join(",")}` : ""].filter(Boolean).join(" ");
    io.stdout.write(`${String(s.rank).padStart(3)}. passed ${s.passed}/${s.scenarios}  collisions ${s.collisions}  score ${s.score.toFixed(4)}  ${p}${trade ? `  [${trade}]` : ""}\n`);
  }
  if (!report.ranking.some((s) => s.baseline)) io.stdout.write(`baseline: rank ${report.baseline.rank}, passed ${report.baseline.passed}/${report.baseline.scenarios}, score ${report.baseline.score.toFixed(4)}\n`);
  io.stdout.write(`${report.timing.wall_s} s on ${workers} worker${workers > 1 ? "s" : ""}\n`);
  return 0;
}
