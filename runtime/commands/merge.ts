import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { mergeReports, parseReport } from "../../sim/replay/merge.js";
import { replayHtml } from "../../sim/replay/report.js";
import { decodeRuns, encodeRuns } from "../../sim/replay/runs.js";
import type { ScenarioRun } from "../../sim/run.js";
import { UsageError, type CliIO } from "../io.js";

const HELP = `usage: lam merge <report.json...> [--out DIR] [--json]

Merges the reports of shards (lam replay --shard K/N, lam sim --shard K/N) into one: scenarios sorted by
name, the summary recomputed; a scenario found in two reports is an error naming it. Where every report
has its runs.json beside it, the HTML report is rendered again for the merged set.

  --out DIR   write report.json (and runs.json + report.html when the run records are there)
  --json      print the merged report as one JSON object
`;

export default async function merge(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("give at least one report.json");
  const reports = [];
  for (const p of positionals) {
    let text: string;
    try {
      text = await readFile(p, "utf8");
    } catch (e) {
      throw new Error(`${p}: cannot read (${e instanceof Error ? e.message : String(e)})`);
    }
    reports.push(parseReport({ source: p, text }));
  }
  const { report, origin } = mergeReports(reports, positionals);

  if (values.out) {
    await mkdir(values.out, { recursive: true });
    await writeFile(join(values.out, "report.json"), JSON.stringify(report, null, 2) + "\n");
    const runFiles = positionals.map((p) => join(dirname(p), "runs.json"));
    const missing = runFiles.filter((f) => !existsSync(f));
    if (missing.length) {
      io.stderr.write(`lam merge: no HTML report: no run records at ${missing.join(", ")}\n`);
    } else {
      const perFile: ScenarioRun[][] = [];
      for (const f of runFiles) perFile.push(decodeRuns(await readFile(f, "utf8"), f));
      const runs = origin.map((o, i) => {
        const name = report.scenarios[i].name;
        const run = perFile[o.source].find((r) => r.name === name);
        if (!run) throw new Error(`${runFiles[o.source]}: no run record for scenario "${name}" of ${positionals[o.source]}`);
        return run;
      });
      const replayed = report.scenarios.every((s) => s.replay);
      await writeFile(join(values.out, "runs.json"), encodeRuns(runs));
      await writeFile(join(values.out, "report.html"), replayHtml(runs, report, replayed ? "lam replay report" : "lam closed-loop report"));
    }
    io.stderr.write(`lam merge: ${positionals.length} reports, ${report.scenarios.length} scenarios → ${values.out}\n`);
  }
  if (values.json) io.stdout.write(JSON.stringify(report) + "\n");
  else {
    const s = report.summary;
    io.stdout.write(`${s.passed}/${s.scenarios} scenarios passed${s.failed ? ` — failed: ${s.failed_scenarios.join(", ")}` : ""}\n`);
  }
  return 0;
}
