import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel, ModelLoadError } from "../../dynamics/save.js";
import { defaultModelDir, dirStore } from "../../runtime/model-dir.js";
import { main } from "../../runtime/main.js";

const DS1 = new URL("../../../shared/data/f1tenth/DS1", import.meta.url).pathname;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "lam-finite-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of the bundled model with its float32 weights rewritten by `f`, and lam.json's sha256 made to match. */
async function rewritten(name: string, f: (x: number, i: number) => number): Promise<string> {
  const dir = join(root, name);
  await cp(defaultModelDir(), dir, { recursive: true });
  const w = await readFile(join(dir, "weights.bin"));
  const floats = new Float32Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength));
  for (let i = 0; i < floats.length; i++) floats[i] = f(floats[i], i);
  const bytes = new Uint8Array(floats.buffer);
  await writeFile(join(dir, "weights.bin"), bytes);
  const lam = JSON.parse(await readFile(join(dir, "lam.json"), "utf8"));
  lam.weightsSha256 = createHash("sha256").update(bytes).digest("hex");
  await writeFile(join(dir, "lam.json"), JSON.stringify(lam, null, 2));
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } as never);
  return { code, out: out.join(""), err: err.join("") };
}

describe("a model whose weights are not finite is refused at load", () => {
  it("NaN weights with a matching sha256: ModelLoadError naming the weight and the count", async () => {
    const dir = await rewritten("nan", (x, i) => (i % 1000 === 17 ? NaN : x));
    const e = await loadModel(dirStore(dir)).then(
      (m) => (m.model.dispose(), undefined),
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ModelLoadError);
    expect((e as Error).message).toMatch(/weights\.bin: weight ".+" \(float32 \[[\d, ]+\]\) holds \d+ non-finite values \(first at index \d+: NaN\)/);
  });

  it("an infinite weight too", async () => {
    const dir = await rewritten("inf", (x, i) => (i === 5 ? -Infinity : x));
    await expect(loadModel(dirStore(dir))).rejects.toThrow(/non-finite values \(first at index 5: -Infinity\)/);
  });

  it("lam eval with NaN weights exits non-zero with the load error", async () => {
    const dir = await rewritten("nan-eval", () => NaN);
    const r = await cli(["eval", DS1, "--model", dir]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/non-finite values/);
    expect(r.out).not.toMatch(/NaN/);
  });

  it("lam eval never prints ADE NaN with exit 0: finite weights whose predictions overflow are a failed evaluation", async () => {
    // Every weight ±3e38 (finite float32): the products overflow to ±Infinity and the scores become NaN.
    const dir = await rewritten("overflow", (_, i) => (i % 2 ? 3e38 : -3e38));
    const r = await cli(["eval", DS1, "--model", dir]);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/ADE NaN/);
    expect(r.err).toMatch(/non-finite scores over \d+ windows \(model\.ade=NaN/);
  }, 60_000);
});
