import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const quiet = { stdout: { write: () => true }, stderr: { write: () => true } } as never;

async function imitateOnce(seed: number): Promise<Record<string, Buffer>> {
  const out = mkdtempSync(join(tmpdir(), "lam-imitate-"));
  dirs.push(out);
  const code = await main(["imitate", "--vehicle", "robot", "--seed", String(seed), "--rounds", "1", "--scenarios", "2", "--epochs", "1", "--round-epochs", "1", "--units", "4", "--out", out], quiet);
  expect(code).toBe(0);
  return Object.fromEntries(["lam.json", "model.json", "weights.bin"].map((f) => [f, readFileSync(join(out, f))]));
}

describe("lam imitate is deterministic under a seed", () => {
  it("the same seed writes the same bytes (data, demonstrations, DAgger round and training); another seed does not", async () => {
    const a = await imitateOnce(5);
    const b = await imitateOnce(5);
    for (const f of Object.keys(a)) expect(b[f]!.equals(a[f]!), f).toBe(true);
    const c = await imitateOnce(6);
    expect(c["weights.bin"]!.equals(a["weights.bin"]!)).toBe(false);
  });
});
