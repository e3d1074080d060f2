import { z } from "zod";
import { ScenarioSchema } from "./schema.js";

/** The JSON Schema of a scenario file as written (defaults optional), exported from the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** The exact text committed as scenarios/scenario.schema.json. */
export function scenarioJsonSchemaText(): string {
  return JSON.stringify(scenarioJsonSchema(), null, 2) + "\n";
}
