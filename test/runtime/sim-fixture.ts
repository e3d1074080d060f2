// A small untrained model with the default model's robot channels, saved to a temp folder: enough to drive the
// real pipeline (perception → FastPredictor → policy) in tests without training. Untrained, its head is close to
// hold-last; its scales are set so the predicted spread stays inside the robot policy's maxStd.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel, saveModel, type HeadSpec } from "../../dynamics/index.js";
import { dirStore } from "../../runtime/model-dir.js";
import { ROBOT_SPEC } from "./live-support.js";

export { ROBOT_SPEC };

export async function robotModelDir(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "lam-sim-model-")), "robot");
  const head: HeadSpec = { kind: "residual-hold", scale: [0.5, 0.05], fallback: [1.5, 0], eps: 1e-3 };
  const model = buildModel(ROBOT_SPEC, { seed: 3 });
  await saveModel(dirStore(dir), model, {
    spec: ROBOT_SPEC,
    normalisation: {
      features: { channels: ROBOT_SPEC.features, mean: [1.5, 0, 0, 0, 1.5, 0], std: [1, 1, 2, 2, 1, 0.2] },
      actions: { channels: ROBOT_SPEC.actions, mean: [1.5, 0], std: [1, 0.2] },
    },
    head,
  });
  model.dispose();
  return dir;
}
