// Found by the fuzz suite (bench/fuzz/scenario.ts): yaml threw a bare ReferenceError out of parseScenario.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CATALOG_DIR, parseScenario, ScenarioError } from "../../scenarios/index.js";

const catalog = readFileSync(join(CATALOG_DIR, "stopped-vehicle.yaml"), "utf8");

describe("scenario YAML that yaml itself refuses to resolve is a ScenarioError naming the file", () => {
  it("an alias with no anchor (*nope)", () => {
    const text = catalog.replace(/^duration: .*$/m, "duration: *nope");
    expect(() => parseScenario(text, "x.yaml")).toThrow(ScenarioError);
    expect(() => parseScenario(text, "x.yaml")).toThrow(/x\.yaml .*YAML: Unresolved alias/);
  });

  it("an alias bomb (10^4 expansions)", () => {
    const bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
    expect(() => parseScenario(bomb + catalog, "bomb.yaml")).toThrow(ScenarioError);
  });
});
