// The closed-loop bench on the kit lam bench hands it (runtime/commands/bench.ts): each scenario driven by the
// bundled model that fits its vehicle, else by an untrained stand-in the bench writes and the kit opens. Times are
// not asserted.
import { describe, expect, it } from "vitest";
import { benchClosedLoop } from "../../bench/closed-loop.js";
import { closedLoopKit } from "../../runtime/commands/bench.js";
import { defaultModelDir } from "../../runtime/model-dir.js";
import { CATALOG_DIR, loadCatalog } from "../../scenarios/index.js";

const pick = (...names: string[]) => loadCatalog(CATALOG_DIR).filter((s) => names.includes(s.name));

describe("closed-loop bench through runtime's kit", () => {
  it("drives each scenario with the bundled model that fits it; a model that does not fit gets a stand-in of its shape", async () => {
    const scenarios = pick("robot-track", "lead-brakes-hard");
    expect(scenarios.map((s) => s.name).sort()).toEqual(["lead-brakes-hard", "robot-track"]);
    const log: string[] = [];
    const bundled = await benchClosedLoop({ kit: await closedLoopKit(undefined, (l) => log.push(l)), scenarios, repeat: 1 });
    expect(log.filter((l) => l.includes("no model at"))).toEqual([]);
    const row = (rows: typeof bundled, sc: string, driver: string) => rows.find((r) => r.scenario === sc && r.driver === driver)!;
    for (const sc of ["robot-track", "lead-brakes-hard"]) {
      expect(row(bundled, sc, "model").stand_in, sc).toBe(false);
      expect(row(bundled, sc, "reference").stand_in, sc).toBe(false);
      expect(row(bundled, sc, "model").ticks, sc).toBe(row(bundled, sc, "reference").ticks);
      expect(row(bundled, sc, "model").ticks, sc).toBeGreaterThan(0);
    }
    // The F1TENTH model alone: it cannot drive the accel_cmd car, so the car runs an untrained stand-in.
    const robotOnly = await benchClosedLoop({ kit: await closedLoopKit(defaultModelDir(), () => {}), scenarios, repeat: 1 });
    expect(row(robotOnly, "robot-track", "model").stand_in).toBe(false);
    expect(row(robotOnly, "lead-brakes-hard", "model").stand_in).toBe(true);
    expect(robotOnly.filter((r) => r.scenario === "(all)").map((r) => [r.driver, r.stand_in])).toEqual([["model", true], ["reference", false]]);
  }, 180_000);
});
