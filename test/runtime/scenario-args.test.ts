import { describe, expect, it } from "vitest";
import { loadScenarioArgs } from "../../runtime/sim-run.js";
import { UsageError } from "../../runtime/io.js";

describe("scenario arguments", () => {
  it("a catalog scenario's name resolves to its file, as the README's `lam tune robot-track robot-follow` uses it", () => {
    expect(loadScenarioArgs(["robot-track", "robot-follow.yaml"]).map((s) => s.name)).toEqual(["robot-track", "robot-follow"]);
  });

  it("`catalog` is every bundled scenario; an unknown name is a usage error that says what was looked for", () => {
    expect(loadScenarioArgs(["catalog"]).length).toBeGreaterThanOrEqual(15);
    expect(() => loadScenarioArgs(["no-such-scenario"])).toThrow(UsageError);
    expect(() => loadScenarioArgs(["no-such-scenario"])).toThrow(/no-such-scenario: no such scenario file or folder, nor a catalog scenario/);
  });
});
