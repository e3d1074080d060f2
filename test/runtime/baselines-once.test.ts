// The baselines run once per dataset, whatever compares against them: `lam eval --report --explain` (the report,
// the page's curves and plots) and `lam export` with drives (the original and the smaller model on the same
// windows) each build hold-last once per held-out block and step it once over each block's frames. hold-last is
// wrapped here to count; before the scores were shared, `lam export` ran every baseline twice.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Frame } from "../../perception/types.js";
import { blocksFromRecord, type Block } from "../../dynamics/dataset.js";
import { loadModel } from "../../dynamics/save.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { main } from "../../runtime/main.js";
import { defaultModelDir, dirStore } from "../../runtime/model-dir.js";

const count = vi.hoisted(() => ({ builds: 0, steps: 0 }));
vi.mock("../../dynamics/baselines/hold-last.js", async (importOriginal) => {
  const m = await importOriginal<typeof import("../../dynamics/baselines/hold-last.js")>();
  return {
    ...m,
    holdLast: (...args: Parameters<typeof m.holdLast>) => {
      count.builds++;
      const p = m.holdLast(...args);
      return { ...p, reset: () => p.reset(), step: (f: Frame) => (count.steps++, p.step(f)) };
    },
  };
});

const F1 = resolve(__dirname, "../../../shared/data/f1tenth");
const DRIVES = [join(F1, "DS1"), join(F1, "DS4")];

async function lam(...argv: string[]) {
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => (err.push(s), true) } });
  return { code, err: err.join("") };
}

let blocks: Block[];
beforeAll(async () => {
  const { meta, model } = await loadModel(dirStore(defaultModelDir()));
  model.dispose();
  const test = (meta.training?.split ?? []).filter((b) => b.role === "test") as Block[];
  blocks = [];
  for (const d of DRIVES) blocks.push(...blocksFromRecord(await loadSeries(d, meta.spec), test));
}, 120_000);

describe("baselines scored once per dataset", () => {
  it("lam eval --report --explain: hold-last built once per held-out block, stepped once over its frames", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-once-"));
    count.builds = count.steps = 0;
    const r = await lam("eval", ...DRIVES, "--explain", "--report", join(dir, "eval.html"));
    expect(r.code, r.err).toBe(0);
    expect(blocks.length).toBe(3); // DS1: one test block, DS4: two
    expect(count.builds).toBe(blocks.length);
    expect(count.steps).toBe(blocks.reduce((a, b) => a + b.end - b.start, 0));
  }, 120_000);

  it("lam export with drives: the original and the exported model share one baseline run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-once-export-"));
    count.builds = count.steps = 0;
    const r = await lam("export", "--quantize", "float16", "--out", dir, ...DRIVES);
    expect(r.code, r.err).toBe(0);
    expect(count.builds).toBe(blocks.length);
    expect(count.steps).toBe(blocks.reduce((a, b) => a + b.end - b.start, 0));
  }, 180_000);
});
