// Every bundled model folder still loads and answers a tick through the real-time predictor (lam.json fields added
// since — head.source values, head.ar — are optional).
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../../dynamics/save.js";
import { FastPredictor, predictorModel } from "../../dynamics/predictor.js";
import { dirStore, packageRoot } from "../../runtime/model-dir.js";

describe("bundled models", () => {
  const root = join(packageRoot(), "dynamics", "models");
  for (const name of readdirSync(root)) {
    it(`${name} loads and predicts finite numbers`, async () => {
      const m = await loadModel(dirStore(join(root, name)));
      const channels = [...new Set([...m.meta.spec.features, ...m.meta.spec.actions])];
      const p = new FastPredictor(predictorModel(m), { frameChannels: channels });
      const seq = p.step({ t: 0, values: new Float32Array(channels.length).fill(0.1), valid: new Uint8Array(channels.length).fill(1) });
      expect(seq.mean.every(Number.isFinite)).toBe(true);
      m.model.dispose();
    });
  }
});
