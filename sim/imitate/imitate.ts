// Imitation learning in the simulator: DART demonstrations (the reference driver with correlated action noise) on
// procedurally generated scenarios, then DAgger rounds (the model drives through the runtime's perception and policy,
// the reference labels every state it visits, the data is aggregated and the model retrained from where it was).
// The network is a residual over the rule-based prior (dynamics/prior). Seeded end to end: generator, noise, sensor
// faults and training. I/O (perception, the model driver) is injected by the caller (runtime/commands/imitate.ts).
import type * as tf from "@tensorflow/tfjs";
import { buildModel, type HeadSpec } from "../../dynamics/model.js";
import { fit, type TrainResult } from "../../dynamics/train.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { defaultPrior } from "../../dynamics/prior/spec.js";
import type { Normalisation } from "../../perception/types.js";
import { SCENE_CHANNELS } from "../../perception/scene.js";
import { ScenarioSchema, type Scenario } from "../../scenarios/schema.js";
import { runScenario } from "../closed-loop.js";
import { generateScenario, TRAIN_KINDS, type GenVehicle } from "../generate.js";
import { mulberry32, streamSeed } from "../rng.js";
import type { Driver } from "../driver.js";
import { recordingDriver, type Episode, type Framer } from "./record.js";
import { episodeWindows, featureNorm, priorHead } from "./windows.js";

export interface ImitateOptions {
  readonly vehicle: GenVehicle;
  readonly seed: number;
  /** DAgger rounds after the demonstrations. */
  readonly rounds: number;
  /** Generated scenarios per round (the demonstrations take the same number). */
  readonly scenarios: number;
  readonly units?: number;
  readonly history?: number;
  readonly horizon?: number;
  readonly rate?: number;
  readonly epochs?: number;
  /** Epochs of each DAgger retraining (continuing from the current weights). */
  readonly roundEpochs?: number;
  /** Take every stride-th window. */
  readonly stride?: number;
}

export interface ImitateHooks {
  /** A fresh perception front end for the model's frames. */
  readonly framer: (spec: ModelSpec) => Framer;
  /** The runtime pipeline driving `sc` with this model (perception → predictor → the vehicle's default policy). */
  readonly modelDriver: (model: tf.LayersModel, spec: ModelSpec, norm: Normalisation, head: HeadSpec, sc: Scenario) => Driver;
  readonly progress?: (p: ImitateProgress) => void;
}

export type ImitateProgress =
  | { readonly phase: "collect"; readonly round: number; readonly done: number; readonly total: number }
  | { readonly phase: "train"; readonly round: number; readonly epoch: number; readonly epochs: number; readonly batch: number; readonly batches: number; readonly loss: number };

export interface RoundSummary {
  readonly round: number;
  readonly drivenBy: "dart" | "model";
  readonly episodes: number;
  readonly frames: number;
  /** Windows trained on after aggregating this round's data. */
  readonly windows: { readonly train: number; readonly val: number };
  /** Of the episodes the model drove: how many had a collision. */
  readonly collisions: number | null;
  readonly train: Pick<TrainResult, "epochs" | "bestEpoch" | "bestValLoss" | "stopped">;
}

export interface ImitateResult {
  readonly model: tf.LayersModel;
  readonly spec: ModelSpec;
  readonly norm: Normalisation;
  readonly actionNorm: Normalisation;
  readonly head: HeadSpec;
  readonly rounds: RoundSummary[];
  readonly episodes: Episode[];
  readonly options: Required<ImitateOptions>;
}

/** DART noise per action (std, before a per-episode scale in [0, 1.5]). */
function dartStd(vehicle: GenVehicle, actions: readonly string[]): number[] {
  const car: Record<string, number> = { steer_cmd: 0.006, accel_cmd: 0.4 };
  const robot: Record<string, number> = { steer_cmd: 0.05, speed_cmd: 0.25 };
  return actions.map((a) => (vehicle === "car" ? car : robot)[a] ?? 0);
}

export function imitationSpec(vehicle: GenVehicle, o: Pick<Required<ImitateOptions>, "units" | "history" | "horizon" | "rate">): ModelSpec {
  const actions = vehicle === "car" ? ["steer_cmd", "accel_cmd"] : ["steer_cmd", "speed_cmd"];
  return { features: ["speed", "yaw_rate", "steer", ...SCENE_CHANNELS, ...actions], actions, rate: o.rate, history: o.history, horizon: o.horizon, layers: 1, units: o.units };
}

/** The channels of the model's frames (features, then any action not among them), as runtime/drive-frames.ts lays them. */
export function frameChannelsOf(spec: ModelSpec): string[] {
  return [...spec.features, ...spec.actions.filter((a) => !spec.features.includes(a))];
}

/** Scenario `index` of the training stream (round r uses indices r·N … r·N + N − 1: fresh scenarios every round). */
export function trainingScenario(seed: number, vehicle: GenVehicle, index: number): Scenario {
  return ScenarioSchema.parse(generateScenario(index, { seed, vehicle, prefix: "train", kinds: TRAIN_KINDS }));
}

/** Runs one scenario under a recording driver and returns the episode. */
export function collect(sc: Scenario, seed: number, round: number, spec: ModelSpec, hooks: ImitateHooks, driver: Driver | null, noiseScale: number, vehicle: GenVehicle): Episode {
  const episode: Episode = { scenario: sc.name, drivenBy: driver ? "model" : "dart", round, frames: [], labels: [] };
  const mode = driver
    ? ({ kind: "model", driver } as const)
    : ({ kind: "dart", noise: { std: dartStd(vehicle, spec.actions).map((s) => s * noiseScale), tau: 0.6, rng: mulberry32(streamSeed(seed, `dart:${sc.name}`)) } } as const);
  const run = runScenario(sc, recordingDriver(() => hooks.framer(spec), spec.actions, mode, episode), { seed });
  (episode as { collisions?: number }).collisions = run.collisions.length;
  return episode;
}

function splitEpisodes(episodes: readonly Episode[]): { train: Episode[]; val: Episode[] } {
  const train: Episode[] = [];
  const val: Episode[] = [];
  // Every fifth episode validates (the last one, with fewer than five).
  episodes.forEach((e, i) => (i % 5 === 4 || (episodes.length < 5 && i === episodes.length - 1) ? val : train).push(e));
  return { train, val };
}

export async function imitate(opts: ImitateOptions, hooks: ImitateHooks): Promise<ImitateResult> {
  const o: Required<ImitateOptions> = { units: 24, history: 10, horizon: 10, rate: 20, epochs: 12, roundEpochs: 5, stride: 2, ...opts };
  const spec = imitationSpec(o.vehicle, o);
  const channels = frameChannelsOf(spec);
  const episodes: Episode[] = [];
  const rounds: RoundSummary[] = [];
  let model: tf.LayersModel | null = null;
  let norm: Normalisation | null = null;
  let head: HeadSpec | null = null;

  for (let r = 0; r <= o.rounds; r++) {
    const fresh: Episode[] = [];
    let collisions = 0;
    for (let i = 0; i < o.scenarios; i++) {
      const index = r * o.scenarios + i;
      const sc = trainingScenario(o.seed, o.vehicle, index);
      const runSeed = (o.seed * 7919 + index) >>> 0;
      const driver = model && norm && head ? hooks.modelDriver(model, spec, norm, head, sc) : null;
      const scale = 1.5 * mulberry32(streamSeed(o.seed, `scale:${index}`)).next();
      const e = collect(sc, runSeed, r, spec, hooks, driver, scale, o.vehicle);
      if ((e as { collisions?: number }).collisions) collisions++;
      fresh.push(e);
      hooks.progress?.({ phase: "collect", round: r, done: i + 1, total: o.scenarios });
    }
    episodes.push(...fresh);
    // Statistics and head scale come from the demonstrations and stay fixed, so each round continues the last one's weights.
    if (!norm || !head) {
      norm = featureNorm(episodes, channels, spec.features);
      head = priorHead(episodes, channels, spec, { kind: "residual-hold", eps: 1e-3, dist: "laplace", prior: defaultPrior(o.vehicle, o.rate) });
    }
    const { train, val } = splitEpisodes(episodes);
    const wTrain = episodeWindows(train, channels, spec, norm, head, o.stride);
    const wVal = episodeWindows(val, channels, spec, norm, head, o.stride * 2);
    model ??= buildModel(spec, { seed: o.seed });
    const epochs = r === 0 ? o.epochs : o.roundEpochs;
    const res = await fit(model, head, wTrain, wVal, {
      epochs,
      seed: o.seed + r,
      learningRate: r === 0 ? 3e-3 : 1e-3,
      patience: 4,
      stopOn: "ade",
      onProgress: (p) => hooks.progress?.({ phase: "train", round: r, epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches, loss: p.loss }),
    });
    rounds.push({
      round: r,
      drivenBy: r === 0 ? "dart" : "model",
      episodes: fresh.length,
      frames: fresh.reduce((a, e) => a + e.frames.length, 0),
      windows: { train: wTrain.n, val: wVal.n },
      collisions: r === 0 ? null : collisions,
      train: { epochs: res.epochs, bestEpoch: res.bestEpoch, bestValLoss: res.bestValLoss, stopped: res.stopped },
    });
  }
  const aNorm = featureNorm(episodes, channels, spec.actions);
  return { model: model!, spec, norm: norm!, actionNorm: aNorm, head: head!, rounds, episodes, options: o };
}
