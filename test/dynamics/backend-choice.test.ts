// Backend choice: every candidate is accounted for, in order, with the reason it was passed over. The choice logic
// is tested with injected probe outcomes (deterministic, whatever this machine has installed); the real probes are
// run only for the backends that ship with lam (wasm, cpu), so no assertion depends on what happens to be installed.
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_ORDER, chooseBackend, type BackendName, type Probe } from "../../dynamics/backend.js";

afterAll(async () => {
  await tf.setBackend("cpu");
});

const ok = (why: string): Probe => async () => why;
const fail = (message: string): Probe => async () => {
  throw new Error(message);
};
/** Every candidate fails except those given. */
function outcomes(given: Partial<Record<BackendName, Probe>>): Partial<Record<BackendName, Probe>> {
  return Object.fromEntries(BACKEND_ORDER.map((b) => [b, given[b] ?? fail(`${b} unavailable`)]));
}

describe("chooseBackend: the choice logic, with injected probes", () => {
  it("walks the full order, chooses the first that starts, says why each earlier one was skipped, and tries no later one", async () => {
    const c = await chooseBackend({ probes: outcomes({ "tfjs-node": ok("libtensorflow CPU"), wasm: ok("WebAssembly") }) });
    expect(c.name).toBe("tfjs-node");
    expect(c.reasons).toEqual([
      { backend: "tfjs-node-gpu", status: "skipped", reason: "tfjs-node-gpu unavailable" },
      { backend: "webgpu", status: "skipped", reason: "webgpu unavailable" },
      { backend: "tfjs-node", status: "chosen", reason: "libtensorflow CPU" },
      { backend: "wasm", status: "not-tried", reason: "tfjs-node was chosen first" },
      { backend: "cpu", status: "not-tried", reason: "tfjs-node was chosen first" },
    ]);
  });

  it("the GPU comes first when it starts", async () => {
    const c = await chooseBackend({ probes: outcomes({ "tfjs-node-gpu": ok("CUDA"), wasm: ok("WebAssembly"), cpu: ok("js") }) });
    expect(c.name).toBe("tfjs-node-gpu");
    expect(c.reasons.map((r) => r.status)).toEqual(["chosen", "not-tried", "not-tried", "not-tried", "not-tried"]);
  });

  it("keeps only the first line of a failure (a module-not-found error's require stack is dropped)", async () => {
    const c = await chooseBackend({ order: ["tfjs-node"], probes: outcomes({ "tfjs-node": fail("Cannot find package '@tensorflow/tfjs-node'\nRequire stack:\n- /x.js"), cpu: ok("js") }) });
    expect(c.reasons[0]).toEqual({ backend: "tfjs-node", status: "skipped", reason: "Cannot find package '@tensorflow/tfjs-node'" });
  });

  it("a given order is followed and cpu appended as the last resort", async () => {
    const c = await chooseBackend({ order: ["wasm", "tfjs-node-gpu"], probes: outcomes({ cpu: ok("js") }) });
    expect(c.name).toBe("cpu");
    expect(c.reasons.map((r) => [r.backend, r.status])).toEqual([
      ["wasm", "skipped"],
      ["tfjs-node-gpu", "skipped"],
      ["cpu", "chosen"],
    ]);
  });

  it("strict: no cpu fallback, and when nothing starts the error names every candidate and why", async () => {
    await expect(chooseBackend({ order: ["tfjs-node-gpu", "webgpu"], strict: true, probes: outcomes({ cpu: ok("js") }) })).rejects.toThrow(
      "no tfjs backend could start: tfjs-node-gpu: tfjs-node-gpu unavailable; webgpu: webgpu unavailable",
    );
  });

  it("passes the options to the probe (wasm threads)", async () => {
    let seen: number | undefined;
    const c = await chooseBackend({ order: ["wasm"], wasmThreads: 3, probes: { wasm: async (o) => ((seen = o.wasmThreads), "w") } });
    expect(c.name).toBe("wasm");
    expect(seen).toBe(3);
  });
});

describe("chooseBackend: the real probes of the backends lam ships", () => {
  it("wasm starts and becomes tfjs's active backend", async () => {
    const w = await chooseBackend({ order: ["wasm"], wasmThreads: 1 });
    expect(w.name).toBe("wasm");
    expect(w.reasons).toEqual([
      { backend: "wasm", status: "chosen", reason: "WebAssembly, 1 thread(s) requested" },
      { backend: "cpu", status: "not-tried", reason: "wasm was chosen first" },
    ]);
    expect(tf.getBackend()).toBe("wasm");
  });

  it("cpu always starts", async () => {
    const c = await chooseBackend({ order: ["cpu"] });
    expect(c).toEqual({ name: "cpu", tfName: "cpu", reasons: [{ backend: "cpu", status: "chosen", reason: "plain JavaScript" }] });
    expect(tf.getBackend()).toBe("cpu");
  });

  it("the default order is walked in full with exactly one chosen, each skip with a reason", async () => {
    const c = await chooseBackend({ wasmThreads: 1 });
    expect(c.reasons.map((r) => r.backend)).toEqual([...BACKEND_ORDER]);
    const at = BACKEND_ORDER.indexOf(c.name);
    expect(c.reasons.map((r) => r.status)).toEqual(BACKEND_ORDER.map((_, i) => (i < at ? "skipped" : i === at ? "chosen" : "not-tried")));
    for (const r of c.reasons) expect(r.reason.length).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe(c.tfName);
  });
});
