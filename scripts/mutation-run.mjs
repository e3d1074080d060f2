// Runs StrykerJS through its API with stryker.config.json, for one --mutate list, writing its JSON report to the
// given file. Stryker 10's CLI refuses Node < 22 (a version guard in stryker-cli.js, loaded by the package index);
// this machine has Node 20, on which the Stryker class itself runs. Args: mutate list, concurrency, JSON report file.
import { readFileSync } from "node:fs";

// Taken from its own file: importing the package index would run the CLI's guard.
const { Stryker } = await import(new URL("../node_modules/@stryker-mutator/core/dist/src/stryker.js", import.meta.url).href);

const [mutate, concurrency, jsonFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync("stryker.config.json", "utf8"));
delete config.$schema;
delete config._comment;
const json = jsonFile ?? config.jsonReporter.fileName;
const stryker = new Stryker({
  ...config,
  mutate: mutate.split(","),
  concurrency: Number(concurrency ?? config.concurrency),
  jsonReporter: { fileName: json },
  htmlReporter: { fileName: json.replace(/\.json$/, ".html") },
  incrementalFile: json.replace(/\.json$/, ".incremental.json"),
});
const results = await stryker.runMutationTest();
console.log(`stryker: ${results.length} mutants -> ${json}`);
