// `lam bench --json --only dynamics`: the training-kernel keys beside the existing training keys. Times are not asserted.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { main } from "../../runtime/main.js";
import { dirStore } from "../../runtime/model-dir.js";
import { saveModel } from "../../dynamics/save.js";
import { testModel, testSpec } from "./predictor-fixtures.js";

describe("lam bench: training kernel figures", () => {
  it("reports kernel windows/s on 1 and 2 threads, ratios to tfjs and PyTorch, and the share of the arithmetic floor", async () => {
    await tf.setBackend("cpu");
    const spec = testSpec({ units: 16, history: 10, horizon: 4 });
    const m = testModel(spec, 21);
    const dir = mkdtempSync(join(tmpdir(), "lam-bench-train-"));
    try {
      const A = spec.actions.length;
      await saveModel(dirStore(dir), m.model, {
        spec,
        normalisation: { features: m.featureNorm, actions: { channels: [...spec.actions], mean: new Array(A).fill(0), std: new Array(A).fill(1) } },
        head: m.head,
      });
      let out = "";
      let err = "";
      const code = await main(["bench", "--json", "--only", "dynamics", "--model", dir, "--ticks", "200", "--tfjs-seconds", "1", "--train-batches", "1", "--train-rounds", "2", "--no-peer", "--no-pin"], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s) },
      });
      expect(code, err).toBe(0);
      const t = JSON.parse(out.trim()).training;
      expect(t.tfjs_windows_per_s).toBeGreaterThan(0);
      expect(t.kernel_windows_per_s).toBeGreaterThan(0);
      expect(t.kernel_kind).toBe("simd");
      expect(t.rounds.kernel).toHaveLength(2);
      expect(t.rounds.tfjs).toHaveLength(2);
      expect(t.kernel_over_tfjs).toBeCloseTo(t.kernel_windows_per_s / t.tfjs_windows_per_s, 6);
      expect(t.kernel_over_pytorch).toBeNull();
      const F = spec.features.length;
      const step = 4 * 16 * (F + 16) + (spec.layers - 1) * 4 * 16 * 32;
      const head = 16 * spec.horizon * A * 2;
      expect(t.kernel_floor.macs_per_window).toBe(3 * (spec.history * step + head));
      expect(t.kernel_floor.share_of_floor).toBeGreaterThan(0);
      expect(t.kernel_2threads_windows_per_s).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      m.model.dispose();
    }
  });
});
