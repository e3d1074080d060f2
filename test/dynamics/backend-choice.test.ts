// Backend choice: every candidate is accounted for, in order, with the reason it was passed over.
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_ORDER, chooseBackend } from "../../dynamics/backend.js";
import { installedVersion } from "../../runtime/optional.js";

afterAll(async () => {
  await tf.setBackend("cpu");
});

describe("chooseBackend", () => {
  it("walks the full order, chooses exactly one, and activates it in tfjs", async () => {
    const c = await chooseBackend({ wasmThreads: 1 });
    expect(c.reasons.map((r) => r.backend)).toEqual([...BACKEND_ORDER]);
    const chosen = c.reasons.filter((r) => r.status === "chosen");
    expect(chosen.map((r) => r.backend)).toEqual([c.name]);
    expect(tf.getBackend()).toBe(c.tfName);
    // Everything before the chosen one was skipped with a reason; everything after was not tried.
    const at = BACKEND_ORDER.indexOf(c.name);
    c.reasons.forEach((r, i) => {
      expect(r.status).toBe(i < at ? "skipped" : i === at ? "chosen" : "not-tried");
      expect(r.reason.length).toBeGreaterThan(0);
    });
    for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const) {
      const r = c.reasons.find((x) => x.backend === pkg.replace("@tensorflow/", ""))!;
      if (installedVersion(pkg) === null) expect(r.reason).toMatch(new RegExp(pkg.replace("/", "\\/")));
    }
    // The webgpu package is installed here (optional dependency) but this machine has no GPU.
    const w = c.reasons.find((x) => x.backend === "webgpu")!;
    if (installedVersion("webgpu") === null) expect(w.reason).toMatch(/webgpu/);
    else if (w.status === "skipped") expect(w.reason).toMatch(/no GPU adapter/);
  });

  it("honours a given order and always falls back to cpu", async () => {
    const c = await chooseBackend({ order: ["tfjs-node-gpu"] });
    if (installedVersion("@tensorflow/tfjs-node-gpu") === null) {
      expect(c.name).toBe("cpu");
      expect(c.reasons.map((r) => [r.backend, r.status])).toEqual([
        ["tfjs-node-gpu", "skipped"],
        ["cpu", "chosen"],
      ]);
      expect(tf.getBackend()).toBe("cpu");
    }
    const w = await chooseBackend({ order: ["wasm"], wasmThreads: 1 });
    expect(w.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });
});
