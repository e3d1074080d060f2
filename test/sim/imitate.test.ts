import { describe, expect, it } from "vitest";
import { imitate, frameChannelsOf } from "../../sim/imitate/index.js";
import { FastPredictor } from "../../dynamics/predictor.js";
import { policyPreset } from "../../policy/presets.js";
import { Perceiver } from "../../runtime/perceiver.js";
import { PipelineDriver } from "../../runtime/pipeline-driver.js";
import { frameSpecFor } from "../../runtime/drive-frames.js";
import { vehiclePresetName } from "../../runtime/sim-run.js";
import type { Driver } from "../../sim/driver.js";

describe("lam imitate (DART + DAgger)", () => {
  it("a DAgger round adds the states the model itself visited, labelled by the reference", async () => {
    // Per model-driven scenario, every command the model's pipeline sent.
    const sent = new Map<string, Set<number>>();
    let current = "";
    const res = await imitate(
      { vehicle: "robot", seed: 3, rounds: 1, scenarios: 2, epochs: 1, roundEpochs: 1, units: 4, stride: 4 },
      {
        framer: (spec) => new Perceiver(frameSpecFor(spec)),
        modelDriver: (model, spec, norm, head, sc) => {
          const frameSpec = frameSpecFor(spec);
          const inner = new PipelineDriver({
            frameSpec,
            predictor: new FastPredictor({ model, spec, featureNorm: norm, head }, { frameChannels: frameSpec.channels.map((c) => c.name) }),
            policy: policyPreset(vehiclePresetName(sc)),
          });
          current = sc.name;
          const set = new Set<number>();
          sent.set(sc.name, set);
          const d: Driver = {
            reset: () => inner.reset(),
            tick(input) {
              const out = inner.tick(input);
              set.add(Math.fround(out.command.values.steer_cmd));
              return out;
            },
          };
          return d;
        },
      },
    );
    expect(current).not.toBe("");
    expect(res.rounds.map((r) => r.drivenBy)).toEqual(["dart", "model"]);
    const dagger = res.episodes.filter((e) => e.round === 1);
    expect(dagger).toHaveLength(2);
    const ch = frameChannelsOf(res.spec);
    const steer = ch.indexOf("steer_cmd");
    for (const e of dagger) {
      expect(e.drivenBy).toBe("model");
      const issued = sent.get(e.scenario)!;
      // The executed steering the frames saw (after the first tick) is what the model's pipeline commanded.
      const seen = e.frames.slice(2).map((f) => f.values[steer]);
      const mine = seen.filter((v) => issued.has(v)).length;
      expect(mine / seen.length).toBeGreaterThan(0.95);
      // Labels are the reference's actions at those states, finite throughout.
      expect(e.labels.length).toBe(e.frames.length * res.spec.actions.length);
      expect(e.labels.every(Number.isFinite)).toBe(true);
    }
    // Aggregated: the retraining saw the demonstrations and the model's own states.
    expect(res.rounds[1].windows.train).toBeGreaterThan(res.rounds[0].windows.train);
    expect(res.head.prior?.kind).toBe("pursuit-idm");
  }, 120_000);
});
