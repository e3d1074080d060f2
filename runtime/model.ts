import type * as tf from "@tensorflow/tfjs";
import type { BackendChoice } from "../dynamics/backend.js";
import { commandBackend } from "./backend-choice.js";
import { FastPredictor, type PredictorModel } from "../dynamics/predictor.js";
import { loadModel, type LamJson } from "../dynamics/save.js";
import type { FrameSpec } from "../perception/types.js";
import { policyPreset } from "../policy/presets.js";
import { parsePolicyParams, type PolicyParams } from "../policy/params.js";
import { readFile } from "node:fs/promises";
import { frameSpecFor } from "./drive-frames.js";
import { defaultModelDir, dirStore } from "./model-dir.js";

/** A trained model ready to run: its frame layout and a factory of real-time predictors. */
export interface RuntimeModel {
  readonly dir: string;
  readonly meta: LamJson;
  readonly model: tf.LayersModel;
  readonly frameSpec: FrameSpec;
  readonly predictorModel: PredictorModel;
  readonly backend: BackendChoice;
  predictor(): FastPredictor;
}

/** Loads a model folder (default: the bundled one). The fast predictor needs tfjs only to read the weights. */
export async function openModel(dir: string = defaultModelDir()): Promise<RuntimeModel> {
  const backend = await commandBackend();
  const { model, meta } = await loadModel(dirStore(dir));
  const frameSpec = frameSpecFor(meta.spec);
  const predictorModel: PredictorModel = { model, spec: meta.spec, featureNorm: meta.normalisation.features, head: meta.head };
  const frameChannels = frameSpec.channels.map((c) => c.name);
  return {
    dir,
    meta,
    model,
    frameSpec,
    predictorModel,
    backend,
    predictor: () => new FastPredictor(predictorModel, { frameChannels, name: "lstm" }),
  };
}

/** The policy parameter set for a model: a preset name or a JSON file; by default the one matching its actions. */
export async function openPolicy(spec: { actions: readonly string[] }, fileOrPreset?: string): Promise<PolicyParams> {
  if (!fileOrPreset) return policyPreset(spec.actions.includes("speed_cmd") ? "robot-1-10" : "passenger-car");
  if (!fileOrPreset.includes("/") && !fileOrPreset.endsWith(".json")) return policyPreset(fileOrPreset);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(fileOrPreset, "utf8"));
  } catch (e) {
    throw new Error(`${fileOrPreset}: cannot read policy parameters (${e instanceof Error ? e.message : String(e)})`);
  }
  return parsePolicyParams(raw, fileOrPreset);
}
