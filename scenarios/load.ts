// Reading scenario files: one YAML file, or every *.yaml / *.yml in a folder (sorted by file name).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, basename } from "node:path";
import { parseScenario, ScenarioError } from "./parse.js";
import type { Scenario } from "./schema.js";

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError(file, [{ where: file, path: "", message: `cannot read: ${(e as Error).message}` }]);
  }
  return parseScenario(text, file);
}

/** All scenarios of a catalog folder, or the one in a file. Names must be unique. */
export function loadCatalog(dirOrFile: string): Scenario[] {
  let files: string[];
  if (statSync(dirOrFile, { throwIfNoEntry: false })?.isDirectory()) {
    files = readdirSync(dirOrFile)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dirOrFile, f));
    if (files.length === 0) throw new ScenarioError(dirOrFile, [{ where: dirOrFile, path: "", message: "no *.yaml scenario files" }]);
  } else files = [dirOrFile];
  const out: Scenario[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const sc = loadScenario(f);
    const prev = seen.get(sc.name);
    if (prev) throw new ScenarioError(f, [{ where: f, path: "name", message: `duplicate scenario name "${sc.name}" (also in ${basename(prev)})` }]);
    seen.set(sc.name, f);
    out.push(sc);
  }
  return out;
}
