// lam export: a uint8-quantised, 2-shard copy of the bundled default model on a real F1TENTH run; its lam.json
// records the measured ADE of both models, and lam eval opens the exported folder.
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../runtime/main.js";

const f1 = resolve(import.meta.dirname, "../../../shared/data/f1tenth");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

describe("lam export", () => {
  it("--quantize uint8 --shard-bytes: smaller files, ADE measured within 1 % of the float32 model, loadable by lam eval", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-export-"));
    const c = capture();
    expect(await main(["export", "--quantize", "uint8", "--shard-bytes", "4000", "--out", dir, join(f1, "DS4"), "--json"], c.io)).toBe(0);
    const s = JSON.parse(c.out.join(""));
    expect(s.weight_bytes * 4).toBe(s.from_weight_bytes);
    expect(s.files.length).toBe(Math.ceil(s.weight_bytes / 4000));
    expect((await readdir(dir)).filter((f) => f.endsWith(".bin"))).toHaveLength(s.files.length);
    const lam = JSON.parse(await readFile(join(dir, "lam.json"), "utf8"));
    expect(lam.export).toMatchObject({ quantize: "uint8", files: s.files, measured: { windows: expect.any(Number) } });
    expect(Math.abs(lam.export.measured.ade.ratio - 1)).toBeLessThan(0.01);
    const e = capture();
    expect(await main(["eval", join(f1, "DS4"), "--model", dir, "--json"], e.io)).toBe(0);
    expect(JSON.parse(e.out.join("")).model.ade).toBeCloseTo(lam.export.measured.ade.exported, 9);
  }, 180_000);

  it("refuses an unknown quantisation by name", async () => {
    const c = capture();
    await expect(main(["export", "--quantize", "int4", "--out", "/tmp/x"], c.io)).resolves.not.toBe(0);
    expect(c.err.join("")).toMatch(/--quantize=int4 must be float16 or uint8/);
  });
});
