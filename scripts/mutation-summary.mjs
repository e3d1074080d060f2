// Reads Stryker's JSON report and writes the mutation score per folder and every surviving (or uncovered) mutant.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

// Args: output file, the scopes (folders/files) to group by, "--", the JSON reports (missing ones are skipped).
const args = process.argv.slice(2);
const outPath = args[0];
const sep = args.indexOf("--");
const scopes = args.slice(1, sep);
const reportPaths = args.slice(sep + 1).filter((p) => existsSync(p));
const reports = reportPaths.map((p) => JSON.parse(readFileSync(p, "utf8")));
// A later report of the same file (a recheck of its survivors' lines) replaces the same mutants of an earlier one.
const keyOf = (m) => `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement}`;
const report = { files: {} };
for (const r of reports) {
  for (const [file, f] of Object.entries(r.files)) {
    const prev = report.files[file];
    if (!prev) report.files[file] = { ...f, mutants: [...f.mutants] };
    else {
      const again = new Map(f.mutants.map((m) => [keyOf(m), m]));
      prev.mutants = prev.mutants.map((m) => again.get(keyOf(m)) ?? m);
    }
  }
}
const detected = new Set(["Killed", "Timeout"]);
const undetected = new Set(["Survived", "NoCoverage"]);
const folderOf = (file) => scopes.find((s) => file.startsWith(s.replace(/\/$/, "") + "/")) ?? file.split("/")[0];
const byFolder = new Map();
const byFile = new Map();
const survivors = [];
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  const lines = source.split("\n");
  const f = folderOf(file);
  const tally = byFolder.get(f) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  const own = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  for (const m of mutants) {
    const key = { Killed: "killed", Timeout: "timeout", Survived: "survived", NoCoverage: "noCoverage" }[m.status] ?? "other";
    tally[key]++;
    own[key]++;
    if (undetected.has(m.status)) {
      const { line, column } = m.location.start;
      survivors.push({ file, line, column, status: m.status + (m.static ? " (static)" : ""), mutator: m.mutatorName, replacement: (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 80), code: (lines[line - 1] ?? "").trim().slice(0, 100) });
    }
  }
  byFolder.set(f, tally);
  byFile.set(file, own);
}
const score = (t) => (100 * (t.killed + t.timeout)) / Math.max(1, t.killed + t.timeout + t.survived + t.noCoverage);
const out = [
  "# Mutation report (StrykerJS; scripts/mutation.sh)",
  "",
  `Files reported: ${Object.keys(report.files).length} (${reportPaths.length} of ${args.length - sep - 1} runs finished).`,
  "",
  "| folder | score % | killed | timeout | survived | no coverage | errors/ignored |",
  "|---|---|---|---|---|---|---|",
  ...[...byFolder].map(([f, t]) => `| ${f} | ${score(t).toFixed(1)} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.other} |`),
  "",
  "| file | score % | killed | timeout | survived | no coverage | errors/ignored |",
  "|---|---|---|---|---|---|---|",
  ...[...byFile].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, t]) => `| ${f} | ${score(t).toFixed(1)} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.other} |`),
  "",
  `## Surviving mutants (${survivors.length})`,
  "",
  ...survivors.map((s) => `- ${s.file}:${s.line}:${s.column} ${s.status} ${s.mutator} → \`${s.replacement}\` in \`${s.code}\``),
  "",
];
writeFileSync(outPath, out.join("\n"));
for (const [f, t] of byFolder) console.log(`${f}: mutation score ${score(t).toFixed(1)}% (${t.killed + t.timeout} detected, ${t.survived} survived, ${t.noCoverage} uncovered)`);
console.log(`${survivors.length} surviving mutants listed in ${outPath}`);
