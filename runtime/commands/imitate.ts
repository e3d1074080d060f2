import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { UsageError, type CliIO } from "../io.js";
import { imitate, type ImitateProgress } from "../../sim/imitate/index.js";
import { saveModel } from "../../dynamics/save.js";
import { FastPredictor } from "../../dynamics/predictor.js";
import { policyPreset } from "../../policy/presets.js";
import { Perceiver } from "../perceiver.js";
import { PipelineDriver } from "../pipeline-driver.js";
import { frameSpecFor } from "../drive-frames.js";
import { dirStore } from "../model-dir.js";
import { vehiclePresetName } from "../sim-run.js";
import { commandBackend } from "../backend-choice.js";
import { Progress, bar } from "../progress.js";

const HELP = `usage: lam imitate --out DIR [options]

Trains a scene-aware driving model in the simulator by imitation: demonstrations of the reference driver with
correlated action noise (DART) on procedurally generated scenarios, then DAgger rounds in which the model drives
(through perception and the vehicle's default policy) and the reference labels the states it visits; the data is
aggregated and the model retrained. The network predicts a residual over a rule-based prior (pure pursuit on the
path + IDM on the lead) computed from the scene channels. Deterministic under --seed.

  --out DIR             model folder to write (lam.json records how it was made)
  --vehicle car|robot   which vehicle model (default car)
  --seed N              generator, noise, sensor and training seed (default 1)
  --rounds R            DAgger rounds after the demonstrations (default 2)
  --scenarios N         generated scenarios per round (default 40)
  --epochs N            epochs on the demonstrations (default 12); --round-epochs N for each DAgger round (default 5)
  --units N             LSTM units (default 24)
  --json                print one JSON summary
`;

function int(name: string, v: string | undefined, def: number, min = 0): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}=${v} must be an integer >= ${min}`);
  return n;
}

export default async function imitateCommand(argv: string[], io: CliIO & { readonly stderr: { isTTY?: boolean } }): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      vehicle: { type: "string" },
      seed: { type: "string" },
      rounds: { type: "string" },
      scenarios: { type: "string" },
      epochs: { type: "string" },
      "round-epochs": { type: "string" },
      units: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError("--out DIR is required");
  const vehicle = values.vehicle ?? "car";
  if (vehicle !== "car" && vehicle !== "robot") throw new UsageError(`--vehicle ${vehicle}: expected car or robot`);
  const seed = int("seed", values.seed, 1);
  const opts = {
    vehicle,
    seed,
    rounds: int("rounds", values.rounds, 2),
    scenarios: int("scenarios", values.scenarios, 40, 2),
    epochs: int("epochs", values.epochs, 12, 1),
    roundEpochs: int("round-epochs", values["round-epochs"], 5, 1),
    units: int("units", values.units, 24, 1),
  } as const;
  const backend = await commandBackend();
  io.stderr.write(`lam imitate: backend ${backend.name}\n`);

  // A bar redrawn in place on a terminal; plain lines (every 10 s and one per finished phase) in logs and pipes.
  const bars = new Progress(io.stderr, { now: () => performance.now() });
  const t0 = performance.now();
  const progress = (p: ImitateProgress) => {
    const el = ((performance.now() - t0) / 1000).toFixed(0);
    const what = p.round === 0 ? "demonstrations (DART)" : `DAgger round ${p.round}/${opts.rounds}`;
    if (p.phase === "collect") {
      bars.update(`lam imitate: ${what}: driving ${bar(p.done, p.total)} ${p.done}/${p.total} scenarios  ${el} s`, p.done === p.total);
      if (p.done === p.total) bars.end();
      return;
    }
    const last = p.batch === p.batches;
    bars.update(`lam imitate: ${what}: training epoch ${p.epoch}/${p.epochs} ${bar(p.batch, p.batches)} loss ${p.loss.toFixed(4)}  ${el} s`, last);
    if (last && p.epoch === p.epochs) bars.end();
  };

  const res = await imitate(opts, {
    framer: (spec) => new Perceiver(frameSpecFor(spec)),
    modelDriver: (model, spec, norm, head, sc) => {
      const frameSpec = frameSpecFor(spec);
      const predictor = new FastPredictor({ model, spec, featureNorm: norm, head }, { frameChannels: frameSpec.channels.map((c) => c.name) });
      return new PipelineDriver({ frameSpec, predictor, policy: policyPreset(vehiclePresetName(sc)) });
    },
    progress,
  });
  bars.end();
  const trainS = (performance.now() - t0) / 1000;
  const last = res.rounds[res.rounds.length - 1];
  const lam = await saveModel(dirStore(values.out), res.model, {
    spec: res.spec,
    normalisation: { features: res.norm, actions: res.actionNorm },
    head: res.head,
    training: {
      drives: [`generated:${vehicle}:seed=${seed}:scenarios=${opts.scenarios * (opts.rounds + 1)}`],
      split: [],
      windows: last.windows,
      epochs: res.rounds.reduce((a, r) => a + r.train.epochs, 0),
      bestEpoch: last.train.bestEpoch,
      loss: [],
      valLoss: res.rounds.map((r) => r.train.bestValLoss),
      stopped: last.train.stopped,
      seed,
      options: {
        method: "imitation: DART demonstrations, then DAgger rounds (sim/imitate)",
        vehicle,
        generator_seed: seed,
        rounds: opts.rounds,
        scenarios_per_round: opts.scenarios,
        epochs: opts.epochs,
        round_epochs: opts.roundEpochs,
        stride: res.options.stride,
        prior: "pursuit-idm (head.prior): the network predicts a residual over it",
        labels: "the simulator's reference controller",
        rounds_detail: JSON.stringify(res.rounds),
        frames: res.episodes.reduce((a, e) => a + e.frames.length, 0),
      },
    },
  });
  res.model.dispose();
  const summary = { out: values.out, vehicle, seed, rounds: res.rounds, weights_sha256: lam.weightsSha256, timing: { train_s: Math.round(trainS * 10) / 10 } };
  if (values.json) io.stdout.write(JSON.stringify(summary) + "\n");
  else io.stderr.write(`lam imitate: saved ${values.out} (${res.rounds.length} rounds, ${summary.timing.train_s} s)\n`);
  return 0;
}
