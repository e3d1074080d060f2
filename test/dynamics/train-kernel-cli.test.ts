// `lam train` on a real drive: which trainer it picks and says, --trainer/--threads, and the same bytes for 1 and 2 threads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../runtime/main.js";

const f1 = resolve(import.meta.dirname, "../../../shared/data/f1tenth");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => void out.push(s) }, stderr: { write: (s: string) => void err.push(s) } } };
}

const base = (out: string) => ["train", join(f1, "DS1"), "--out", out, "--epochs", "2", "--units", "8", "--history", "0.5", "--horizon", "0.5", "--block-seconds", "8", "--input-noise", "0.1", "--json"];

describe("lam train: trainer choice", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lam-train-kernel-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("picks the kernel on the wasm backend, says so, and 1 and 2 threads write identical model folders", async () => {
    const one = capture();
    expect(await main(base(join(dir, "t1")), one.io), one.err.join("")).toBe(0);
    expect(one.err.join("")).toMatch(/lam train: trainer kernel, 1 thread \(the WebAssembly SIMD training kernel outruns tfjs on the wasm backend\)/);
    expect(JSON.parse(one.out.join("")).trainer).toEqual({ name: "kernel", threads: 1, backend: "wasm" });
    const two = capture();
    expect(await main([...base(join(dir, "t2")), "--threads", "2"], two.io), two.err.join("")).toBe(0);
    expect(two.err.join("")).toMatch(/trainer kernel, 2 threads/);
    for (const f of ["model.json", "weights.bin", "lam.json"]) {
      expect(Buffer.compare(await readFile(join(dir, "t1", f)), await readFile(join(dir, "t2", f))), f).toBe(0);
    }
    const lam = JSON.parse(await readFile(join(dir, "t1", "lam.json"), "utf8"));
    expect(lam.training.options.trainer).toBe("kernel");
  });

  it("--trainer tfjs forces tfjs (and lam.json stays as the tfjs path wrote it); bad values are usage errors", async () => {
    const c = capture();
    expect(await main([...base(join(dir, "tf")), "--trainer", "tfjs"], c.io), c.err.join("")).toBe(0);
    expect(c.err.join("")).toMatch(/trainer tfjs \(forced by --trainer\)/);
    expect(JSON.parse(await readFile(join(dir, "tf", "lam.json"), "utf8")).training.options.trainer).toBeUndefined();
    const bad = capture();
    expect(await main([...base(join(dir, "x")), "--trainer", "torch"], bad.io)).toBe(2);
    expect(bad.err.join("")).toMatch(/--trainer=torch must be kernel or tfjs/);
    const mixed = capture();
    expect(await main([...base(join(dir, "y")), "--trainer", "tfjs", "--threads", "2"], mixed.io)).toBe(2);
    expect(mixed.err.join("")).toMatch(/--threads and --clip-norm apply to the kernel trainer/);
  });
});
