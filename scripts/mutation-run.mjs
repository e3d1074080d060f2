// Runs StrykerJS through its API with stryker.config.json. Stryker 10's CLI refuses Node < 22 (a version guard in
// stryker-cli.js, loaded by the package index); this machine has Node 20, on which the Stryker class runs. Args: the --mutate list, concurrency.
import { readFileSync } from "node:fs";
// The package index also loads the CLI, whose guard throws at import: take the Stryker class from its own file.
const { Stryker } = await import(new URL("../node_modules/@stryker-mutator/core/dist/src/stryker.js", import.meta.url).href);

const [mutate, concurrency] = process.argv.slice(2);
const config = JSON.parse(readFileSync("stryker.config.json", "utf8"));
delete config.$schema;
delete config._comment;
const stryker = new Stryker({ ...config, mutate: mutate.split(","), concurrency: Number(concurrency ?? config.concurrency) });
const results = await stryker.runMutationTest();
console.log(`stryker: ${results.length} mutants`);
