// The fuzz suite's in-process ingresses on a few hundred inputs: no crash, and the same seed gives the same
// counts (the full run is `lam bench --only fuzz`, see README "Reliability").
import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { runFuzz } from "../../bench/fuzz/index.js";

const DATA = resolve(__dirname, "../../../shared/data");
const counts = (r: Awaited<ReturnType<typeof runFuzz>>) => r.ingresses.map((x) => ({ ingress: x.ingress, inputs: x.inputs, accepted: x.accepted, rejected: x.rejected, crashes: x.crashes }));

describe("fuzz suite, small", () => {
  it("payload decoder, CSV rows, MCAP and bag bytes, scenario YAML, policy params: 0 crashes, 0 bad values, deterministic under a seed", async () => {
    const opts = { inputs: 400, seed: 7, dataDir: DATA, only: ["payload", "csv", "mcap", "bag", "scenario", "params"] as const };
    const a = await runFuzz(opts);
    expect(a.ingresses.map((x) => x.note ?? "")).not.toContain(expect.stringMatching(/^not run/));
    for (const x of a.ingresses) expect(x.inputs, x.ingress).toBeGreaterThanOrEqual(400);
    expect({ crashes: a.crashes, nonfinite: a.nonfinite, out_of_limit: a.out_of_limit }).toEqual({ crashes: 0, nonfinite: 0, out_of_limit: 0 });
    // Every ingress both accepts and rejects something: the generators reach past the first check.
    for (const x of a.ingresses) {
      expect(x.accepted, x.ingress).toBeGreaterThan(0);
      expect(Object.keys(x.rejected).length, x.ingress).toBeGreaterThan(0);
    }
    const b = await runFuzz({ ...opts, only: ["payload", "scenario", "params"] });
    expect(counts(b)).toEqual(counts(a).filter((x) => ["MQTT payload decoder", "scenario YAML", "policy parameter files"].includes(x.ingress)));
  }, 180_000);
});
