// Ingress: scenario YAML. The catalog's scenarios, mutated line by line and value by value (non-finite and
// absurd numbers, wrong types, broken indentation, duplicate keys, alias bombs, cut text), through parseScenario
// as `lam sim` reads them. A ScenarioError is a rejection; anything else thrown is a crash; an accepted scenario
// holding a non-finite number counts as non-finite.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CATALOG_DIR } from "../../scenarios/index.js";
import { parseScenario, ScenarioError } from "../../scenarios/parse.js";
import type { Rng } from "./rng.js";
import { Tally, type IngressReport } from "./tally.js";

const TEXTS = readdirSync(CATALOG_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => readFileSync(join(CATALOG_DIR, f), "utf8"));

const SCALARS = [".nan", ".inf", "-.inf", "1e400", "-1e400", "1e308", "-0", "0x7fffffff", "~", "null", "[]", "{}", '"fast"', "true", "!!binary aGk=", "*nope", "&a 1", "99999999999999999999", "1_000", "0o17", ""];

function mutate(rng: Rng, text: string): string {
  const lines = text.split("\n");
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const i = rng.int(lines.length);
    switch (rng.int(8)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[rng.int(lines.length)]!);
        break;
      case 2:
        lines[i] = "\t" + lines[i];
        break;
      case 3:
        lines[i] = lines[i]!.slice(0, rng.int(lines[i]!.length + 1));
        break;
      default:
        // A value replaced: the text after the first ": " on the line, or a list item's value.
        lines[i] = lines[i]!.replace(/(:\s+|-\s+)([^\s#][^#]*)$/, (_m, sep: string) => sep + rng.pick(SCALARS));
    }
  }
  let out = lines.join("\n");
  if (rng.chance(0.02)) out = `a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n` + out;
  if (rng.chance(0.01)) out = "[".repeat(5000) + out;
  if (rng.chance(0.05)) out = out.slice(0, rng.int(out.length));
  return out;
}

function nonFinite(v: unknown, depth = 0): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (v === null || typeof v !== "object" || depth > 50) return false;
  return Object.values(v).some((x) => nonFinite(x, depth + 1));
}

export function fuzzScenarios(rng: Rng, inputs: number): IngressReport {
  const tally = new Tally("scenario YAML");
  for (let i = 0; i < inputs; i++) {
    const text = mutate(rng, rng.pick(TEXTS));
    tally.inputs++;
    try {
      const s = parseScenario(text, "fuzz.yaml");
      tally.accepted++;
      if (nonFinite(s)) {
        tally.nonfinite++;
        if (tally.examples.length < 5) tally.examples.push(`accepted scenario holds a non-finite number ← ${text.slice(0, 300)}`);
      }
    } catch (e) {
      if (e instanceof ScenarioError) tally.reject(e.issues[0]?.message.startsWith("YAML") ? "yaml" : "schema");
      else tally.crash(e, text);
    }
  }
  return tally.report(`parseScenario over mutations of the ${TEXTS.length} catalog scenarios`);
}
