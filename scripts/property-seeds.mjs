// Runs the property suites N times in one Vitest process, each run under a fresh random LAM_FC_SEED, and reports
// every failure with the seed (and fast-check's seed/path) that reproduces it. Driven by scripts/property-seeds.sh.
import { randomInt } from "node:crypto";
import { createVitest } from "vitest/node";

process.env.LAM_FC_EXPLORE = "1";
const [nArg, ...files] = process.argv.slice(2);
const n = Number(nArg);
if (!Number.isInteger(n) || n < 1 || files.length === 0) {
  console.error(`usage: property-seeds.mjs N file... (got N=${JSON.stringify(nArg)}, ${files.length} files)`);
  process.exit(2);
}

// Quiet reporter: this script prints one line per run itself.
const vitest = await createVitest("test", { watch: false, maxWorkers: 1, reporters: [{}] });
const specs = await vitest.globTestSpecifications(files);
const failures = [];
const t0 = Date.now();
for (let run = 1; run <= n; run++) {
  const seed = randomInt(-(2 ** 31), 2 ** 31);
  process.env.LAM_FC_SEED = String(seed);
  const res = await vitest.runTestSpecifications(specs, true);
  const tests = res.testModules.flatMap((m) => [...m.children.allTests()]);
  const failed = tests.filter((tc) => tc.result().state === "failed");
  const moduleErrors = res.testModules.flatMap((m) => m.errors().map((e) => ({ file: m.moduleId, e })));
  for (const tc of failed) {
    const msg = tc.result().errors?.map((e) => e.message).join("\n") ?? "";
    const fcLine = msg.split("\n").find((l) => l.startsWith("{ seed:")) ?? "(no fast-check seed line: not a property failure)";
    const file = tc.module.relativeModuleId;
    failures.push({ run, seed, name: tc.fullName, file, fcLine, first: msg.split("\n").find((l) => /Error|expected/.test(l)) ?? msg.split("\n")[0] });
  }
  for (const { file, e } of moduleErrors) failures.push({ run, seed, name: "(file failed to load)", file, fcLine: "", first: e.message });
  const bad = failed.length + moduleErrors.length + res.unhandledErrors.length;
  console.log(`run ${run}/${n} LAM_FC_SEED=${seed}: ${tests.length - failed.length}/${tests.length} passed${bad ? `, ${bad} FAILED` : ""} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  for (const f of failures.filter((f) => f.run === run)) {
    console.log(`  FAIL ${f.file} > ${f.name}\n    ${f.first}\n    ${f.fcLine}\n    reproduce: LAM_FC_SEED=${seed} npx vitest run ${f.file}`);
  }
}
await vitest.close();
console.log(`\n${n} runs of ${specs.length} property suites, ${failures.length} failures${failures.length ? `; failing seeds: ${[...new Set(failures.map((f) => f.seed))].join(" ")}` : ""}`);
process.exit(failures.length ? 1 : 0);
