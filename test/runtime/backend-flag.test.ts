import { afterEach, describe, expect, it } from "vitest";
import { BACKEND_ENV, backendPreference, commandBackend } from "../../runtime/backend-choice.js";
import { main, takeBackendFlag } from "../../runtime/main.js";
import { openModel } from "../../runtime/model.js";

function io() {
  let out = "";
  let err = "";
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } } as never,
    out: () => out,
    err: () => err,
  };
}

afterEach(() => {
  delete process.env[BACKEND_ENV];
});

describe("one backend order for every command", () => {
  it("a model opened for replay/sim/run tries DESIGN.md's whole order, not only wasm and cpu", async () => {
    const m = await openModel();
    expect(m.backend.reasons.map((r) => r.backend)).toEqual(["tfjs-node-gpu", "webgpu", "tfjs-node", "wasm", "cpu"]);
    expect(m.backend.name).toBe("wasm");
  });

  it("--backend is taken from any position before --ros-args and handed on through the environment", () => {
    const env: NodeJS.ProcessEnv = {};
    expect(takeBackendFlag(["sim", "--backend", "cpu", "catalog", "--ros-args", "--backend", "x"], env)).toEqual(["sim", "catalog", "--ros-args", "--backend", "x"]);
    expect(env[BACKEND_ENV]).toBe("cpu");
    expect(takeBackendFlag(["doctor", "--backend=wasm"], env)).toEqual(["doctor"]);
    expect(env[BACKEND_ENV]).toBe("wasm");
    expect(backendPreference(env)).toEqual({ order: ["wasm"], strict: true });
    expect(backendPreference({})).toEqual({});
  });

  it("an unknown name is a usage error that lists the known ones", async () => {
    const c = io();
    expect(await main(["doctor", "--backend", "tpu"], c.io)).toBe(2);
    expect(c.err()).toContain('--backend "tpu": expected one of tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu');
  });

  it("a forced backend that cannot start fails, naming it, instead of quietly falling back to cpu", async () => {
    process.env[BACKEND_ENV] = "tfjs-node";
    await expect(commandBackend()).rejects.toThrow(/tfjs-node: Cannot find package '@tensorflow\/tfjs-node'/);
  });

  it("lam doctor --backend cpu reports cpu, for every command that loads a model", async () => {
    const c = io();
    expect(await main(["doctor", "--json", "--backend", "cpu"], c.io)).toBe(0);
    const report = JSON.parse(c.out()) as { backend: { name: string }; backend_used_by: string[] };
    expect(report.backend_used_by).toEqual(expect.arrayContaining(["train", "eval", "replay", "sim", "run"]));
    expect(report.backend.name).toBe("cpu");
  });
});
