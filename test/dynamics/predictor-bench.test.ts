// `lam bench --json` end to end on a small saved model: the JSON contract, and that the tfjs window and the
// PyTorch peer compute the same thing as the predictor (the bench throws otherwise). Times are not asserted.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { main } from "../../runtime/main.js";
import { dirStore } from "../../runtime/model-dir.js";
import { saveModel } from "../../dynamics/save.js";
import { testModel, testSpec } from "./predictor-fixtures.js";

import { requireTool } from "../support/require-tool.js";

// The PyTorch peer needs torch in /usr/bin/python3: under CI=true its absence fails this file, elsewhere the peer
// test is skipped naming it. The skip path of the bench itself is tested with a python that cannot import torch.
const TORCH = requireTool("pytorch");

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** `lam bench --json` on a small saved model with the given python for the PyTorch peer. */
async function benchJson(python: string) {
  await tf.setBackend("cpu");
  const spec = testSpec({ units: 16, history: 10, horizon: 4 });
  const m = testModel(spec, 21);
  const dir = mkdtempSync(join(tmpdir(), "lam-bench-model-"));
  try {
    const A = spec.actions.length;
    await saveModel(dirStore(dir), m.model, {
      spec,
      normalisation: { features: m.featureNorm, actions: { channels: [...spec.actions], mean: new Array(A).fill(0), std: new Array(A).fill(1) } },
      head: m.head,
    });
    const r = await run(["bench", "--json", "--model", dir, "--ticks", "300", "--tfjs-seconds", "1", "--train-batches", "1", "--no-pin", "--python", python]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    return { r, j: JSON.parse(lines[0]!), dir, F: spec.features.length, A };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.model.dispose();
  }
}

describe("lam bench", () => {
  it("--json prints one object with the DESIGN.md keys; without torch the peer is null and the skip is said", async () => {
    const { r, j, dir, F, A } = await benchJson("/nonexistent/python3");
    for (const k of ["predictor", "tfjs_window"]) {
      expect(j[k].p50_ms).toBeGreaterThan(0);
      expect(j[k].p99_ms).toBeGreaterThanOrEqual(j[k].p50_ms);
    }
    expect(j.model.source).toBe(dir);
    expect(j.model.macs_per_tick).toBe(2 * (4 * 16 * (F + 16) + 4 * 16 * 32) + 16 * 4 * A * 2);
    expect(j.agreement.tfjs_max_abs_err).toBeLessThan(1e-4);
    expect(j.batched.map((b: { agents: number }) => b.agents)).toEqual([1, 8, 64]);
    expect(j.pytorch).toBeNull();
    expect(r.err).toMatch(/PyTorch peer skipped: \/nonexistent\/python3 cannot import torch/);
  }, 600_000);

  it.skipIf(!TORCH.path)(`the PyTorch peer runs on the same weights and agrees${TORCH.skipNote}`, async () => {
    const { r, j } = await benchJson(TORCH.path!);
    expect(r.err).not.toMatch(/PyTorch peer skipped/);
    expect(j.pytorch.p50_ms).toBeGreaterThan(0);
    expect(j.agreement.pytorch_max_abs_err).toBeLessThan(1e-4);
    expect(j.training.pytorch_windows_per_s).toBeGreaterThan(0);
  }, 600_000);

  it("rejects a bad flag value with a usage error", async () => {
    const r = await run(["bench", "--ticks", "0"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--ticks=0: expected a positive integer/);
  });
});
