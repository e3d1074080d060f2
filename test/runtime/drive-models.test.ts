import { describe, expect, it } from "vitest";
import { openModel } from "../../runtime/model.js";
import { drivingModelDir } from "../../runtime/sim-run.js";
import { TfjsWindowPredictor } from "../../dynamics/predictor-tfjs.js";
import { FastPredictor } from "../../dynamics/predictor.js";
import { PriorPredictor } from "../../dynamics/prior/index.js";
import { SCENE_CHANNELS } from "../../perception/scene.js";
import { Validity, type Frame } from "../../perception/types.js";
import { mulberry32 } from "../../sim/rng.js";

describe("bundled driving models", () => {
  for (const vehicle of ["car", "robot"] as const) {
    it(`${vehicle}-drive reads the scene, predicts over its prior, and the real-time predictor equals tfjs on it`, async () => {
      const m = await openModel(drivingModelDir(vehicle));
      try {
        const { spec, head } = m.meta;
        expect(spec.features).toEqual(expect.arrayContaining([...SCENE_CHANNELS]));
        expect(head.prior?.kind).toBe("pursuit-idm");
        expect(head.source).toHaveLength(spec.actions.length);
        const channels = m.frameSpec.channels.map((c) => c.name);
        const fast = new FastPredictor(m.predictorModel, { frameChannels: channels });
        const tfjs = new TfjsWindowPredictor(m.predictorModel, { frameChannels: channels });
        const prior = new PriorPredictor(head.prior!, channels, spec.actions, spec.horizon);
        const norm = m.meta.normalisation.features;
        const rng = mulberry32(5);
        for (let k = 0; k < 2 * spec.history + 3; k++) {
          const values = Float32Array.from(channels, (c) => {
            const i = norm.channels.indexOf(c);
            return i < 0 ? 0 : norm.mean[i] + norm.std[i] * rng.normal();
          });
          values[channels.indexOf("lead_present")] = k % 2;
          const valid = new Uint8Array(channels.length).fill(Validity.Fresh);
          if (k === 5) valid[channels.indexOf("path_offset")] = Validity.Missing;
          const frame: Frame = { t: k / spec.rate, values, valid };
          const a = fast.step(frame);
          const b = tfjs.step(frame);
          const p = prior.step(frame);
          for (let i = 0; i < a.mean.length; i++) {
            expect(a.mean[i]).toBeCloseTo(b.mean[i], 4);
            expect(a.std![i]).toBeCloseTo(b.std![i], 4);
          }
          // Where the source is the prior ("hold_last" over a prior head), the mean is the prior's action.
          spec.actions.forEach((_, ai) => {
            if (head.source![ai] === "hold_last") expect(a.mean[ai]).toBeCloseTo(p.mean[ai], 5);
          });
        }
      } finally {
        m.model.dispose();
      }
    });
  }
});
