// Regenerates scenarios/scenario.schema.json: `npx tsx scenarios/write-schema.ts`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scenarioJsonSchemaText } from "./json-schema.js";

const out = fileURLToPath(new URL("./scenario.schema.json", import.meta.url));
writeFileSync(out, scenarioJsonSchemaText());
process.stderr.write(`wrote ${out}\n`);
