export * from "./schema.js";
export * from "./parse.js";
export * from "./load.js";
export * from "./json-schema.js";
import { fileURLToPath } from "node:url";

// Compiled, this module sits in dist/scenarios/ while the YAML stays in scenarios/catalog/.
const compiled = /\/dist\/scenarios\/[^/]*$/.test(new URL(import.meta.url).pathname);
/** Folder of the bundled catalog. */
export const CATALOG_DIR = fileURLToPath(new URL(compiled ? "../../scenarios/catalog/" : "./catalog/", import.meta.url));
