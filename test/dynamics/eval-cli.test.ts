import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../runtime/main.js";
import { defaultModelDir } from "../../runtime/model-dir.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const f1 = resolve(repoRoot, "../shared/data/f1tenth");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

function checkSummary(e: { ade: number; fde: number; per_channel: Record<string, { ade: number; fde: number }> }) {
  expect(Number.isFinite(e.ade) && e.ade > 0).toBe(true);
  expect(Number.isFinite(e.fde) && e.fde > 0).toBe(true);
  expect(Object.keys(e.per_channel).sort()).toEqual(["speed_cmd", "steer_cmd"]);
}

describe("lam eval", () => {
  it("--json on the bundled default model and DS4 prints one JSON object with the contract keys", async () => {
    expect(existsSync(join(defaultModelDir(), "lam.json"))).toBe(true);
    const c = capture();
    expect(await main(["eval", join(f1, "DS4"), "--json"], c.io)).toBe(0);
    const text = c.out.join("");
    expect(text.trim().split("\n")).toHaveLength(1);
    const r = JSON.parse(text);
    checkSummary(r.model);
    expect(Object.keys(r.baselines).sort()).toEqual(["ar4", "hold_last", "linear"]);
    for (const b of Object.values(r.baselines)) checkSummary(b as Parameters<typeof checkSummary>[0]);
    expect(r.windows).toBeGreaterThan(50);
    const best = Math.min(...Object.values(r.baselines as Record<string, { ade: number }>).map((b) => b.ade));
    expect(r.ratio_to_best_baseline).toBeCloseTo(r.model.ade / best, 12);
    // DS4 is a training run of the default model: only its held-out test blocks are scored.
    expect(r.data).toEqual({ DS4: "test_blocks" });
    // The same figures the model folder states for DS4 alone need not match lam.json (all four runs), but the
    // eval is deterministic.
    const c2 = capture();
    await main(["eval", join(f1, "DS4"), "--json"], c2.io);
    expect(c2.out.join("")).toBe(text);
  });

  it("rejects a call without drives (usage, exit 2) and a broken model folder (exit 1, names the file)", async () => {
    const c = capture();
    expect(await main(["eval", "--json"], c.io)).toBe(2);
    expect(c.err.join("")).toMatch(/give at least one drive/);
    const c2 = capture();
    expect(await main(["eval", join(f1, "DS4"), "--model", join(tmpdir(), "no-such-lam-model")], c2.io)).toBe(1);
    expect(c2.err.join("")).toMatch(/no-such-lam-model\/lam.json: missing/);
    expect(c2.out.join("")).toBe("");
  });
});

describe("lam train → lam eval on a drive it never saw", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lam-train-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("trains a tiny model on DS1, saves it, and evaluates DS4 whole", async () => {
    const c = capture();
    const code = await main(
      ["train", join(f1, "DS1"), "--out", dir, "--epochs", "1", "--units", "4", "--history", "0.5", "--horizon", "0.5", "--block-seconds", "8", "--json"],
      c.io,
    );
    expect(code, c.err.join("")).toBe(0);
    const summary = JSON.parse(c.out.join(""));
    expect(summary.epochs).toBe(1);
    expect(c.err.join("")).toMatch(/epoch 1\/1 \[#+\] loss -?\d+\.\d+ val .* eta/);
    const lam = JSON.parse(await readFile(join(dir, "lam.json"), "utf8"));
    expect(lam.spec).toMatchObject({ rate: 20, history: 10, horizon: 10, units: 4 });
    expect(lam.training.drives).toEqual(["DS1"]);
    const e = capture();
    expect(await main(["eval", join(f1, "DS4"), "--model", dir, "--json"], e.io)).toBe(0);
    const r = JSON.parse(e.out.join(""));
    expect(r.data).toEqual({ DS4: "whole_drive" });
    expect(r.windows).toBeGreaterThan(1000);
  });
});
