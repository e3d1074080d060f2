// Shared by the live-node tests: the robot model's frame layout with a real baseline predictor, an in-memory
// SampleSource and a recording ActionSink (for virtual-time tests), samples from a real F1TENTH drive, and a tiny
// untrained model folder in the real on-disk format (for the CLI end to end).
import { resolve } from "node:path";
import { Subject } from "rxjs";
import { loadCsvDrive } from "../../bridges/csv/index.js";
import type { ActionSink, BridgeInputError, BridgeStats, NodeStatus, SampleSource } from "../../bridges/codec/live.js";
import { holdLast } from "../../dynamics/baselines/hold-last.js";
import { buildModel, STD_EPS } from "../../dynamics/model.js";
import { saveModel } from "../../dynamics/save.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import type { ActionSequence, Predictor } from "../../dynamics/types.js";
import { frameChannel } from "../../perception/channels.js";
import { mergeDrive } from "../../perception/drive-merge.js";
import type { FrameSpec, Sample } from "../../perception/types.js";
import type { Command } from "../../policy/types.js";
import type { LiveModel } from "../../runtime/live/index.js";
import { dirStore } from "../../runtime/model-dir.js";

export const DATA = resolve(__dirname, "../../../shared/data");

/** The bundled robot model's layout: features, then its actions (speed_cmd, steer_cmd) at 20 Hz. */
export const ROBOT_SPEC: ModelSpec = {
  features: ["speed", "yaw_rate", "accel", "lat_accel", "speed_cmd", "steer_cmd"],
  actions: ["speed_cmd", "steer_cmd"],
  rate: 20,
  history: 8,
  horizon: 10,
  layers: 1,
  units: 8,
};

export const ROBOT_FRAMES: FrameSpec = { rate: ROBOT_SPEC.rate, channels: ROBOT_SPEC.features.map((n) => frameChannel(n)) };

/** A LiveModel with the hold-last baseline (a real Predictor, no tfjs), optionally wrapped to misbehave. */
export function holdLastModel(wrap?: (p: Predictor) => Predictor): LiveModel {
  return {
    frameSpec: ROBOT_FRAMES,
    predictor: () => {
      const p = holdLast({ frameChannels: ROBOT_SPEC.features, actions: ROBOT_SPEC.actions, rate: ROBOT_SPEC.rate, horizon: ROBOT_SPEC.horizon });
      return wrap ? wrap(p) : p;
    },
  };
}

const noStats = (): BridgeStats => ({ received: 0, accepted: 0, rejected: {}, connected: true, reconnects: 0 });

/** An in-memory source: push() feeds samples as a bridge would after its checks. */
export function memorySource(): SampleSource & { push(s: Sample): void; connected: boolean; closed: boolean } {
  const samples$ = new Subject<Sample>();
  const errors$ = new Subject<BridgeInputError>();
  const src = {
    samples$: samples$.asObservable(),
    errors$: errors$.asObservable(),
    connected: true,
    closed: false,
    push: (s: Sample) => samples$.next(s),
    stats: () => ({ ...noStats(), connected: src.connected }),
    async close() {
      src.closed = true;
      samples$.complete();
      errors$.complete();
    },
  };
  return src;
}

/** Keeps everything published to it. */
export function recordingSink(): ActionSink & { predictions: ActionSequence[]; commands: Command[]; statuses: NodeStatus[]; closed: boolean } {
  const sink = {
    predictions: [] as ActionSequence[],
    commands: [] as Command[],
    statuses: [] as NodeStatus[],
    closed: false,
    publishPrediction: (p: ActionSequence) => void sink.predictions.push(p),
    publishCommand: (c: Command) => void sink.commands.push(c),
    publishStatus: (s: NodeStatus) => void sink.statuses.push(s),
    stats: noStats,
    async close() {
      sink.closed = true;
    },
  };
  return sink;
}

/** `seconds` of the real F1TENTH DS1 drive from `from` s after its start, in time order, on the drive's own clock. */
export async function driveSlice(from: number, seconds: number): Promise<Sample[]> {
  const drive = await loadCsvDrive(resolve(DATA, "f1tenth/DS1"));
  const all = [...mergeDrive(drive)];
  const t0 = all[0]!.t + from;
  return all.filter((s) => s.t >= t0 && s.t < t0 + seconds);
}

/** A small untrained model (random init) saved in the real format: model.json + weights.bin + lam.json. */
export async function writeTinyModel(dir: string): Promise<void> {
  const model = buildModel(ROBOT_SPEC, { seed: 3 });
  const F = ROBOT_SPEC.features.length;
  const feats = { channels: [...ROBOT_SPEC.features], mean: new Array<number>(F).fill(0), std: new Array<number>(F).fill(1) };
  const acts = { channels: [...ROBOT_SPEC.actions], mean: [0, 0], std: [1, 0.2] };
  await saveModel(dirStore(dir), model, {
    spec: ROBOT_SPEC,
    normalisation: { features: feats, actions: acts },
    head: { kind: "residual-hold", scale: [1, 0.1], fallback: [0, 0], eps: STD_EPS },
  });
  model.dispose();
}
